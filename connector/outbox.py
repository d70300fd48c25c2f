"""The outbox flusher: sends each ticket's queued actions to its platform, in order, each exactly once.

Retries live here, not in the writers: an action's state is in the database, so a crash, a restart or a
platform outage delays it but never loses it. Calls to a site are spaced at its rate (connector.pacing,
`writeback.requests_per_second`), so a busy outbox stays under the platform's limit; a 429 pauses the
whole site for Retry-After and halves its rate, which ramps back up as calls land; 5xx and timeouts
back off exponentially with jitter, and a site failing call after call is paused by its circuit breaker
(connector.circuit) without spending attempts; other 4xx fail the action with the platform's message.
Up to `writeback.concurrency` tickets are sent at the same time (a ticket's own actions stay in order,
one after another): platform calls mostly wait on the network.

Exactly once: every action is marked `sending` (committed) before its call. A worker that dies mid-call
leaves it so, and the next one does not know whether it landed: fields are read back and sent only if
the ticket does not hold them yet; a comment is looked for on the ticket (posted by us, since the first
attempt, not matched to another action) and posted only if absent; labels are idempotent by nature.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from adapters.base import TicketWriter
from adapters.errors import PermanentWriteError, RateLimited, WriteError
from connector.backoff import backoff_seconds
from connector.circuit import Circuit
from connector.pacing import Pacer
from connector.platform_calls import carry_out, describe
from connector.settings import WritebackSettings
from connector.store import Store, sites
from connector.store import outbox as queue
from connector.store.models import utcnow

log = logging.getLogger("ela.outbox")

DEFAULT_RATE_LIMIT_PAUSE = 30.0  # a 429 without Retry-After: back off, as the platforms advise
BATCH = 50  # tickets claimed per pass
DRAIN_SECONDS = 5.0  # `flush` takes passes while a backlog lasts, then lets the other jobs run

Writers = Callable[[str], TicketWriter | None]
# The kinds the ticket's own platform carries out, through the site's writer.
PLATFORM_KINDS = frozenset({"fields", "comment", "labels", "priority", "issue"})


class Sender(Protocol):
    """Carries out one kind of outbox action that is not the platform's (an e-mail, a chat message).

    `send` returns (result, reconciled): `result` is kept on the action (an id); `reconciled` says an
    earlier attempt was found to have landed and nothing was sent now. When `action.uncertain`, an
    earlier attempt may have landed: look before sending again, if the channel allows it. Raise
    WriteError subclasses: RateLimited and TransientWriteError are retried, PermanentWriteError fails.
    """

    def send(self, action: queue.ClaimedAction) -> tuple[str | None, bool]: ...


# What became of one action: it landed (or failed for good) and the ticket's next action may go; or the
# ticket must wait (a retry is scheduled, the site is paused, or this worker lost the ticket's lane);
# or it landed and its lane was let go with it.
Step = Literal["next", "wait", "released"]


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

    def add(self, other: FlushReport) -> None:
        self.sent += other.sent
        self.reconciled += other.reconciled
        self.retried += other.retried
        self.failed += other.failed
        self.lost_lease += other.lost_lease
        self.errors.extend(other.errors)


@dataclass(frozen=True)
class _Attempt:
    """One action's call that failed, with what settling it needs."""

    action: queue.ClaimedAction
    report: FlushReport
    context: dict[str, Any]
    pauses: dict[str, datetime | None]
    platform: bool  # the ticket's platform carries it out (not a room's own channel)


