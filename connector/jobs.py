"""Periodic jobs, driven by APScheduler. A job only drives work that lives in the database; stopping,
crashing or running several schedulers loses nothing."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger("ela.jobs")


@dataclass(frozen=True)
class Job:
    name: str
    interval: float  # seconds between runs
    run: Callable[[], object]  # one pass; returns a report for `run_once`


class JobSet:
    """The worker's periodic jobs, in the order a single pass runs them."""

    def __init__(self) -> None:
        self.jobs: list[Job] = []
        self._scheduler: BackgroundScheduler | None = None
        self._busy = threading.Lock()

    def add(self, job: Job) -> None:
        if any(j.name == job.name for j in self.jobs):
            raise ValueError(f"a job named {job.name!r} is registered already")
        self.jobs.append(job)

    def run_once(self) -> dict[str, object]:
        """One pass of every job, in order (what `ela worker --once` and tests run)."""
        with self._busy:
            return {job.name: job.run() for job in self.jobs}

    def start(self) -> None:
        scheduler = BackgroundScheduler(timezone="UTC")
        # coalesce + max_instances=1: a slow pass is never run twice at once or replayed in a burst.
        common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
        for job in self.jobs:
            scheduler.add_job(job.run, "interval", seconds=job.interval, id=job.name, **common)
        scheduler.start()
        self._scheduler = scheduler

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None
