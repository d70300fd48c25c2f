"""The worker: its periodic jobs, registered here in one place. Each job takes work from the database:
stored events through the pipeline, the outbox to the platforms, due work to its handlers.

APScheduler only drives the jobs; every piece of work is a row, so stopping it, crashing it or running
several workers loses nothing.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

from adapters.events import TicketEvent
from connector.due_work import DueReport, DueWorkRunner
from connector.jobs import Job, JobSet
from connector.outbox import Flusher, FlushReport
from connector.pipeline import Outcome
from connector.processor import EventProcessor, ProcessReport
from connector.settings import Settings
from connector.store import workers

log = logging.getLogger("ela.worker")


@dataclass
class PassReport:
    """What one pass of every job did."""

    events: ProcessReport = field(default_factory=ProcessReport)
    outbox: FlushReport = field(default_factory=FlushReport)
    due: DueReport = field(default_factory=DueReport)
    other: dict[str, object] = field(default_factory=dict)

    @property
    def idle(self) -> bool:
        """Nothing was due: every queue is empty or waiting for a later time."""
        return (
            self.events.processed
            + self.events.failed
            + self.outbox.handled
            + self.due.fired
            + self.due.failed
            == 0
        )


class Worker:
    def __init__(
        self, settings: Settings, processor: EventProcessor, flusher: Flusher, due: DueWorkRunner
    ) -> None:
        self.settings = settings
        self.processor = processor
        self.flusher = flusher
        self.due = due
        self.worker_id = processor.worker_id
        self.jobs = JobSet()
        self.jobs.add(Job("events", settings.worker.poll_seconds, processor.process_once))
        self.jobs.add(Job("outbox", settings.writeback.flush_seconds, flusher.flush_once))
        self.jobs.add(Job("due", settings.worker.poll_seconds, due.run_once))
        beat_every = min(10.0, settings.server.worker_stale_seconds / 3)
        self.jobs.add(Job("heartbeat", beat_every, self.beat))

    def beat(self) -> None:
        """Tell readiness and metrics that this worker is alive."""
        with self.processor.store.session() as session:
            workers.beat(session, self.worker_id, socket.gethostname(), os.getpid())

    @property
    def on_outcome(self) -> Callable[[TicketEvent, Outcome], None] | None:
        return self.processor.on_outcome

    @on_outcome.setter
    def on_outcome(self, callback: Callable[[TicketEvent, Outcome], None] | None) -> None:
        self.processor.on_outcome = callback

    def run_once(self) -> PassReport:
        """One pass of every job, in order; what `ela worker --once` and tests run."""
        reports = self.jobs.run_once()
        result = PassReport(other={k: v for k, v in reports.items() if k not in ("events", "outbox", "due")})
        if isinstance(reports.get("events"), ProcessReport):
            result.events = reports["events"]  # type: ignore[assignment]
        if isinstance(reports.get("outbox"), FlushReport):
            result.outbox = reports["outbox"]  # type: ignore[assignment]
        if isinstance(reports.get("due"), DueReport):
            result.due = reports["due"]  # type: ignore[assignment]
        return result

    def drain(self, max_rounds: int = 100) -> None:
        self.processor.drain(max_rounds)

    def start(self) -> None:
        self.beat()  # at once: readiness should not wait for the first interval
        self.jobs.start()
        log.info("worker.started", extra={"context": {"worker": self.worker_id}})

    def stop(self) -> None:
        self.jobs.stop()
        log.info("worker.stopped", extra={"context": {"worker": self.worker_id}})
