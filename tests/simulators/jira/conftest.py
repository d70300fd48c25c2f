"""A started simulator per test, checking requests against Jira's API definition when it is here; a
test that makes a request the real API would refuse fails at teardown (unless it cleared the record
on purpose)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from simulators.jira.simulator import JiraSimulator
from simulators.jira.testing import JiraClient, client, default_openapi_spec, running_simulator


@pytest.fixture
def sim() -> Iterator[JiraSimulator]:
    with running_simulator(default_openapi_spec()) as simulator:
        yield simulator
        assert [v.to_dict() for v in simulator.violations] == []


@pytest.fixture
def admin(sim: JiraSimulator) -> Iterator[JiraClient]:
    api = client(sim, "admin")
    yield api
    api.close()


@pytest.fixture
def agent(sim: JiraSimulator) -> Iterator[JiraClient]:
    api = client(sim, "agent")
    yield api
    api.close()
