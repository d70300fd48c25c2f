"""The flusher against the Jira simulator over real HTTP, through what a production site goes through:
an outage longer than the retry budget, a 429 in the middle of a backlog, and a slow platform."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from connector.runtime import Runtime
from connector.settings import Settings
from connector.setup import setup_site
from connector.store import outbox as queue
from connector.store.models import OutboxAction
from simulators.jira.simulator import JiraSimulator
from tests.e2e.support import write_config

CUSTOMER = "casey@customer.example"
ISSUE_PUT = r"^/rest/api/3/issue/SUP-\d+$"


def runtime_with(jira: JiraSimulator, tmp_path: Path, **writeback: Any) -> Runtime:
    settings = write_config(tmp_path, jira.base_url).settings
    changed: Settings = settings.model_copy(
        update={"writeback": settings.writeback.model_copy(update=writeback)}
    )
    runtime = Runtime(changed)
    setup_site(changed.sites["jira"], changed)
    return runtime


@pytest.fixture
def tickets(jira: JiraSimulator) -> list[str]:
    return [jira.create_issue("SUP", f"Ticket {n}", reporter=CUSTOMER) for n in range(30)]


def queue_moods(runtime: Runtime, keys: list[str], mood: str = "Negative") -> None:
    with runtime.store.session() as session:
        for key in keys:
            queue.enqueue_fields(
                session,
                platform="jira",
                site="jira",
                ticket_key=key,
                values={"mood": mood, "mood_score": -0.4},
                delay=timedelta(0),
            )


def states(runtime: Runtime) -> list[str]:
    with runtime.store.session() as session:
        return [r.state for r in session.scalars(select(OutboxAction).order_by(OutboxAction.id))]


def flush_until_done(runtime: Runtime, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while set(states(runtime)) != {"done"} and time.monotonic() < deadline:
        runtime.flusher.flush()
        time.sleep(0.02)


def landed_puts(jira: JiraSimulator) -> list[Any]:
    return sorted(
        (r for r in jira.requests if r.method == "PUT" and r.status == 204 and "/issue/SUP-" in r.path),
        key=lambda r: r.at,
    )


@pytest.fixture
def closing() -> Iterator[list[Runtime]]:
    opened: list[Runtime] = []
    yield opened
    for runtime in opened:
        runtime.close()


def test_an_outage_longer_than_the_retry_budget_leaves_no_ticket_stale(
    jira: JiraSimulator, tickets: list[str], tmp_path: Path, closing: list[Runtime]
) -> None:
    # Three attempts 0.05-0.1 s apart would be spent in well under a second of a 3 s outage.
    runtime = runtime_with(
        jira,
        tmp_path,
        max_attempts=3,
        backoff_initial_seconds=0.05,
        backoff_max_seconds=0.1,
        circuit_failures=3,
        circuit_max_seconds=0.4,
        requests_per_second=500,
    )
    closing.append(runtime)
    outage = jira.faults.add(method="PUT", path=ISSUE_PUT, status=503, times=None)
    queue_moods(runtime, tickets)
    ends = time.monotonic() + 3
    while time.monotonic() < ends:
        runtime.flusher.flush()
        time.sleep(0.02)
    assert "failed" not in states(runtime)
    failed_calls = sum(1 for r in jira.requests if r.method == "PUT" and r.status == 503)
    assert failed_calls < 3 * len(tickets)  # the open circuit held most tickets back: no hammering
    jira.faults.remove(outage.id)
    flush_until_done(runtime, 20)
    assert states(runtime) == ["done"] * len(tickets)
    assert sorted(r.path.rsplit("/", 1)[1] for r in landed_puts(jira)) == sorted(tickets)  # each once
    with runtime.store.session() as session:
        rows = session.scalars(select(OutboxAction)).all()
        assert max(r.attempts for r in rows) <= 3


def test_after_a_429_the_backlog_resumes_slowly_not_in_a_burst(
    jira: JiraSimulator, tickets: list[str], tmp_path: Path, closing: list[Runtime]
) -> None:
    runtime = runtime_with(jira, tmp_path, requests_per_second=10, concurrency=4)
    closing.append(runtime)
    jira.faults.add(method="PUT", path=ISSUE_PUT, status=429, retry_after=1, times=1)
    queue_moods(runtime, tickets)
    flush_until_done(runtime, 30)
    assert states(runtime) == ["done"] * len(tickets)
    [limited] = [r for r in jira.requests if r.method == "PUT" and r.status == 429]
    # Nothing is sent while the site is paused (calls already waiting for their turn included)...
    after = [r.at for r in landed_puts(jira) if r.at > limited.at]
    assert len(after) >= 20 and after[0] >= limited.at + 1.0
    # ...and then at half the rate, 0.2 s apart and ramping back up, not at 10/s (0.1 s apart).
    gaps = [b - a for a, b in pairwise(after)]
    assert sum(gaps[:4]) / 4 > 0.13
    assert sum(gaps[-4:]) / 4 < sum(gaps[:4]) / 4  # the rate climbs back toward the ceiling


def _most_in_flight(requests: list[Any]) -> int:
    edges = sorted([(r.at, 1) for r in requests] + [(r.at + r.duration, -1) for r in requests])
    most = current = 0
    for _, step in edges:
        current += step
        most = max(most, current)
    return most


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_slow_platform_gets_several_tickets_at_once_each_in_order(
    jira: JiraSimulator, tmp_path: Path, closing: list[Runtime], concurrency: int
) -> None:
    keys = [jira.create_issue("SUP", f"Slow {n}", reporter=CUSTOMER) for n in range(8)]
    runtime = runtime_with(jira, tmp_path, concurrency=concurrency, requests_per_second=1000)
    closing.append(runtime)
    jira.faults.add(method="PUT", path=ISSUE_PUT, latency=0.2, times=None)
    queue_moods(runtime, keys, mood="Negative")
    queue_moods(runtime, keys, mood="Positive")  # merges into the pending write: one PUT each
    with runtime.store.session() as session:
        for key in keys:
            queue.enqueue_labels(
                session, platform="jira", site="jira", ticket_key=key, key=f"label:{key}", add=["ela-test"]
            )
    flush_until_done(runtime, 30)
    puts = [r for r in jira.requests if r.method == "PUT" and "/issue/SUP-" in r.path]
    assert _most_in_flight(puts) == concurrency
    for key in keys:
        mine = [r for r in puts if r.path.endswith(f"/{key}")]
        # fields first, then labels, each once, as queued
        assert [sorted(r.json) for r in mine] == [["fields"], ["update"]]
        assert "ela-test" in jira.issue(key).fields["labels"]
