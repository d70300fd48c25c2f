"""Taking stored events through the pipeline, ticket by ticket, in the order they arrived."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from itertools import groupby

from adapters.events import TicketEvent
from connector.backoff import backoff_seconds
from connector.pipeline import Outcome, Pipeline
from connector.settings import Settings
from connector.store import Store
from connector.store import events as event_store
from connector.store.models import EventRow, utcnow

log = logging.getLogger("ela.worker")


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
        by_lane = sorted(claimed, key=lambda e: (e.lane_id, e.id))
        for lane_id, lane_events in groupby(by_lane, key=lambda e: e.lane_id):
            events = list(lane_events)
            for index, claimed_event in enumerate(events):
                if self.stopping.is_set():
                    # Stopping: let go of the rest at once, for another worker, instead of holding
                    # the leases until they run out.
                    report.deferred += len(events) - index
                    break
                outcome = self._process(claimed_event)
                if outcome == "done":
                    report.processed += 1
                    continue
                if outcome == "failed":
                    report.failed += 1
                # A failure or a lost lane: the ticket's later events wait (their order is kept).
                report.deferred += len(events) - index - 1
                break
            with self.store.session() as session:
                event_store.release(session, lane_id, self.worker_id)
        return report

    def _process(self, claimed: event_store.ClaimedEvent) -> str:
        try:
            with self.store.session() as session:
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
            with self.store.session() as session:
                row = session.get(EventRow, claimed.id)
                attempts = (row.attempts if row else 0) + 1
                retry_at = utcnow() + timedelta(seconds=backoff_seconds(attempts, self.settings.writeback))
                event_store.mark_failed_attempt(
                    session,
                    claimed.id,
                    f"{type(exc).__name__}: {exc}",
                    max_attempts=self.settings.worker.max_attempts,
                    retry_at=retry_at,
                )
            return "failed"
        log.info(
            "event.processed",
            extra={
                "context": {"event": event.event_id, "kind": event.kind.value, "ticket": event.ticket.key}
            },
        )
        if self.on_outcome is not None:
            self.on_outcome(event, outcome)
        return "done"

    def drain(self, max_rounds: int = 100) -> None:
        """Run until no event is due (used by `ela replay` and tests); outbox actions wait their turn."""
        for _ in range(max_rounds):
            report = self.process_once()
            if report.processed + report.failed == 0:
                return
