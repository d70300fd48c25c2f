"""The same story on every platform, pushed and pulled: a customer's words become mood fields on the
ticket, agents' words change nothing, and a site both pushed to and polled stores each change once.

Each platform's simulated desk (simulators.desk) plays the people; the connector runs for real, its
webhook endpoint on a loopback port, its worker driven by the test (a poll is forced each round)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from connector.runtime import Runtime
from connector.setup import setup_site
from connector.store.models import Delivery, EventRow
from simulators.desk import Desk, desk_for
from simulators.jira.testing import default_openapi_spec
from tests.e2e.support import SECRET, Running, serve, write_site_config

ANGRY = "This is still broken and nobody answers. Completely unacceptable!"
AGENT = "We are on it, sorry for the wait."
CALM = "Thank you, that works now. Great help!"


@dataclass
class Env:
    desk: Desk
    running: Running
    platform: str
    push: bool
    pull: bool
    field_ids: dict[str, str]

    @property
    def runtime(self) -> Runtime:
        return self.running.runtime

    def settle(self, rounds: int = 30) -> None:
        """Deliver every webhook, poll, and run the worker until nothing is due."""
        assert self.desk.wait_for_webhooks(10)
        for _ in range(rounds):
            polled = sum(p.run_once(now=True).stored for p in self.runtime.worker.polls.values())
            if self.runtime.worker.run_once().idle and not polled:
                return

    def fields(self, key: str) -> dict[str, Any]:
        return self.desk.field_values(key, self.field_ids)

    def events(self) -> list[tuple[str, str]]:
        with self.runtime.store.session() as session:
            return [(e.kind, e.event_id) for e in session.scalars(select(EventRow).order_by(EventRow.id))]


MODES = {"push": (True, False), "pull": (False, True), "push+pull": (True, True)}


PLATFORMS = ("jira", "servicenow")


@pytest.fixture(params=[(p, m) for p in PLATFORMS for m in MODES], ids=lambda v: f"{v[0]}-{v[1]}")
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Env]:
    yield from _env(*request.param, tmp_path)


@pytest.fixture(params=[(p, "push+pull") for p in PLATFORMS], ids=lambda v: f"{v[0]}-{v[1]}")
def both(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Env]:
    yield from _env(*request.param, tmp_path)


def _env(platform: str, mode: str, tmp_path: Path) -> Iterator[Env]:
    push, pull = MODES[mode]
    desk = desk_for(platform, default_openapi_spec())
    url = desk.start()
    try:
        config = write_site_config(tmp_path, platform, url, push=push, pull=pull)
        running = serve(Runtime(config.settings), platform, platform)
        if push:
            desk.register_webhook(running.url, SECRET)
        result = setup_site(config.settings.sites[platform], config.settings)
        yield Env(desk, running, platform, push, pull, {**result.created_or_found, **result.checked})
        running.server.shutdown()
        running.server.server_close()
        running.runtime.close()
        assert desk.violations() == [], "requests the real API would not take"
    finally:
        desk.stop()


def test_a_conversation_becomes_mood_fields(env: Env) -> None:
    key = env.desk.raise_ticket("VPN drops", requester=env.desk.customer)
    env.desk.comment(key, ANGRY, author=env.desk.customer)
    env.settle()
    angry = env.fields(key)
    assert angry["mood"] in ("Negative", "Very negative")
    assert angry["initial_mood"] == angry["mood"] and angry["mood_trend"] == "Steady"

    env.desk.comment(key, AGENT, author=env.desk.agent)
    env.settle()
    assert env.fields(key) == angry  # agents' words change nothing

    env.desk.comment(key, CALM, author=env.desk.customer)
    env.desk.resolve(key, actor=env.desk.agent)
    env.settle()
    calm = env.fields(key)
    assert calm["mood"] in ("Positive", "Very positive")
    assert calm["initial_mood"] == angry["mood"] and calm["mood_trend"] == "Improving"
    assert env.desk.field_writes(key) == 2

    kinds = Counter(kind for kind, _ in env.events())
    assert kinds["created"] == 1 and kinds["commented"] == 3 and kinds["transitioned"] >= 1
    ids = [event_id for _, event_id in env.events()]
    assert len(ids) == len(set(ids))


def test_push_and_pull_together_store_each_change_once(both: Env) -> None:
    env = both
    key = env.desk.raise_ticket("Printer on fire", requester=env.desk.customer)
    env.desk.comment(key, ANGRY, author=env.desk.customer)
    env.desk.comment(key, AGENT, author=env.desk.agent)
    env.settle()
    for poll in env.runtime.worker.polls.values():  # polls that overlap find everything again
        assert poll.run_once(now=True).stored == 0
    with env.runtime.store.session() as session:
        deliveries = list(session.scalars(select(Delivery)))
    # The webhooks came first: every poll found only what was stored already, and left no delivery.
    assert deliveries and [d.delivery_key for d in deliveries if d.webhook_event == "poll"] == []
    kinds = Counter(kind for kind, _ in env.events())
    assert (kinds["created"], kinds["commented"]) == (1, 2)
    assert env.fields(key)["mood"] in ("Negative", "Very negative")
