"""The outbox flusher: sends each ticket's queued actions to its platform, in order, each exactly once.

Retries live here, not in the writers: an action's state is in the database, so a crash, a restart or a
platform outage delays it but never loses it. Calls to a site are spaced at its rate (connector.pacing,
`writeback.requests_per_second`), so a busy outbox stays under the platform's limit; a 429 still pauses
the whole site for Retry-After; 5xx and timeouts back off exponentially with jitter; other 4xx fail the
action with the platform's message.

Exactly once: every action is marked `sending` (committed) before its call. A worker that dies mid-call
leaves it so, and the next one does not know whether it landed: fields are read back and sent only if
the ticket does not hold them yet; a comment is looked for on the ticket (posted by us, since the first
attempt, not matched to another action) and posted only if absent; labels are idempotent by nature.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from adapters.base import FieldValue, TicketWriter
from adapters.errors import PermanentWriteError, RateLimited, WriteError
from connector.backoff import backoff_seconds
from connector.pacing import Pacer
from connector.settings import WritebackSettings
from connector.store import Store, sites
from connector.store import outbox as queue
from connector.store.models import utcnow

log = logging.getLogger("ela.outbox")

DEFAULT_RATE_LIMIT_PAUSE = 30.0  # a 429 without Retry-After: back off, as the platforms advise

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


def same_values(written: Mapping[str, FieldValue], wanted: Mapping[str, Any]) -> bool:
    for key, value in wanted.items():
        current = written.get(key)
        if isinstance(value, int | float) and isinstance(current, int | float):
            if not math.isclose(float(value), float(current), abs_tol=1e-6):
                return False
        elif isinstance(value, list | tuple) and isinstance(current, list | tuple):
            if sorted(map(str, value)) != sorted(map(str, current)):
                return False
        elif current != value:
            return False
    return True


class Flusher:
    def __init__(self, store: Store, settings: WritebackSettings, writers: Writers, worker_id: str) -> None:
        self.store = store
        self.settings = settings
        self.writers = writers
        self.worker_id = worker_id
        self.senders: dict[str, Sender] = {}
        self.stopping = threading.Event()  # set: finish the action in hand, let go of the rest
        self.pacer = Pacer(settings.rate_for)

    def register(self, kind: str, sender: Sender) -> None:
        """The sender of outbox actions of `kind` (a room's own channel: e-mail, outbound webhooks)."""
        if kind in PLATFORM_KINDS:
            raise ValueError(f"{kind!r} actions are the platform's: its writer carries them out")
        self.senders[kind] = sender

    def flush_once(self, limit: int = 50) -> FlushReport:
        """One pass: up to `limit` tickets with due actions."""
        report = FlushReport()
        lease = timedelta(seconds=self.settings.lease_seconds)
        with self.store.session() as session:
            claimed = queue.claim(session, self.worker_id, limit, lease)
            # Each site's pause, read once per pass (a 429 met during the pass updates it).
            pauses = {site: sites.paused_until(session, site) for site in {lane.site for lane in claimed}}
        for index, lane in enumerate(claimed):
            if self.stopping.is_set():
                with self.store.session() as session:  # let go at once, for another worker
                    for rest in claimed[index:]:
                        queue.release(session, rest.id, self.worker_id)
                break
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
        with self.store.session() as session:
            action = queue.begin(session, claimed, self.worker_id)
        if action is None:
            report.lost_lease += 1
            return "wait"
        context["attempt"] = action.attempts
        try:
            if writer is not None and platform_action:
                self.pacer.wait(action.site)
                result, reconciled = self._call(writer, action)
            else:
                result, reconciled = self.senders[action.kind].send(action)
        except RateLimited as exc:
            pause = exc.retry_after if exc.retry_after is not None else DEFAULT_RATE_LIMIT_PAUSE
            until = utcnow() + timedelta(seconds=pause)
            with self.store.session() as session:
                if platform_action:  # the platform limits the whole site, not one ticket
                    sites.pause_site(session, action.site, until, exc.message)
                    pauses[action.site] = until
                ok = queue.reschedule(
                    session, action, self.worker_id, due_at=until, error=exc.message, count_attempt=False
                )
            report.retried += ok
            log.warning("outbox.rate_limited", extra={"context": {**context, "retry_after": pause}})
            return "wait"
        except PermanentWriteError as exc:
            return self._settle_failed(action, report, exc.message, context)
        except WriteError as exc:  # TransientWriteError, or a writer's own subclass: try again later
            return self._retry_or_fail(action, report, exc, context)
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
            log.info("outbox.sent", extra={"context": {**context, "what": _what(action)}})
        return "released" if release else "next"

    def _call(self, writer: TicketWriter, action: queue.ClaimedAction) -> tuple[str | None, bool]:
        """Send the action (or find that an earlier attempt landed): (result, reconciled)."""
        key = action.ticket_key
        if action.kind == "fields":
            values = action.values
            if action.uncertain and same_values(writer.read_fields(key, list(values)), values):
                return None, True
            writer.write_fields(key, values)
            return None, False
        if action.kind == "comment":
            text, public = str(action.payload["text"]), bool(action.payload["public"])
            if action.uncertain and action.first_sent_at is not None:
                with self.store.session() as session:
                    taken = queue.posted_comment_ids(session, action.platform, action.site, key)
                found = writer.find_comment(key, text, since=action.first_sent_at, exclude=taken)
                if found is not None:
                    return found, True
            return writer.add_comment(key, text, public=public), False
        if action.kind == "labels":
            writer.change_labels(
                key, add=action.payload.get("add", ()), remove=action.payload.get("remove", ())
            )
            return None, False
        if action.kind == "priority":
            writer.set_priority(key, str(action.payload["priority"]))
            return None, False
        if action.kind == "issue":
            # A new ticket (a follow-up): found again by its marker label after an unknown outcome.
            payload = action.payload
            marker = str(payload["marker"])
            if action.uncertain:
                found = writer.find_issue(marker)
                if found is not None:
                    return found, True
            created = writer.create_issue(
                str(payload["project"]),
                str(payload["issue_type"]),
                str(payload["summary"]),
                str(payload["description"]),
                labels=[marker, *payload.get("labels", [])],
            )
            return created, False
        raise PermanentWriteError(f"unknown outbox action kind {action.kind!r}")

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


def _what(action: queue.ClaimedAction) -> Any:
    if action.kind == "fields":
        return sorted(action.values)
    if action.kind == "comment":
        return "public comment" if action.payload.get("public") else "internal comment"
    if action.kind == "labels":
        return {"add": action.payload.get("add", []), "remove": action.payload.get("remove", [])}
    if action.kind == "priority":
        return {"priority": action.payload.get("priority")}
    if action.kind == "issue":
        return {"project": action.payload.get("project")}
    return action.kind
