"""End-to-end fixtures: the Jira simulator (checking every request against Jira's API definition when
the shared data set is here), and the connector serving webhooks on a real loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.runtime import Runtime
from simulators.jira.simulator import JiraSimulator
from simulators.jira.testing import default_openapi_spec, running_simulator
from tests.e2e.support import SECRET, Config, Running, serve, write_config


@pytest.fixture
def jira() -> Iterator[JiraSimulator]:
    """A started simulator. A request the real API would not take fails the test that made it."""
    with running_simulator(default_openapi_spec(), webhook_time_scale=0.01) as sim:
        yield sim
        violations = [str(v) for v in sim.violations]
        assert violations == [], "requests the real Jira API does not define or would reject"


@pytest.fixture
def config(jira: JiraSimulator, tmp_path: Path) -> Config:
    return write_config(tmp_path, jira.base_url)


@pytest.fixture
def connector(jira: JiraSimulator, config: Config) -> Iterator[Running]:
    """The connector's web app on loopback, registered as the simulator's webhook; its worker is
    driven by the test (runtime.worker.run_once) so each step is deterministic."""
    running = serve(Runtime(config.settings))
    jira.register_webhook(running.url, secret=SECRET)
    yield running
    running.server.shutdown()
    running.server.server_close()
    running.runtime.close()
