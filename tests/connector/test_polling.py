"""Pull mode in the connector: one poll job per polled site, its cursor leased in the store, new events
stored through the webhook path, failures retried with backoff and shown in `ela status` and /metrics."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from connector.cli import main
from connector.runtime import Runtime
from connector.store import polls
from connector.store.models import Delivery, EventRow, PollCursor, utcnow
from simulators.servicenow import ServiceNowSimulator
from tests.e2e.support import write_site_config


@pytest.fixture
def sim() -> Iterator[ServiceNowSimulator]:
    with ServiceNowSimulator() as simulator:
        yield simulator


@pytest.fixture
def runtime(sim: ServiceNowSimulator, tmp_path: Path) -> Iterator[Runtime]:
    config = write_site_config(tmp_path, "servicenow", sim.base_url, push=False, pull=True)
    running = Runtime(config.settings)
    yield running
    running.close()


def test_a_poll_job_is_registered_for_each_polled_site_only(sim: ServiceNowSimulator, tmp_path: Path) -> None:
    pushed = write_site_config(tmp_path, "servicenow", sim.base_url, push=True, pull=False)
    runtime = Runtime(pushed.settings)
    try:
        assert runtime.worker.polls == {}
        assert [job.name for job in runtime.worker.jobs.jobs] == ["events", "outbox", "due", "heartbeat"]
    finally:
        runtime.close()
    polled = write_site_config(tmp_path, "servicenow", sim.base_url, push=True, pull=True)
    runtime = Runtime(polled.settings)
    try:
        assert list(runtime.worker.polls) == ["servicenow"]
        assert "poll:servicenow" in [job.name for job in runtime.worker.jobs.jobs]
    finally:
        runtime.close()


def test_polls_store_what_is_new_once_and_move_the_cursor(sim: ServiceNowSimulator, runtime: Runtime) -> None:
    key = sim.create_incident("VPN drops", caller="casey.customer", comment="Broken again!")
    poll = runtime.worker.polls["servicenow"]
    first = poll.run_once()
    assert (first.polled, first.found, first.stored) == (1, 2, 2)
    assert poll.run_once().polled == 0  # not due again before its interval
    again = poll.run_once(now=True)
    assert (again.found, again.stored) == (2, 0)  # the overlap finds them again; the store keeps them once
    sim.advance_clock(5)
    sim.add_comment(key, "Any news?", author="casey.customer")
    later = poll.run_once(now=True)
    assert later.stored == 1
    with runtime.store.session() as session:
        deliveries = list(session.scalars(select(Delivery).order_by(Delivery.id)))
        events = list(session.scalars(select(EventRow)))
        cursor = session.scalars(select(PollCursor)).one()
    assert [d.webhook_event for d in deliveries] == ["poll", "poll"]  # none for the poll that found nothing
    assert all(d.delivery_key.startswith("poll:") for d in deliveries)
    assert len(events) == 3 and (cursor.polls, cursor.events, cursor.failures) == (3, 3, 0)
    assert cursor.cursor is not None and '"journal"' in cursor.cursor
    runtime.worker.drain()
    with runtime.store.session() as session:
        assert {e.state for e in session.scalars(select(EventRow))} == {"done"}


def test_a_failing_poll_backs_off_and_shows(
    sim: ServiceNowSimulator, runtime: Runtime, tmp_path: Path
) -> None:
    poll = runtime.worker.polls["servicenow"]
    sim.faults.add(method="GET", path="/api/now/table/sys_audit", status=503, times=2)
    failed = poll.run_once()
    assert failed.failed == 1
    with runtime.store.session() as session:
        row = session.scalars(select(PollCursor)).one()
        first_due = row.due_at
        assert row.last_error is not None and "ServiceNow answered 503" in row.last_error
    assert first_due > utcnow() + timedelta(seconds=3000)  # the interval (an hour here), doubled per failure
    assert poll.run_once().polled == 0
    status = CliRunner().invoke(main, ["status", "-c", str(tmp_path / "ela.yaml")])
    assert "polls        servicenow (servicenow): 0 ok, 1 failed" in status.output
    assert "failing (1 in a row): poll sys_audit: ServiceNow answered 503" in status.output
    metrics = runtime.app().test_client().get("/metrics").get_data(as_text=True)
    assert 'ela_polls_total{outcome="failed",site="servicenow"} 1.0' in metrics
    assert 'ela_poll_failures_in_a_row{site="servicenow"} 1.0' in metrics
    assert poll.run_once(now=True).failed == 1
    ok = poll.run_once(now=True)
    assert ok.failed == 0 and ok.polled == 1
    metrics = runtime.app().test_client().get("/metrics").get_data(as_text=True)
    assert 'ela_polls_total{outcome="ok",site="servicenow"} 1.0' in metrics
    assert 'ela_poll_failures_in_a_row{site="servicenow"} 0.0' in metrics
    as_json = CliRunner().invoke(main, ["status", "-c", str(tmp_path / "ela.yaml"), "--json"])
    assert '"failed_polls": 2' in as_json.output


def test_one_worker_polls_a_site_at_a_time(runtime: Runtime) -> None:
    lease = timedelta(seconds=60)
    with runtime.store.session() as session:
        mine = polls.take(session, "servicenow", "servicenow", "worker-a", lease)
    with runtime.store.session() as session:
        assert polls.take(session, "servicenow", "servicenow", "worker-b", lease, now_due=True) is None
    assert mine is not None
    with runtime.store.session() as session:
        assert polls.finish(session, mine.id, "worker-a", cursor="{}", stored=0, next_due=utcnow())
    with runtime.store.session() as session:
        theirs = polls.take(session, "servicenow", "servicenow", "worker-b", lease)
    assert theirs is not None
    with runtime.store.session() as session:  # the first worker's late finish must not count
        assert not polls.finish(session, mine.id, "worker-a", cursor="late", stored=1, next_due=utcnow())


def test_the_worker_pass_reports_its_polls(
    sim: ServiceNowSimulator, runtime: Runtime, tmp_path: Path
) -> None:
    sim.create_incident("VPN drops", caller="casey.customer", comment="Broken again!")
    once = CliRunner().invoke(main, ["worker", "-c", str(tmp_path / "ela.yaml"), "--once"])
    assert once.exit_code == 0, once.output
    assert "poll of servicenow: 2 new of 2 found" in once.output
