"""Stored events through the pipeline, several tickets to a transaction, each event alone in its failure."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from adapters.events import TicketEvent
from connector import processor
from connector.pipeline import EventContext, Pipeline
from connector.processor import EventProcessor
from connector.settings import Settings, parse_settings
from connector.store import Store
from connector.store.group_commit import Piece, commit_together
from connector.store.models import EventRow, Lane, MoodEntry, TicketRow, utcnow
from sentiment.engines import get_engine
from tests.connector.deliveries import delivered

CONFIG = """
worker: {{transaction_events: {batch}}}
sites:
  jira-prod:
    platform: jira
    url: https://example.atlassian.net
    auth: {{email: bot@example.com, api_token: token-1234567890}}
    webhook: {{secret: s3cret-s3cret-s3cret}}
    fields: {{mood: Customer mood}}
"""


class FailsOn:
    """A room's step that fails on one ticket (after the mood step has written its timeline entry)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, context: EventContext) -> None:
        if context.event.ticket.key == self.key:
            raise RuntimeError(f"this room cannot take {self.key}")


def settings_for(batch: int) -> Settings:
    return parse_settings(CONFIG.format(batch=batch), env={})


def delivery_of(e: TicketEvent) -> Callable[[Session], Any]:
    """Storing `e` as the intake does, as one piece of a group commit."""
    return lambda session: delivered(session, e)


def stored(store: Store, events: list[TicketEvent]) -> None:
    for e in events:
        with store.session() as session:
            delivery_of(e)(session)


@pytest.fixture
def commits(store: Store) -> Iterator[list[int]]:
    seen: list[int] = []
    listener = lambda _conn: seen.append(1)  # noqa: E731
    event.listen(store.engine, "commit", listener)
    yield seen
    event.remove(store.engine, "commit", listener)


def test_a_failing_event_rolls_back_alone_and_the_others_commit(store: Store, make_event) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(20)
    keys = [f"SD-{n}" for n in range(1, 6)]
    stored(store, [make_event(key=key, text="Still broken, nobody answers. Unacceptable!") for key in keys])
    pipeline = Pipeline(settings, get_engine("textblob"), surveys=FailsOn("SD-3"))
    report = EventProcessor(settings, store, pipeline, "w1").process_once()
    assert (report.processed, report.failed) == (4, 1)
    with store.session() as session:
        states = dict(session.execute(select(EventRow.ticket_key, EventRow.state)).all())
        failed = session.scalars(select(EventRow).where(EventRow.ticket_key == "SD-3")).one()
        scored = sorted(session.scalars(select(TicketRow.key).join(MoodEntry)).all())
        held = session.scalars(select(Lane.ticket_key).where(Lane.claimed_by.is_not(None))).all()
    assert states == {"SD-1": "done", "SD-2": "done", "SD-3": "pending", "SD-4": "done", "SD-5": "done"}
    assert failed.attempts == 1 and "this room cannot take SD-3" in (failed.last_error or "")
    # The failing event's mood entry, written before its room failed, went with it; the others stayed.
    assert scored == ["SD-1", "SD-2", "SD-4", "SD-5"]
    assert held == []  # every ticket's lane let go, the failed one's included


