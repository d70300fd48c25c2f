"""ELA timers under contention, in real worker processes: two workers racing for the same timers escalate
each once; a worker killed between firing a timer and committing its escalation leaves it to the next
worker, which escalates exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from adapters.events import AuthorRole
from connector.due_work import DueReport
from connector.store import Store, due
from connector.store.models import AuditEntry, DueWork, ElaChange, OutboxAction
from tests.connector.conftest import T0, EventFactory
from tests.connector.ela.support import ANGRY, Clock, Ela, settings_with

REPO = Path(__file__).resolve().parents[3]


def worker(url: str, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.connector.ela.ela_race", url, *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def angry_tickets(store: Store, make_event: EventFactory, count: int) -> None:
    ela = Ela(store, settings_with(), Clock(T0))
    for n in range(1, count + 1):
        ela.process(make_event(text=ANGRY, key=f"SD-{n}", minutes=0, priority="Low"))


def escalations(store: Store) -> Counter[tuple[str | None, str]]:
    with store.session() as session:
        rows = session.execute(select(AuditEntry.ticket_key, AuditEntry.action))
        return Counter((key, action) for key, action in rows if action.startswith("ela.escalated"))


def outbox_kinds(store: Store) -> Counter[str]:
    with store.session() as session:
        rows = session.scalars(select(OutboxAction.kind).where(OutboxAction.kind != "fields"))
        return Counter(rows)


def test_two_workers_racing_for_the_same_timers_escalate_each_once(
    store: Store, store_url: str, make_event: EventFactory
) -> None:
    count = 30
    angry_tickets(store, make_event, count)  # each ticket's at-risk and breach timers are long due
    start = str(time.time() + 3)  # both processes claim from the same moment on
    racers = [worker(store_url, "--start-at", start), worker(store_url, "--start-at", start)]
    for racer in racers:
        assert racer.wait(180) == 0
    seen = escalations(store)
    assert set(seen.values()) == {1}
    assert len(seen) == 2 * count  # at risk and breached, once each, on every ticket
    # at risk: labels, comment, priority, webhook; breached: labels, comment, priority (raised again).
    assert outbox_kinds(store) == Counter(
        {"labels": 2 * count, "comment": 2 * count, "priority": 2 * count, "ela.webhook": count}
    )
    with store.session() as session:
        changes = Counter(session.scalars(select(ElaChange.outcome)))
        states = Counter(session.scalars(select(DueWork.state)))
    assert changes == Counter({"on_track": count, "at_risk": count, "breached": count})
    assert states == Counter({"done": 2 * count})


def test_a_timer_taken_over_from_a_worker_whose_lease_ran_out_fires_once(
    store: Store, make_event: EventFactory
) -> None:
    angry_tickets(store, make_event, 1)
    settings = settings_with()
    first, second = Ela(store, settings, Clock(T0), "w1"), Ela(store, settings, Clock(T0), "w2")
    first.clock.set(T0 + timedelta(hours=3, minutes=1))  # only the at-risk timer is due
    with store.session() as session:
        [taken] = due.claim(session, "w1", 10, timedelta(seconds=30), now=first.clock())
    # w1 stalls past its lease; w2 claims the same row and fires it.
    assert second.fire_at(T0 + timedelta(hours=3, minutes=2)) == 1
    report = DueReport()
    first.due._fire(taken, report)  # w1 wakes up and goes on with the row it had claimed
    assert (report.fired, report.lost) == (0, 1)
    assert escalations(store) == Counter({("SD-1", "ela.escalated.at_risk"): 1})


def test_a_worker_killed_between_firing_and_escalating_leaves_one_escalation(
    store: Store, store_url: str, make_event: EventFactory, tmp_path: Path
) -> None:
    angry_tickets(store, make_event, 1)
    mark = tmp_path / "fired"
    killed = worker(store_url, "--lease", "2", "--hold", "60", "--mark", str(mark))
    deadline = time.monotonic() + 60
    while not mark.exists():
        assert time.monotonic() < deadline, "the worker never fired the timer"
        assert killed.poll() is None, "the worker ended before it fired the timer"
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)  # inside the handler: the state and the escalation are not committed
    killed.wait(10)
    assert escalations(store) == Counter()
    assert outbox_kinds(store) == Counter()
    with store.session() as session:
        held = session.scalar(
            select(func.count())
            .select_from(DueWork)
            .where(DueWork.state == "pending", DueWork.claimed_by.is_not(None))
        )
    assert held == 2  # both timers are still pending, leased to the dead worker
    survivor = worker(store_url, "--lease", "2")
    assert survivor.wait(120) == 0
    assert escalations(store) == Counter(
        {("SD-1", "ela.escalated.at_risk"): 1, ("SD-1", "ela.escalated.breached"): 1}
    )
    assert outbox_kinds(store) == Counter({"labels": 2, "comment": 2, "priority": 2, "ela.webhook": 1})


def test_a_reply_while_its_timer_is_firing_is_decided_first_without_a_deadlock(
    postgres_store: Store, make_event: EventFactory
) -> None:
    # PostgreSQL only: SQLite runs one write transaction at a time, so there are no row locks to
    # interleave.
    store = postgres_store
    from connector.store import ela as ela_store
    from connector.store.models import DueWork, TicketRow

    settings = settings_with()
    ela = Ela(store, settings, Clock(T0))
    ela.process(make_event(text=ANGRY, minutes=0))
    with store.session() as session:
        [pk] = due.claim(session, "w1", 1, timedelta(seconds=60), now=T0 + timedelta(hours=3, minutes=1))
    handler = ela.due.handlers["ela.timer"]
    firing = threading.Event()
    errors: list[BaseException] = []

    def fire() -> None:
        # The timer's transaction holds its due-work row, then waits for the ticket's ELA lock.
        try:
            with store.session() as session:
                item = due.take(session, pk, "w1")
                assert item is not None
                firing.set()
                handler(session, item)
                due.mark_done(session, pk)
        except BaseException as exc:
            errors.append(exc)

    with store.session() as session:
        ticket = session.scalars(select(TicketRow)).one()
        ela_store.lock_ticket(session, ticket)  # the reply's evaluation holds the ELA lock ...
        timer = threading.Thread(target=fire)
        timer.start()
        assert firing.wait(10)
        time.sleep(0.3)  # ... while the timer waits for it
        ela.pipeline.process(session, make_event(text="Sorry, on it!", role=AuthorRole.agent, minutes=120))
    timer.join(20)
    assert errors == []
    state = ela.state("reply")
    assert state is not None and state.status == "met"
    assert escalations(store) == Counter()  # the timer found the wait over: no escalation
    with store.session() as session:
        assert Counter(session.scalars(select(DueWork.state))) == Counter({"done": 1, "cancelled": 1})
