"""Helpers for tests that need Jira: a running simulator, and clients acting as its users.

    spec = default_openapi_spec()
    with running_simulator(spec, webhook_time_scale=0.001) as sim, WebhookReceiver() as hook:
        sim.register_webhook(hook.url, events=["*"], secret="s")
        ...
        assert hook.wait_for(3)

`WebhookReceiver` is in simulators.testing. `client(sim, "customer")` acts as a seeded user (see
simulators.jira.seed.DEMO_USERS) over real HTTP, e.g. a portal customer commenting through the
servicedesk API.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from simulators.jira.seed import DEMO_USERS
from simulators.jira.simulator import JiraSimulator

SPEC_RELATIVE = Path("jira-openapi") / "platform-swagger.v3.json"


def default_openapi_spec() -> Path | None:
    """The platform OpenAPI definition when this machine has it: $ELA_JIRA_OPENAPI, else the shared data
    set ($ELA_SHARED_DATA, or ../shared/data beside the clone). None on a user's machine."""
    explicit = os.environ.get("ELA_JIRA_OPENAPI")
    if explicit:
        return Path(explicit) if Path(explicit).is_file() else None
    shared = os.environ.get("ELA_SHARED_DATA")
    data = Path(shared) if shared else Path(__file__).resolve().parents[2].parent / "shared" / "data"
    spec = data / SPEC_RELATIVE
    return spec if spec.is_file() else None


@contextmanager
def running_simulator(spec_path: Path | None = None, **options: Any) -> Iterator[JiraSimulator]:
    """A started simulator (checking requests against `spec_path` when given), stopped afterwards.
    `options` go to JiraSimulator (e.g. webhook_time_scale=0.001 for quick retries)."""
    sim = JiraSimulator(spec_path, **options)
    sim.start()
    try:
        yield sim
    finally:
        sim.stop()


class JiraClient:
    """A requests session logged in as one user, with paths relative to the simulator's base URL."""

    def __init__(self, base_url: str, email: str, token: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.auth = (email, token)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.base_url + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def close(self) -> None:
        self.session.close()


def client(sim: JiraSimulator, who: str = "admin") -> JiraClient:
    """A client for a seeded user (a DEMO_USERS key such as "admin", "agent", "customer") or any user
    added with an API token (by e-mail)."""
    seeded = DEMO_USERS.get(who)
    email = seeded.email if seeded else who
    token = sim.user(email).api_token
    if token is None:
        raise ValueError(f"{email} has no API token")
    return JiraClient(sim.base_url, email, token)
