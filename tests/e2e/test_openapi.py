"""The connector's HTTP API against its own OpenAPI description, by schemathesis, over real HTTP: any
request the description admits gets an answer it describes, and never a 5xx."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from connector.runtime import Runtime
from tests.e2e.support import Running, serve, write_config


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    config = write_config(tmp_path_factory.mktemp("openapi"), "http://127.0.0.1:9")
    served = serve(Runtime(config.settings))
    served.runtime.worker.beat()  # a worker is alive: /readyz answers 200 (its 503 is tested elsewhere)
    yield served
    served.server.shutdown()
    served.server.server_close()
    served.runtime.close()


def base_of(running: Running) -> str:
    return running.url.split("/webhooks/")[0]


def test_the_description_is_valid_openapi(running: Running) -> None:
    api = schemathesis.openapi.from_url(f"{base_of(running)}/openapi.json")
    labels = sorted(result.ok().label for result in api.get_all_operations())
    # (schemathesis leaves out the description's own path; it is checked below like the others)
    assert labels == ["GET /healthz", "GET /metrics", "GET /readyz", "POST /webhooks/{platform}/{site}"]


@pytest.mark.parametrize(
    "label",
    ["POST /webhooks/{platform}/{site}", "GET /healthz", "GET /readyz", "GET /metrics", "GET /openapi.json"],
)
def test_every_answer_is_as_described(running: Running, label: str) -> None:
    api = schemathesis.openapi.from_url(f"{base_of(running)}/openapi.json")
    operation = api.find_operation_by_label(label)
    assert operation is not None

    @given(case=operation.as_strategy())
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=base_of(running))

    check()