def test_several_tickets_share_a_transaction(
    store: Store, make_event, commits: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # Transactions end by their count of events here, however slowly this machine scores comments.
    monkeypatch.setattr(processor, "TRANSACTION_SECONDS", 60.0)

    def commits_to_process(batch: int) -> int:
        stored(store, [make_event(key=f"SD-{n}", text="Thanks, that works now.") for n in range(1, 7)])
        settings = settings_for(batch)
        processor = EventProcessor(settings, store, Pipeline(settings, get_engine("textblob")), "w1")
        commits.clear()
        assert processor.process_once().processed == 6
        return len(commits)

    one_by_one = commits_to_process(1)
    # Six tickets, three to a transaction: two transactions where there were six.
    assert commits_to_process(3) == one_by_one - 4


def test_a_tickets_later_events_wait_behind_its_failed_one(store: Store, make_event) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(20)
    stored(
        store,
        [
            make_event(key="SD-3", text="first"),
            make_event(key="SD-3", text="second"),
            make_event(key="SD-4", text="other ticket"),
        ],
    )
    pipeline = Pipeline(settings, get_engine("textblob"), surveys=FailsOn("SD-3"))
    report = EventProcessor(settings, store, pipeline, "w1").process_once()
    assert (report.processed, report.failed, report.deferred) == (1, 1, 1)
    with store.session() as session:
        rows = session.execute(
            select(EventRow.ticket_key, EventRow.state, EventRow.attempts).order_by(EventRow.id)
        )
        assert [tuple(r) for r in rows] == [
            ("SD-3", "pending", 1),
            ("SD-3", "pending", 0),
            ("SD-4", "done", 0),
        ]


class OnTickets:
    """A room's step that fails on one ticket and runs `action` when the worker reaches another."""

    def __init__(self, *, fails: str, action_on: str, action: Callable[[], None]) -> None:
        self.fails, self.action_on, self.action = fails, action_on, action

    def __call__(self, context: EventContext) -> None:
        key = context.event.ticket.key
        if key == self.action_on:
            self.action()
        if key == self.fails:
            raise RuntimeError(f"this room cannot take {key}")


def _waits_for_a_lock(store: Store, thread: threading.Thread) -> None:
    """Until `thread`'s transaction waits for a row lock (or is done)."""
    deadline = time.monotonic() + 20
    with store.engine.connect() as conn:
        waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        while conn.execute(text(waiting)).scalar_one() == 0 and thread.is_alive():
            assert time.monotonic() < deadline, "the other transaction never reached a lock"
            time.sleep(0.02)


def test_a_group_commit_during_a_workers_transaction_with_a_failed_event_does_not_deadlock(
    postgres_store: Store, make_event, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The worker's transaction takes its tickets' lanes as it ends, all in one lock order; a failed
    event's lane must be held back then too, not locked when it fails (out of that order). Here SD-3
    fails, then, while the worker is on SD-4, deliveries for SD-2 and SD-3 are stored: the group commit
    takes SD-2's lane, then SD-3's. Had the worker locked SD-3's when it failed, the two would wait for
    each other (PostgreSQL aborts one: a webhook answered 503, or the worker's lanes stuck for their
    lease)."""
    store = postgres_store
    settings = settings_for(20)
    # The three tickets in one transaction, however slowly this machine scores the first comment.
    monkeypatch.setattr(processor, "TRANSACTION_SECONDS", 60.0)
    stored(store, [make_event(key=f"SD-{n}", text="Still broken.") for n in (2, 3, 4)])
    later = [make_event(key=f"SD-{n}", text="Any update?") for n in (2, 3)]
    batch: list[Piece] = [(("jira", "jira-prod", e.ticket.key), delivery_of(e), Future()) for e in later]
    intake = threading.Thread(target=commit_together, args=(store, batch))

    def deliveries_arrive() -> None:
        intake.start()
        _waits_for_a_lock(store, intake)

    step = OnTickets(fails="SD-3", action_on="SD-4", action=deliveries_arrive)
    pipeline = Pipeline(settings, get_engine("textblob"), surveys=step)
    report = EventProcessor(settings, store, pipeline, "w1").process_once()
    intake.join(30)
    assert not intake.is_alive()
    assert [future.exception(0) for _, _, future in batch] == [None, None]
    assert (report.processed, report.failed) == (2, 1)
    with store.session() as session:
        lane = session.scalars(select(Lane).where(Lane.ticket_key == "SD-3")).one()
        failed = session.scalars(select(EventRow).where(EventRow.ticket_key == "SD-3")).first()
    assert failed is not None and (failed.state, failed.attempts) == ("pending", 1)
    # Its ticket waits for the retry (its later event behind it), and is let go.
    assert lane.claimed_by is None and lane.state == "ready" and lane.due_at > utcnow()


def test_group_commits_take_their_tickets_lanes_in_one_order(postgres_store: Store, make_event) -> None:  # type: ignore[no-untyped-def]
    """Two web processes storing deliveries for the same two tickets, arrived in opposite orders, in
    transactions at the same time: each takes the lanes by ticket, so one waits for the other. (In
    arrival order each would take one lane and wait for the other's: a deadlock.)"""
    store = postgres_store
    stored(store, [make_event(key="SD-1", text="first"), make_event(key="SD-2", text="first")])
    first_done = [threading.Event(), threading.Event()]

    def piece(e: TicketEvent, mine: int) -> Piece:
        def job(session: Session) -> Any:
            result = delivery_of(e)(session)
            if not first_done[mine].is_set():
                # Each waits for the other to have stored its first piece too (a few seconds at
                # most: in one order, the other is waiting for this transaction's lock meanwhile).
                first_done[mine].set()
                first_done[1 - mine].wait(3)
            return result

        return (("jira", "jira-prod", e.ticket.key), job, Future())

    batches: list[list[Piece]] = [
        [piece(make_event(key=k, text="again"), mine) for k in keys]
        for mine, keys in enumerate((("SD-2", "SD-1"), ("SD-1", "SD-2")))
    ]
    threads = [threading.Thread(target=commit_together, args=(store, b)) for b in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [f.exception(0) for b in batches for _, _, f in b] == [None] * 4
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(EventRow)) == 6


class LosesItsConnection:
    """A room's step during which the database server ends the worker's session (a restart, an admin's
    pg_terminate_backend, a deadlock's victim): the whole transaction is gone, not one event."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.done = False

    def __call__(self, context: EventContext) -> None:
        if not self.done:
            self.done = True
            pid = context.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with self.store.engine.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def test_a_lost_transaction_lets_go_of_its_lanes_at_once(postgres_store: Store, make_event) -> None:  # type: ignore[no-untyped-def]
    """Nothing of the transaction committed, so its tickets must go on at once, for this worker or
    another, rather than when their leases (worker.lease_seconds, 120 s) run out."""
    store = postgres_store
    settings = settings_for(20)
    stored(store, [make_event(key="SD-1", text="first"), make_event(key="SD-2", text="second")])
    pipeline = Pipeline(settings, get_engine("textblob"), surveys=LosesItsConnection(store))
    with pytest.raises(SQLAlchemyError):
        EventProcessor(settings, store, pipeline, "w1").process_once()
    report = EventProcessor(settings, store, pipeline, "w2").process_once()
    assert report.processed == 2


def test_a_claim_cut_short_by_its_limit_holds_no_ticket_it_hands_out_nothing_for(
    store: Store, make_event
) -> None:  # type: ignore[no-untyped-def]
    """Three tickets' lanes claimed with room for four events, two per ticket by quota: SD-3's two come
    last and fall past the limit. Its lane must be due again at once, not held until its lease
    (worker.lease_seconds, 120 s) runs out with no one working on it."""
    settings = parse_settings(
        CONFIG.format(batch=20).replace("worker: {", "worker: {batch_size: 4, "), env={}
    )
    stored(store, [make_event(key=f"SD-{n}", text="Still broken.") for n in (1, 1, 2, 2, 3, 3)])
    pipeline = Pipeline(settings, get_engine("textblob"))
    assert EventProcessor(settings, store, pipeline, "w1").process_once().processed == 4
    assert EventProcessor(settings, store, pipeline, "w2").process_once().processed == 2
