"""Deliveries and the events they carry: stored once, claimed by workers, marked done or failed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from adapters.events import TicketEvent
from connector.store.db import take_turn
from connector.store.models import Delivery, EventRow, utcnow
from connector.store.upsert import insert_ignore


@dataclass(frozen=True)
class StoredDelivery:
    delivery_id: int | None  # None: this delivery was stored before (a retry); nothing new was written
    events_stored: int

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
    for event in events:
        new_id = insert_ignore(
            session,
            EventRow.__table__,  # type: ignore[arg-type]
            {
                "delivery_id": delivery_id,
                "platform": event.platform.value,
                "site": event.site,
                "event_id": event.event_id,
                "kind": event.kind.value,
                "ticket_key": event.ticket.key,
                "occurred_at": event.occurred_at,
                "received_at": now,
                "data": event.to_json(),
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": now,
            },
        )
        stored += new_id is not None
    return StoredDelivery(delivery_id, stored)


CLAIM_TURN = 0x454C4101  # PostgreSQL advisory lock key: event claims take turns


def claim_events(session: Session, worker: str, limit: int, lease: timedelta) -> list[EventRow]:
    """Lease the oldest due events. A lease that runs out (crashed worker) makes its events due again.

    Events of one ticket are handed out in arrival order: a ticket with an event still leased by
    another worker, or waiting for a retry, is skipped until that event is settled.
    """
    # Under PostgreSQL's READ COMMITTED a second worker's claim does not see a lease taken by a claim
    # that has not committed yet: it would skip that ticket's locked rows and take the ticket's next
    # event, out of order. Claims are short, so they take turns, and each one's queries see the leases
    # of the claims before it.
    take_turn(session, CLAIM_TURN)
    now = utcnow()
    blocked = (
        select(EventRow.site, EventRow.ticket_key)
        .where(
            EventRow.state == "pending",
            or_(
                and_(EventRow.claimed_until.is_not(None), EventRow.claimed_until > now),
                EventRow.next_attempt_at > now,
            ),
        )
        .subquery()
    )
    candidates = (
        select(EventRow.id)
        .outerjoin(
            blocked, and_(blocked.c.site == EventRow.site, blocked.c.ticket_key == EventRow.ticket_key)
        )
        .where(EventRow.state == "pending", EventRow.next_attempt_at <= now, blocked.c.site.is_(None))
        .order_by(EventRow.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True, of=EventRow)
    ids = list(session.scalars(candidates))
    if not ids:
        return []
    session.execute(
        update(EventRow)
        .where(EventRow.id.in_(ids))
        .values(claimed_by=worker, claimed_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return list(session.scalars(select(EventRow).where(EventRow.id.in_(ids)).order_by(EventRow.id)))


def mark_done(session: Session, event_pk: int) -> None:
    session.execute(
        update(EventRow)
        .where(EventRow.id == event_pk)
        .values(state="done", processed_at=utcnow(), claimed_by=None, claimed_until=None, last_error=None)
    )


def mark_failed_attempt(
    session: Session, event_pk: int, error: str, *, max_attempts: int, retry_at: datetime
) -> str:
    """Record a failed attempt; after `max_attempts` the event is parked as failed (kept, visible)."""
    row = session.get(EventRow, event_pk)
    if row is None:
        return "missing"
    row.attempts += 1
    row.last_error = error[:4000]
    row.claimed_by = None
    row.claimed_until = None
    if row.attempts >= max_attempts:
        row.state = "failed"
        row.processed_at = utcnow()
    else:
        row.next_attempt_at = retry_at
    return row.state


def counts_by_state(session: Session) -> dict[str, int]:
    rows = session.execute(select(EventRow.state, func.count()).group_by(EventRow.state))
    return {str(state): int(count) for state, count in rows}


def oldest_pending(session: Session) -> datetime | None:
    return session.scalar(select(func.min(EventRow.received_at)).where(EventRow.state == "pending"))