class Flusher:
    def __init__(self, store: Store, settings: WritebackSettings, writers: Writers, worker_id: str) -> None:
        self.store = store
        self.settings = settings
        self.writers = writers
        self.worker_id = worker_id
        self.senders: dict[str, Sender] = {}
        self.stopping = threading.Event()  # set: finish the action in hand, let go of the rest
        self.pacer = Pacer(settings.rate_for)
        self.circuit = Circuit(settings.circuit_failures, settings.circuit_max_seconds)
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def register(self, kind: str, sender: Sender) -> None:
        """The sender of outbox actions of `kind` (a room's own channel: e-mail, outbound webhooks)."""
        if kind in PLATFORM_KINDS:
            raise ValueError(f"{kind!r} actions are the platform's: its writer carries them out")
        self.senders[kind] = sender

    def flush(self) -> FlushReport:
        """Passes while full batches are due (for up to DRAIN_SECONDS): a backlog drains at the
        platform's pace instead of one batch per flush interval. The worker's `outbox` job."""
        report = FlushReport()
        started = time.monotonic()
        while True:
            claimed = self._flush_pass(BATCH, report)
            if claimed < BATCH or self.stopping.is_set() or time.monotonic() - started > DRAIN_SECONDS:
                return report

    def flush_once(self, limit: int = BATCH) -> FlushReport:
        """One pass: up to `limit` tickets with due actions."""
        report = FlushReport()
        self._flush_pass(limit, report)
        return report

    def close(self) -> None:
        """Let the sending threads go (after the worker's jobs stopped)."""
        with self._pool_lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None

    def _flush_pass(self, limit: int, report: FlushReport) -> int:
        lease = timedelta(seconds=self.settings.lease_seconds)
        with self.store.session() as session:
            claimed = queue.claim(session, self.worker_id, limit, lease)
            # Each site's pause, read once per pass (a 429 or an opened circuit during the pass updates
            # it; single assignments, which the sending threads may make at the same time).
            pauses = {site: sites.paused_until(session, site) for site in {lane.site for lane in claimed}}
        if self.settings.concurrency == 1 or len(claimed) < 2:
            for lane in claimed:
                report.add(self._take_lane(lane, pauses))
        else:
            for lane_report in self._threads().map(lambda lane: self._take_lane(lane, pauses), claimed):
                report.add(lane_report)
        return len(claimed)

    def _threads(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.settings.concurrency, thread_name_prefix="ela-outbox")
            return self._pool

    def _take_lane(self, lane: queue.ClaimedLane, pauses: dict[str, datetime | None]) -> FlushReport:
        report = FlushReport()
        if self.stopping.is_set():
            with self.store.session() as session:  # let go at once, for another worker
                queue.release(session, lane.id, self.worker_id)
            return report
        self._flush_lane(lane, report, pauses)
        return report

    def _flush_lane(
        self, lane: queue.ClaimedLane, report: FlushReport, pauses: dict[str, datetime | None]
    ) -> None:
        paused = pauses.get(lane.site)
        if paused is not None and paused > utcnow():
            with self.store.session() as session:
                queue.hold_lane(session, lane.id, self.worker_id, paused)
            return
        writer = self.writers(lane.site)
        for index, action in enumerate(lane.actions):
            if self.stopping.is_set():
                break
            if not action.uncertain and action.due_at > utcnow():
                if action.kind == "fields":
                    continue  # still inside its coalescing window: it does not hold the others back
                break  # a retry's backoff holds back the ticket's later actions, to keep their order
            # The lane's last action lets go of the lane in the transaction that records it sent: one
            # commit fewer per ticket (most tickets have one action waiting).
            last = index == len(lane.actions) - 1
            step = self._send(writer, action, report, pauses, release=last)
            if step == "released":
                return
            if step == "wait":
                break
        with self.store.session() as session:
            queue.release(session, lane.id, self.worker_id)

    def _send(
        self,
        writer: TicketWriter | None,
        claimed: queue.ClaimedAction,
        report: FlushReport,
        pauses: dict[str, datetime | None],
        *,
        release: bool = False,
    ) -> Step:
        context: dict[str, Any] = {"site": claimed.site, "ticket": claimed.ticket_key, "action": claimed.kind}
        platform_action = claimed.kind in PLATFORM_KINDS
        if platform_action and writer is None:
            return self._settle_failed(
                claimed, report, f"site {claimed.site!r} is not configured any more", context
            )
        if not platform_action and claimed.kind not in self.senders:
            return self._settle_failed(claimed, report, f"no sender for {claimed.kind!r} actions", context)
        if writer is not None and platform_action:
            self.pacer.wait(claimed.site)
            if self.stopping.is_set():
                return "wait"  # stopped while waiting for its turn: not started, let go of the lane
            # A 429 or an opened circuit met by another ticket while this one waited for its turn:
            # the site is paused now, and this call would spend the next penalty.
            paused = pauses.get(claimed.site)
            if paused is not None and paused > utcnow():
                with self.store.session() as session:
                    queue.hold_lane(session, claimed.lane_id, self.worker_id, paused)
                return "released"
        with self.store.session() as session:
            action = queue.begin(session, claimed, self.worker_id)
        if action is None:
            report.lost_lease += 1
            return "wait"
        context["attempt"] = action.attempts
        try:
            if writer is not None and platform_action:
                result, reconciled = carry_out(self.store, writer, action)
            else:
                result, reconciled = self.senders[action.kind].send(action)
        except WriteError as exc:
            return self._failed(_Attempt(action, report, context, pauses, platform_action), exc)
        if platform_action:
            self.circuit.landed(action.site)
            self.pacer.landed(action.site)
        with self.store.session() as session:
            ok = queue.mark_sent(session, action, self.worker_id, reconciled=reconciled, result=result)
            if ok and release:
                queue.release(session, action.lane_id, self.worker_id)
        if not ok:
            report.lost_lease += 1
            return "wait"
        if reconciled:
            report.reconciled += 1
            log.info("outbox.reconciled", extra={"context": context})
        else:
            report.sent += 1
            log.info("outbox.sent", extra={"context": {**context, "what": describe(action)}})
        return "released" if release else "next"

    def _failed(self, attempt: _Attempt, exc: WriteError) -> Step:
        action, site = attempt.action, attempt.action.site
        if isinstance(exc, RateLimited):
            return self._rate_limited(attempt, exc)
        if isinstance(exc, PermanentWriteError):
            if attempt.platform:
                self.circuit.landed(site)  # refused, but answered: the site is up
            return self._settle_failed(action, attempt.report, exc.message, attempt.context)
        # TransientWriteError, or a writer's own subclass: try again later
        if attempt.platform:
            opened = self.circuit.failed(site)
            if opened is not None:
                return self._wait_for_site(attempt, exc, opened)
        return self._retry_or_fail(action, attempt.report, exc, attempt.context)

    def _rate_limited(self, attempt: _Attempt, exc: RateLimited) -> Step:
        action = attempt.action
        pause = exc.retry_after if exc.retry_after is not None else DEFAULT_RATE_LIMIT_PAUSE
        until = utcnow() + timedelta(seconds=pause)
        context = attempt.context
        if attempt.platform:
            self.circuit.landed(action.site)  # the site answered: it is up, only busy
            context["rate"] = round(self.pacer.slow_down(action.site), 2)
        # The platform limits the whole site, not one ticket.
        self._hold(attempt, until, exc.message, pause_reason=exc.message if attempt.platform else None)
        log.warning("outbox.rate_limited", extra={"context": {**context, "retry_after": pause}})
        return "wait"

    def _wait_for_site(self, attempt: _Attempt, exc: WriteError, seconds: float) -> Step:
        """The site's circuit is open: pause the site, and the action waits for it without spending
        an attempt (an outage longer than the retry budget fails nothing)."""
        until = utcnow() + timedelta(seconds=seconds)
        self._hold(attempt, until, exc.message, pause_reason=f"circuit open: {exc.message}")
        log.warning(
            "outbox.circuit_open",
            extra={"context": {**attempt.context, "error": exc.message, "pause": round(seconds, 2)}},
        )
        return "wait"

    def _hold(self, attempt: _Attempt, until: datetime, error: str, *, pause_reason: str | None) -> None:
        """The action waits until `until` without spending an attempt; with `pause_reason`, its whole
        site is paused until then too (for every worker process, and for the rest of this pass)."""
        action = attempt.action
        with self.store.session() as session:
            if pause_reason is not None:
                sites.pause_site(session, action.site, until, pause_reason)
                attempt.pauses[action.site] = until
            ok = queue.reschedule(
                session, action, self.worker_id, due_at=until, error=error, count_attempt=False
            )
        attempt.report.retried += ok

    def _retry_or_fail(
        self, action: queue.ClaimedAction, report: FlushReport, exc: WriteError, context: dict[str, Any]
    ) -> Step:
        if action.attempts >= self.settings.max_attempts:
            message = f"gave up after {action.attempts} attempts: {exc.message}"
            self._settle_failed(action, report, message, context)
            return "wait"
        delay = backoff_seconds(action.attempts, self.settings)
        with self.store.session() as session:
            ok = queue.reschedule(
                session,
                action,
                self.worker_id,
                due_at=utcnow() + timedelta(seconds=delay),
                error=exc.message,
                count_attempt=True,
            )
        report.retried += ok
        log.warning(
            "outbox.retry", extra={"context": {**context, "error": exc.message, "delay": round(delay, 2)}}
        )
        return "wait"

    def _settle_failed(
        self, action: queue.ClaimedAction, report: FlushReport, message: str, context: dict[str, Any]
    ) -> Step:
        with self.store.session() as session:
            ok = queue.mark_failed(session, action, self.worker_id, message)
        report.failed += ok
        report.errors.append(f"{action.site}/{action.ticket_key}: {message}")
        log.error("outbox.failed", extra={"context": {**context, "error": message}})
        return "next"
