"""Firing due work: each claimed row's handler runs in the transaction that marks the row done.

A room (surveys, ELA timers, pollers) registers a handler per kind it schedules. A handler does its
work through the store only (its session): anything for a platform goes into the outbox, which sends it
exactly once. So a row's effects and its "done" commit together; a worker killed halfway commits
neither, and the row fires again once its lease runs out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from connector.backoff import backoff_seconds
from connector.settings import Settings
from connector.store import Store, due
from connector.store.models import utcnow

log = logging.getLogger("ela.due")

Handler = Callable[[Session, due.DueItem], None]


@dataclass
class DueReport:
    fired: int = 0
    failed: int = 0  # attempts that raised (retried later, or parked after the limit)
    lost: int = 0  # rows whose lease another worker took over, or that were moved or cancelled meanwhile


class DueWorkRunner:
    def __init__(
        self, store: Store, settings: Settings, worker_id: str, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.store = store
        self.settings = settings
        self.worker_id = worker_id
        self.handlers: dict[str, Handler] = {}
        self.stopping = threading.Event()  # set: fire no more; the rest is let go for another worker
        # What time it is for due work: tests set it, to fire a timer at 09:59 and then at 10:00.
        self.clock = clock

    def register(self, kind: str, handler: Handler) -> None:
        """The handler for due work of `kind` (one per kind; registering again replaces it)."""
        self.handlers[kind] = handler

    def run_once(self, limit: int | None = None) -> DueReport:
        report = DueReport()
        worker = self.settings.worker
        lease = timedelta(seconds=worker.lease_seconds)
        with self.store.session() as session:
            claimed = due.claim(session, self.worker_id, limit or worker.batch_size, lease, now=self.clock())
        for index, pk in enumerate(claimed):
            if self.stopping.is_set():
                with self.store.session() as session:
                    due.release(session, claimed[index:], self.worker_id)
                break
            self._fire(pk, report)
        return report

    def _fire(self, pk: int, report: DueReport) -> None:
        kind = "?"
        try:
            with self.store.session() as session:
                item = due.take(session, pk, self.worker_id)
                if item is None:
                    report.lost += 1
                    return
                kind = item.kind
                handler = self.handlers.get(item.kind)
                if handler is None:
                    raise LookupError(f"no handler for due work of kind {item.kind!r}")
                handler(session, item)
                due.mark_done(session, pk)
        except Exception as exc:
            log.exception("due.failed", extra={"context": {"due": pk, "kind": kind}})
            with self.store.session() as session:
                row_attempts = due.attempts_of(session, pk)
                retry_at = utcnow() + timedelta(
                    seconds=backoff_seconds(row_attempts + 1, self.settings.writeback)
                )
                due.mark_failed_attempt(
                    session,
                    pk,
                    self.worker_id,
                    f"{type(exc).__name__}: {exc}",
                    max_attempts=self.settings.worker.max_attempts,
                    retry_at=retry_at,
                )
            report.failed += 1
            return
        report.fired += 1
        log.info("due.fired", extra={"context": {"due": pk, "kind": kind}})
