"""Due work in a real database: scheduled, moved and cancelled by key, fired exactly once by any number
of worker processes, a killed worker's rows taken over, failures retried and parked."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector.due_work import DueWorkRunner
from connector.settings import parse_settings
from connector.store import Store, due
from connector.store.audit import audit
from connector.store.due import DueItem
from connector.store.models import AuditEntry, DueWork, utcnow

REPO = Path(__file__).resolve().parents[2]
KIND = "race.fire"


def schedule(store: Store, count: int, kind: str = KIND, offset: timedelta = timedelta(0)) -> None:
    with store.session() as session:
        for n in range(count):
            due.schedule(session, kind, f"{kind}:{n}", utcnow() + offset, payload={"n": n}, site="s")


def fired_keys(store: Store) -> Counter[str]:
    with store.session() as session:
        details = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "due.fired"))
        return Counter(json.loads(detail)["key"] for detail in details)


def states(store: Store) -> Counter[str]:
    with store.session() as session:
        return Counter(
            dict(session.execute(select(DueWork.state, func.count()).group_by(DueWork.state)).all())
        )


def race_worker(url: str, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.connector.due_race", url, *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def runner(store: Store, handler, **worker: object) -> DueWorkRunner:  # type: ignore[no-untyped-def]
    settings = parse_settings(
        json.dumps({"worker": worker, "writeback": {"backoff_initial_seconds": 0.01}}), env={}
    )
    result = DueWorkRunner(store, settings, "w1")
    result.register(KIND, handler)
    return result


def record(session: Session, item: DueItem) -> None:
    audit(session, None, None, "due.fired", {"key": item.key})


def test_two_worker_processes_fire_each_of_1000_rows_exactly_once(store: Store, store_url: str) -> None:
    schedule(store, 1000)
    workers = [race_worker(store_url, "--batch", "25"), race_worker(store_url, "--batch", "25")]
    for worker in workers:
        assert worker.wait(180) == 0
    fired = fired_keys(store)
    assert len(fired) == 1000 and set(fired.values()) == {1}
    assert states(store) == Counter({"done": 1000})


def test_a_worker_killed_mid_batch_loses_none_and_doubles_none(store: Store, store_url: str) -> None:
    schedule(store, 300)
    first = race_worker(store_url, "--delay", "0.01", "--lease", "2", "--batch", "40")
    deadline = time.monotonic() + 60
    while sum(fired_keys(store).values()) < 60:
        assert time.monotonic() < deadline, "the first worker fired nothing"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)  # mid-batch: it holds leases on rows it has not fired
    first.wait(10)
    with store.session() as session:
        held = session.scalar(
            select(func.count())
            .select_from(DueWork)
            .where(DueWork.state == "pending", DueWork.claimed_by.is_not(None))
        )
    assert held, "the kill should leave leased rows behind"
    second = race_worker(store_url, "--lease", "2")
    assert second.wait(120) == 0
    fired = fired_keys(store)
    assert len(fired) == 300 and set(fired.values()) == {1}
    assert states(store) == Counter({"done": 300})


def test_scheduling_a_key_again_moves_it_and_cancel_withdraws_it(store: Store) -> None:
    with store.session() as session:
        first = due.schedule(session, KIND, "k", utcnow() + timedelta(hours=1), payload={"v": 1})
        again = due.schedule(session, KIND, "k", utcnow() - timedelta(seconds=1), payload={"v": 2})
        due.schedule(session, KIND, "other", utcnow() - timedelta(seconds=1), ticket_key="SD-9")
    assert first == again
    with store.session() as session:
        assert due.cancel(session, KIND, ticket_key="SD-9") == 1
    seen: list[dict[str, object]] = []
    report = runner(store, lambda session, item: seen.append(item.payload)).run_once()
    assert (report.fired, seen) == (1, [{"v": 2}])
    with store.session() as session:
        assert due.cancel(session, KIND, "k") == 0  # fired already: nothing left to cancel
    assert states(store) == Counter({"done": 1, "cancelled": 1})


def test_work_is_not_fired_before_it_is_due(store: Store) -> None:
    schedule(store, 3, offset=timedelta(minutes=5))
    assert runner(store, record).run_once().fired == 0
    assert fired_keys(store) == Counter()


def test_a_failing_handler_commits_nothing_and_is_parked_after_its_limit(store: Store) -> None:
    schedule(store, 1)

    def broken(session: Session, item: DueItem) -> None:
        record(session, item)  # an effect that must not survive the failure
        raise RuntimeError("platform said no")

    work = runner(store, broken, max_attempts=3)
    for attempt in range(3):
        assert work.run_once().failed == 1
        with store.session() as session:
            row = session.scalars(select(DueWork)).one()
            assert row.attempts == attempt + 1
            row.due_at = utcnow()  # skip the backoff
    assert states(store) == Counter({"failed": 1})
    assert fired_keys(store) == Counter()
    with store.session() as session:
        [parked] = due.recent_failures(session)
    assert parked.last_error == "RuntimeError: platform said no"


def test_a_kind_without_a_handler_is_retried_then_parked_with_the_reason(store: Store) -> None:
    schedule(store, 1, kind="nobody.handles")
    work = runner(store, record, max_attempts=1)
    assert work.run_once().failed == 1
    with store.session() as session:
        [parked] = due.recent_failures(session)
    assert "no handler for due work of kind 'nobody.handles'" in (parked.last_error or "")


def test_a_row_moved_while_a_worker_holds_it_is_not_fired_by_that_worker(store: Store) -> None:
    schedule(store, 1)
    with store.session() as session:
        [pk] = due.claim(session, "w1", 10, timedelta(seconds=30))
    with store.session() as session:
        due.schedule(session, KIND, f"{KIND}:0", utcnow() + timedelta(hours=1))
    with store.session() as session:
        assert due.take(session, pk, "w1") is None
