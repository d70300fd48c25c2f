"""Deliveries and the events they carry: stored once, taken by ticket through lanes, marked done or
failed."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select, update
from sqlalchemy.orm import Session

from adapters.events import TicketEvent
from connector.store import lanes
from connector.store.models import Delivery, EventRow, Lane, utcnow
from connector.store.upsert import insert_ignore


@dataclass(frozen=True)
class StoredDelivery:
    delivery_id: int | None  # None: this delivery was stored before (a retry); nothing new was written
    events_stored: int
    conflict: bool = False  # the key was stored before with another body: this one went under its own key

    @property
    def duplicate(self) -> bool:
        return self.delivery_id is None


def store_delivery(
    session: Session,
    *,
    platform: str,
    site: str,
    delivery_key: str,
    webhook_event: str,
    body: bytes,
    events: tuple[TicketEvent, ...],
    retry_count: int = 0,
) -> StoredDelivery:
    stored = _store(session, platform, site, delivery_key, webhook_event, body, events, retry_count)
    if not stored.duplicate or _same_body(session, platform, site, delivery_key, body):
        return stored
    # The same delivery id with another body is not a retry: keep it, under a key of its own.
    own_key = f"{delivery_key[:100]}:conflict-{hashlib.sha256(body).hexdigest()[:16]}"
    again = _store(session, platform, site, own_key, webhook_event, body, events, retry_count)
    return StoredDelivery(again.delivery_id, again.events_stored, conflict=True)


def _same_body(session: Session, platform: str, site: str, delivery_key: str, body: bytes) -> bool:
    kept = session.scalar(
        select(Delivery.body).where(
            Delivery.platform == platform, Delivery.site == site, Delivery.delivery_key == delivery_key
        )
    )
    return kept is None or bytes(kept) == body


def _store(  # noqa: PLR0917 (one delivery's columns, in one private helper)
    session: Session,
    platform: str,
    site: str,
    delivery_key: str,
    webhook_event: str,
    body: bytes,
    events: tuple[TicketEvent, ...],
    retry_count: int,
) -> StoredDelivery:
    delivery_id = insert_ignore(
        session,
        Delivery.__table__,  # type: ignore[arg-type]
        {
            "platform": platform,
            "site": site,
            "delivery_key": delivery_key,
            "webhook_event": webhook_event,
            "body": body,
            "retry_count": retry_count,
            "received_at": utcnow(),
        },
    )
    if delivery_id is None:
        return StoredDelivery(None, 0)
    stored = 0
    now = utcnow()
    woken: set[tuple[str, str, str]] = set()
    for event in events:
        new_id = insert_ignore(
            session,
            EventRow.__table__,  # type: ignore[arg-type]
            {
                "delivery_id": delivery_id,
                "platform": event.platform,
                "site": event.site,
                "event_id": event.event_id,
                "kind": event.kind.value,
                "ticket_key": event.ticket.key,
                "occurred_at": event.occurred_at,
                "received_at": now,
                "data": event.to_json(),
                "state": "pending",
                "attempts": 0,
            },
        )
        if new_id is None:
            continue
        stored += 1
        woken.add(lanes.lock_order(event.platform, event.site, event.ticket.key))
    # After the inserts, and in the lanes' lock order (a poll's page holds many tickets).
    for platform_name, site_name, ticket_key in sorted(woken):
        lanes.wake(
            session, lanes.EVENTS, platform=platform_name, site=site_name, ticket_key=ticket_key, due_at=now
        )
    return StoredDelivery(delivery_id, stored)


def known_event_ids(session: Session, platform: str, site: str, event_ids: list[str]) -> set[str]:
    """Which of these event ids the store holds already (a poll's overlap finds earlier changes again)."""
    found: set[str] = set()
    for start in range(0, len(event_ids), 500):
        chunk = event_ids[start : start + 500]
        found.update(
            session.scalars(
                select(EventRow.event_id).where(
                    EventRow.platform == platform, EventRow.site == site, EventRow.event_id.in_(chunk)
                )
            )
        )
    return found


@dataclass(frozen=True)
class ClaimedEvent:
    """An event taken with its ticket's lane: process it, then `mark_done` or `mark_failed_attempt`."""

    id: int
    lane_id: int
    platform: str
    site: str
    ticket_key: str
    event_id: str
    kind: str
    claimed_by: str


def claim_events(session: Session, worker: str, limit: int, lease: timedelta) -> list[ClaimedEvent]:
    """Lease the lanes of up to `limit` tickets with due events, and return their pending events (at most
    `limit`, in arrival order within each ticket). A lease that runs out (crashed worker) makes the lane
    due again. A ticket's events are handed out in arrival order: while its lane is held, or waits for a
    failed event's retry, no other worker gets any of them."""
    claimed = lanes.claim(session, lanes.EVENTS, worker, limit, lease)
    if not claimed:
        return []
    quota = max(1, math.ceil(limit / len(claimed)))
    taken = lanes.heads(session, EventRow, claimed, quota, open_states=("pending",))
    ids = sorted(pk for pks in taken.values() for pk in pks)[:limit]
    details = {
        pk: (event_id, kind)
        for pk, event_id, kind in session.execute(
            select(EventRow.id, EventRow.event_id, EventRow.kind).where(EventRow.id.in_(ids))
        )
    }
    by_id = {lane.id: lane for lane in claimed}
    found = [
        ClaimedEvent(pk, lane_id, lane.platform, lane.site, lane.ticket_key, *details[pk], worker)
        for lane_id, pks in taken.items()
        for pk in pks
        if pk in details
        for lane in (by_id[lane_id],)
    ]
    handed_out = {e.lane_id for e in found}
    for lane_id, pks in taken.items():
        if not pks:
            # Woken for events another worker has since processed: nothing left, let go at once.
            lanes.settle(session, lane_id, worker, lambda _lane: None)
        elif lane_id not in handed_out:
            # Its events fell past `limit` (the quota is rounded up): due again at once, for the next
            # claim, rather than held with nothing to do until the lease runs out.
            lanes.settle(session, lane_id, worker, _due_now)
    found.sort(key=lambda e: e.id)
    return found


def _due_now(_lane: Lane) -> datetime:
    return utcnow()


def still_held(session: Session, lane_id: int, worker: str) -> bool:
    """Whether `worker` still holds the lane (its lease has not been taken over)."""
    return session.scalar(select(Lane.claimed_by).where(Lane.id == lane_id)) == worker


def mark_done(session: Session, event_pk: int) -> bool:
    """Settle a processed event. False when it was not pending any more: another worker that took over
    an expired lease processed it first, and this transaction must not commit a second effect."""
    result = session.execute(
        update(EventRow)
        .where(EventRow.id == event_pk, EventRow.state == "pending")
        .values(state="done", processed_at=utcnow(), last_error=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def mark_failed_attempt(session: Session, event_pk: int, error: str, *, max_attempts: int) -> str:
    """Record a failed attempt: "pending" while it will be tried again, "failed" once parked (kept,
    visible) after `max_attempts`. The caller holds the ticket's lane back until the retry, with its
    other lanes and in their lock order (`release_all`'s `hold`), so the ticket's later events wait
    behind this one."""
    row = session.get(EventRow, event_pk)
    if row is None:
        return "missing"
    row.attempts += 1
    row.last_error = error[:4000]
    if row.attempts >= max_attempts:
        row.state = "failed"
        row.processed_at = utcnow()
    return row.state


def release_all(
    session: Session, lane_ids: list[int], worker: str, hold: Mapping[int, datetime] | None = None
) -> None:
    """Let go of the lanes a transaction took events from, in three statements: each is ready if
    its ticket has events left, idle if not; a lane in `hold` (its ticket's event failed and will be
    tried again) waits until its time."""

    def pending(lane: Any) -> ColumnElement[bool]:
        return exists().where(
            EventRow.platform == lane.platform,
            EventRow.site == lane.site,
            EventRow.ticket_key == lane.ticket_key,
            EventRow.state == "pending",
        )

    lanes.settle_all(session, lane_ids, worker, pending, now=utcnow(), hold=hold or {})


def counts_by_state(session: Session) -> dict[str, int]:
    rows = session.execute(select(EventRow.state, func.count()).group_by(EventRow.state))
    return {str(state): int(count) for state, count in rows}


def oldest_pending(session: Session) -> datetime | None:
    return session.scalar(select(func.min(EventRow.received_at)).where(EventRow.state == "pending"))


def requeue_failed(session: Session, *, site: str | None = None, ticket_key: str | None = None) -> int:
    """Parked events back in their tickets' queues (`ela retry`), in their arrival order."""
    query = select(EventRow).where(EventRow.state == "failed")
    if site is not None:
        query = query.where(EventRow.site == site)
    if ticket_key is not None:
        query = query.where(EventRow.ticket_key == ticket_key)
    count = 0
    for row in session.scalars(query.order_by(EventRow.id)):
        row.state, row.attempts, row.processed_at = "pending", 0, None
        lanes.wake(
            session,
            lanes.EVENTS,
            platform=row.platform,
            site=row.site,
            ticket_key=row.ticket_key,
            due_at=utcnow(),
        )
        count += 1
    return count
