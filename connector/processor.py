"""Taking stored events through the pipeline, ticket by ticket, in the order they arrived."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from sqlalchemy.orm import Session

from adapters.events import TicketEvent
from connector.backoff import backoff_seconds
from connector.pipeline import Outcome, Pipeline
from connector.settings import Settings
from connector.store import Store
from connector.store import events as event_store
from connector.store.lanes import lock_order
from connector.store.models import EventRow, utcnow

log = logging.getLogger("ela.worker")

# A transaction of events ends after this long even short of `worker.transaction_events`: on SQLite it
# holds the one write lock, which webhooks arriving meanwhile wait for.
TRANSACTION_SECONDS = 0.1


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class ProcessReport:
    processed: int = 0
    failed: int = 0
    deferred: int = 0


class _TakenOver(Exception):
    """The event was settled by another worker that took over this worker's expired lane."""


class EventProcessor:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        pipeline: Pipeline,
        worker_id: str,
        *,
        on_outcome: Callable[[TicketEvent, Outcome], None] | None = None,
        stopping: threading.Event | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.pipeline = pipeline
        self.worker_id = worker_id
        self.on_outcome = on_outcome
        self.stopping = stopping or threading.Event()

    def process_once(self) -> ProcessReport:
        report = ProcessReport()
        lease = timedelta(seconds=self.settings.worker.lease_seconds)
        with self.store.session() as session:
            claimed = event_store.claim_events(
                session, self.worker_id, self.settings.worker.batch_size, lease
            )
        # Tickets in the lanes' lock order (a transaction holds several: see connector/store/lanes.py),
        # each ticket's events in arrival order.
        by_lane = sorted(claimed, key=lambda e: (lock_order(e.platform, e.site, e.ticket_key), e.id))
        lanes = [list(events) for _, events in groupby(by_lane, key=lambda e: e.lane_id)]
        while lanes:
            finished: list[tuple[TicketEvent, Outcome]] = []
            in_hand = list(lanes)
            try:
                with self.store.session() as session:
                    self._transaction(session, lanes, report, finished)
            except Exception:
                # The transaction is gone (the database restarted, or chose it as a deadlock's victim):
                # nothing of it committed. Let go of every lane still claimed, so that their tickets
                # go on at once rather than when the leases run out.
                self._let_go(in_hand)
                raise
            # Logged and reported once committed: an event is processed when its transaction is.
            for event, outcome in finished:
                self._processed(event, outcome)
        return report

    def _let_go(self, lanes: list[list[event_store.ClaimedEvent]]) -> None:
        try:
            with self.store.session() as session:
                event_store.release_all(session, [events[0].lane_id for events in lanes], self.worker_id)
        except Exception:
            log.warning("worker.release_failed", exc_info=True)

    def _transaction(
        self,
        session: Session,
        lanes: list[list[event_store.ClaimedEvent]],
        report: ProcessReport,
        finished: list[tuple[TicketEvent, Outcome]],
    ) -> None:
        """Whole lanes (tickets) from the front of `lanes`, in one transaction: up to
        `worker.transaction_events` events or TRANSACTION_SECONDS, whichever comes first. Each event
        in a savepoint of its own, so one that fails is rolled back alone and the others commit."""
        started = time.monotonic()
        taken = 0
        done_with: list[int] = []
        holds: dict[int, datetime] = {}  # lanes whose event failed: not due before its retry
        while lanes and taken < self.settings.worker.transaction_events:
            if taken and time.monotonic() - started > TRANSACTION_SECONDS:
                break
            events = lanes.pop(0)
            done_with.append(events[0].lane_id)
            for index, claimed_event in enumerate(events):
                if self.stopping.is_set():
                    # Stopping: let go of the rest at once, for another worker, instead of holding
                    # the leases until they run out.
                    report.deferred += len(events) - index
                    break
                taken += 1
                outcome = self._process(session, claimed_event, finished, holds)
                if outcome == "done":
                    report.processed += 1
                    continue
                if outcome == "failed":
                    report.failed += 1
                # A failure or a lost lane: the ticket's later events wait (their order is kept).
                report.deferred += len(events) - index - 1
                break
        # Every lane let go at once, in the lanes' lock order, as the transaction ends.
        event_store.release_all(session, done_with, self.worker_id, holds)

    def _process(
        self,
        session: Session,
        claimed: event_store.ClaimedEvent,
        finished: list[tuple[TicketEvent, Outcome]],
        holds: dict[int, datetime],
    ) -> str:
        try:
            with session.begin_nested():
                if not event_store.still_held(session, claimed.lane_id, self.worker_id):
                    return "lost"
                row = session.get(EventRow, claimed.id)
                if row is None or row.state != "pending":
                    return "done"
                event = TicketEvent.from_json(row.data)
                outcome = self.pipeline.process(session, event)
                if not event_store.mark_done(session, claimed.id):
                    raise _TakenOver
        except _TakenOver:
            return "lost"
        except Exception as exc:
            log.exception("event.failed", extra={"context": {"event_pk": claimed.id}})
            row = session.get(EventRow, claimed.id)
            attempts = (row.attempts if row else 0) + 1
            retry_at = utcnow() + timedelta(seconds=backoff_seconds(attempts, self.settings.writeback))
            state = event_store.mark_failed_attempt(
                session,
                claimed.id,
                f"{type(exc).__name__}: {exc}",
                max_attempts=self.settings.worker.max_attempts,
            )
            if state == "pending":
                # Held back with the transaction's other lanes as it ends, in their lock order: locked
                # here, mid-transaction, it would be taken out of that order.
                holds[claimed.lane_id] = retry_at
            return "failed"
        finished.append((event, outcome))
        return "done"

    def _processed(self, event: TicketEvent, outcome: Outcome) -> None:
        log.info(
            "event.processed",
            extra={
                "context": {"event": event.event_id, "kind": event.kind.value, "ticket": event.ticket.key}
            },
        )
        if self.on_outcome is not None:
            self.on_outcome(event, outcome)

    def drain(self, max_rounds: int = 100) -> None:
        """Run until no event is due (used by `ela replay` and tests); outbox actions wait their turn."""
        for _ in range(max_rounds):
            report = self.process_once()
            if report.processed + report.failed == 0:
                return
