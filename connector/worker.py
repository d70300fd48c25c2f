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

from adapters.base import TicketWriter
from adapters.events import TicketEvent
from connector.due_work import DueReport, DueWorkRunner
from connector.jobs import Job, JobSet
from connector.outbox import Flusher, FlushReport
from connector.pipeline import Outcome
from connector.platforms import platform_for
from connector.polling import PollReport, SitePoll
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
    polls: dict[str, PollReport] = field(default_factory=dict)  # by site
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
            + sum(p.stored + p.more for p in self.polls.values())
            == 0
        )


class Worker:
    def __init__(
        self,
        settings: Settings,
        processor: EventProcessor,
        flusher: Flusher,
        due: DueWorkRunner,
        writers: Callable[[str], TicketWriter | None] | None = None,
    ) -> None:
        self.settings = settings
        self.processor = processor
        self.flusher = flusher
        self.due = due
        self.worker_id = processor.worker_id
        self.jobs = JobSet()
        self.jobs.add(Job("events", settings.worker.poll_seconds, processor.process_once))
        self.jobs.add(Job("outbox", settings.writeback.flush_seconds, flusher.flush))
        self.jobs.add(Job("due", settings.worker.poll_seconds, due.run_once))
        beat_every = min(10.0, settings.server.worker_stale_seconds / 3)
        self.jobs.add(Job("heartbeat", beat_every, self.beat))
        # Pull mode: one job per site that polls its platform. The job runs often; the site's cursor row
        # says when its next poll is due, so the interval holds across any number of workers.
        self.polls: dict[str, SitePoll] = {}
        for name, site in settings.sites.items():
            platform = platform_for(site.platform)
            writer = writers(name) if writers is not None else None
            if not site.pull.enabled or platform.poller is None or writer is None:
                continue
            poll = SitePoll(processor.store, name, site, platform.poller(site, writer), self.worker_id)
            self.polls[name] = poll
            every = min(site.pull.interval_seconds, settings.worker.poll_seconds * 5)
            self.jobs.add(Job(f"poll:{name}", every, poll.run_once))

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
        result = PassReport(
            polls={
                k[5:]: v for k, v in reports.items() if k.startswith("poll:") and isinstance(v, PollReport)
            },
            other={
                k: v
                for k, v in reports.items()
                if k not in ("events", "outbox", "due") and not k.startswith("poll:")
            },
        )
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
        self.flusher.close()
        log.info("worker.stopped", extra={"context": {"worker": self.worker_id}})
