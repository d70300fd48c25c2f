"""The worker: takes stored events in order per ticket through the pipeline, and flushes write-backs.

APScheduler only drives it (two interval jobs); every piece of work it does is a row in the database,
so stopping it, crashing it or running several of them loses nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from adapters.events import TicketEvent
from connector.pipeline import Outcome, Pipeline
from connector.settings import Settings
from connector.store import Store
from connector.store import events as event_store
from connector.store.models import EventRow, utcnow
from connector.writeback import Flusher, FlushReport, backoff_seconds

log = logging.getLogger("ela.worker")


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class ProcessReport:
    processed: int = 0
    failed: int = 0
    deferred: int = 0


class Worker:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        pipeline: Pipeline,
        flusher: Flusher,
        *,
        on_outcome: Callable[[TicketEvent, Outcome], None] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.pipeline = pipeline
        self.flusher = flusher
        self.worker_id = flusher.worker_id
        self.on_outcome = on_outcome
        self._scheduler: BackgroundScheduler | None = None
        self._busy = threading.Lock()

    def process_once(self) -> ProcessReport:
        report = ProcessReport()
        lease = timedelta(seconds=self.settings.worker.lease_seconds)
        with self.store.session() as session:
            claimed = [
                (row.id, row.site, row.ticket_key)
                for row in event_store.claim_events(
                    session, self.worker_id, self.settings.worker.batch_size, lease
                )
            ]
        stalled: set[tuple[str, str]] = set()
        for event_pk, site, ticket_key in claimed:
            if (site, ticket_key) in stalled:
                self._release(event_pk)  # keep the ticket's order: wait behind the event that failed
                report.deferred += 1
                continue
            if self._process(event_pk):
                report.processed += 1
            else:
                report.failed += 1
                stalled.add((site, ticket_key))
        return report

    def _process(self, event_pk: int) -> bool:
        try:
            with self.store.session() as session:
                row = session.get(EventRow, event_pk)
                if row is None or row.state != "pending" or row.claimed_by != self.worker_id:
                    return True  # our lease ran out and another worker took it over
                event = TicketEvent.from_json(row.data)
                outcome = self.pipeline.process(session, event)
                event_store.mark_done(session, event_pk)
        except Exception as exc:
            log.exception("event.failed", extra={"context": {"event_pk": event_pk}})
            with self.store.session() as session:
                row = session.get(EventRow, event_pk)
                attempts = (row.attempts if row else 0) + 1
                retry_at = utcnow() + timedelta(seconds=backoff_seconds(attempts, self.settings.writeback))
                event_store.mark_failed_attempt(
                    session,
                    event_pk,
                    f"{type(exc).__name__}: {exc}",
                    max_attempts=self.settings.worker.max_attempts,
                    retry_at=retry_at,
                )
            return False
        log.info(
            "event.processed",
            extra={
                "context": {"event": event.event_id, "kind": event.kind.value, "ticket": event.ticket.key}
            },
        )
        if self.on_outcome is not None:
            self.on_outcome(event, outcome)
        return True

    def _release(self, event_pk: int) -> None:
        with self.store.session() as session:
            row = session.get(EventRow, event_pk)
            if row is not None and row.claimed_by == self.worker_id:
                row.claimed_by = None
                row.claimed_until = None

    def run_once(self) -> tuple[ProcessReport, FlushReport]:
        """One pass of both jobs; what the scheduler runs, and what tests call directly."""
        with self._busy:
            processed = self.process_once()
            flushed = self.flusher.flush_once()
        return processed, flushed

    def drain(self, max_rounds: int = 100) -> None:
        """Run until no event is due (used by `ela replay` and tests); write-backs still wait their turn."""
        for _ in range(max_rounds):
            report = self.process_once()
            if report.processed + report.failed == 0:
                return

    def _job_events(self) -> None:
        with self._busy:
            self.process_once()

    def _job_flush(self) -> None:
        self.flusher.flush_once()

    def start(self) -> BackgroundScheduler:
        scheduler = BackgroundScheduler(timezone="UTC")
        # coalesce + max_instances=1: a slow pass is never run twice at once or replayed in a burst.
        common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
        scheduler.add_job(
            self._job_events, "interval", seconds=self.settings.worker.poll_seconds, id="events", **common
        )
        scheduler.add_job(
            self._job_flush, "interval", seconds=self.settings.writeback.flush_seconds, id="flush", **common
        )
        scheduler.start()
        self._scheduler = scheduler
        log.info("worker.started", extra={"context": {"worker": self.worker_id}})
        return scheduler

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None
            log.info("worker.stopped", extra={"context": {"worker": self.worker_id}})


def pending_events(store: Store) -> int:
    with store.session() as session:
        return len(list(session.scalars(select(EventRow.id).where(EventRow.state == "pending"))))
