"""The write-back flusher: sends queued field values to the platforms, once per ticket per flush.

Retries live here, not in the writers: a write's state is in the database, so a crash, a restart or a
platform outage delays it but never loses it. 429 pauses the whole site for Retry-After; 5xx and timeouts
back off exponentially with jitter; other 4xx fail the write with the platform's message.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from adapters.base import FieldValue, TicketWriter
from adapters.errors import PermanentWriteError, RateLimited, TransientWriteError, WriteError
from connector.settings import WritebackSettings
from connector.store import Store
from connector.store import writebacks as queue
from connector.store.models import utcnow

log = logging.getLogger("ela.writeback")

DEFAULT_RATE_LIMIT_PAUSE = 30.0  # a 429 without Retry-After: Jira's documented advice is to back off


@dataclass
class FlushReport:
    sent: int = 0
    reconciled: int = 0
    retried: int = 0
    failed: int = 0
    lost_lease: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.reconciled + self.retried + self.failed


def backoff_seconds(
    attempt: int, settings: WritebackSettings, rng: Callable[[], float] = random.random
) -> float:
    """Exponential backoff with full jitter: spreads the retries of many tickets after an outage
    instead of sending them back in one wave."""
    ceiling = min(settings.backoff_max_seconds, settings.backoff_initial_seconds * math.pow(2, attempt - 1))
    return max(settings.backoff_initial_seconds / 2, ceiling * rng())


def _same(written: Mapping[str, FieldValue], wanted: Mapping[str, Any]) -> bool:
    for key, value in wanted.items():
        current = written.get(key)
        if isinstance(value, int | float) and isinstance(current, int | float):
            if not math.isclose(float(value), float(current), abs_tol=1e-6):
                return False
        elif current != value:
            return False
    return True


class Flusher:
    def __init__(
        self,
        store: Store,
        settings: WritebackSettings,
        writers: Callable[[str], TicketWriter | None],
        worker_id: str,
    ) -> None:
        self.store = store
        self.settings = settings
        self.writers = writers
        self.worker_id = worker_id

    def flush_once(self, limit: int = 50) -> FlushReport:
        report = FlushReport()
        lease = timedelta(seconds=self.settings.lease_seconds)
        with self.store.session() as session:
            claimed = queue.claim_due(session, self.worker_id, limit, lease)
        for write in claimed:
            self._send(write, report)
        return report

    def _send(self, write: queue.ClaimedWrite, report: FlushReport) -> None:
        context = {"site": write.site, "ticket": write.ticket_key, "attempt": write.attempts}
        writer = self.writers(write.site)
        if writer is None:
            self._settle_failed(write, report, f"site {write.site!r} is not configured any more", context)
            return
        try:
            if write.uncertain:
                # The previous worker died between sending and recording: ask the platform what the
                # fields hold before sending again, so a crash never makes a write land twice.
                current = writer.read_fields(write.ticket_key, list(write.values))
                if _same(current, write.values):
                    with self.store.session() as session:
                        ok = queue.mark_sent(session, write, self.worker_id, reconciled=True)
                    report.reconciled += ok
                    report.lost_lease += not ok
                    log.info("writeback.reconciled", extra={"context": context})
                    return
            writer.write_fields(write.ticket_key, write.values)
        except RateLimited as exc:
            pause = exc.retry_after if exc.retry_after is not None else DEFAULT_RATE_LIMIT_PAUSE
            until = utcnow() + timedelta(seconds=pause)
            with self.store.session() as session:
                queue.pause_site(session, write.site, until, exc.message)
                ok = queue.reschedule(
                    session, write, self.worker_id, due_at=until, error=exc.message, count_attempt=False
                )
            report.retried += ok
            log.warning("writeback.rate_limited", extra={"context": {**context, "retry_after": pause}})
        except TransientWriteError as exc:
            self._retry_or_fail(write, report, exc, context)
        except PermanentWriteError as exc:
            self._settle_failed(write, report, exc.message, context)
        except WriteError as exc:  # a writer's own subclass we do not know: treat as transient
            self._retry_or_fail(write, report, exc, context)
        else:
            with self.store.session() as session:
                ok = queue.mark_sent(session, write, self.worker_id, reconciled=False)
            report.sent += ok
            report.lost_lease += not ok
            log.info("writeback.sent", extra={"context": {**context, "fields": sorted(write.values)}})

    def _retry_or_fail(
        self, write: queue.ClaimedWrite, report: FlushReport, exc: WriteError, context: dict[str, Any]
    ) -> None:
        if write.attempts >= self.settings.max_attempts:
            self._settle_failed(
                write, report, f"gave up after {write.attempts} attempts: {exc.message}", context
            )
            return
        delay = backoff_seconds(write.attempts, self.settings)
        with self.store.session() as session:
            ok = queue.reschedule(
                session,
                write,
                self.worker_id,
                due_at=utcnow() + timedelta(seconds=delay),
                error=exc.message,
                count_attempt=True,
            )
        report.retried += ok
        log.warning(
            "writeback.retry", extra={"context": {**context, "error": exc.message, "delay": round(delay, 2)}}
        )

    def _settle_failed(
        self, write: queue.ClaimedWrite, report: FlushReport, message: str, context: dict[str, Any]
    ) -> None:
        with self.store.session() as session:
            ok = queue.mark_failed(session, write, self.worker_id, message)
        report.failed += ok
        report.errors.append(f"{write.site}/{write.ticket_key}: {message}")
        log.error("writeback.failed", extra={"context": {**context, "error": message}})
