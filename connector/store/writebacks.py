"""The durable write-back queue: one pending row per ticket that new values merge into."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from connector.store.db import take_turn
from connector.store.models import AuditEntry, SitePause, WritebackRow, utcnow
from connector.store.upsert import insert_ignore

Values = dict[str, Any]
CLAIM_TURN = 0x454C4102  # PostgreSQL advisory lock key: write-back claims take turns


@dataclass(frozen=True)
class ClaimedWrite:
    id: int
    platform: str
    site: str
    ticket_key: str
    values: Values
    attempts: int
    uncertain: bool  # a previous attempt may have reached the platform (its worker died mid-call)


def enqueue(
    session: Session,
    *,
    platform: str,
    site: str,
    ticket_key: str,
    values: Mapping[str, Any],
    delay: timedelta,
) -> int:
    """Merge `values` into the ticket's pending write-back, creating it due in `delay` (the coalescing
    window: a burst of comments within it becomes one platform call)."""
    for _ in range(3):
        row = _pending_row(session, platform, site, ticket_key)
        if row is not None:
            row.fields = json.dumps({**json.loads(row.fields), **values}, sort_keys=True)
            return row.id
        new_id = insert_ignore(
            session,
            WritebackRow.__table__,  # type: ignore[arg-type]
            {
                "platform": platform,
                "site": site,
                "ticket_key": ticket_key,
                "fields": json.dumps(dict(values), sort_keys=True),
                "state": "pending",
                "attempts": 0,
                "due_at": utcnow() + delay,
                "created_at": utcnow(),
                "updated_at": utcnow(),
            },
        )
        if new_id is not None:
            return new_id
        # Another process created the pending row between our read and insert: merge into it.
    raise RuntimeError(f"could not queue a write-back for {site}/{ticket_key}")


def _pending_row(session: Session, platform: str, site: str, ticket_key: str) -> WritebackRow | None:
    query = select(WritebackRow).where(
        WritebackRow.platform == platform,
        WritebackRow.site == site,
        WritebackRow.ticket_key == ticket_key,
        WritebackRow.state == "pending",
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def claim_due(session: Session, worker: str, limit: int, lease: timedelta) -> list[ClaimedWrite]:
    """Lease due write-backs: pending ones whose time has come (site not paused, no other write to the
    same ticket in flight), and in-flight ones whose worker's lease ran out (it crashed mid-call)."""
    take_turn(session, CLAIM_TURN)  # see claim_events: a concurrent claim must see this one's leases
    now = utcnow()
    busy = aliased(WritebackRow)
    live_in_flight = (
        select(busy.id)
        .where(
            busy.state == "in_flight",
            busy.claimed_until > now,
            busy.site == WritebackRow.site,
            busy.ticket_key == WritebackRow.ticket_key,
            busy.platform == WritebackRow.platform,
        )
        .exists()
    )
    paused = select(SitePause.site).where(SitePause.site == WritebackRow.site, SitePause.until > now).exists()
    query = (
        select(WritebackRow)
        .where(
            or_(
                and_(WritebackRow.state == "pending", WritebackRow.due_at <= now, ~live_in_flight),
                and_(WritebackRow.state == "in_flight", WritebackRow.claimed_until <= now),
            ),
            ~paused,
        )
        .order_by(WritebackRow.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=WritebackRow)
    claimed = []
    for row in session.scalars(query):
        uncertain = row.state == "in_flight"
        row.state = "in_flight"
        row.claimed_by = worker
        row.claimed_until = now + lease
        row.attempts += 1
        row.sent_at = now
        claimed.append(
            ClaimedWrite(
                row.id,
                row.platform,
                row.site,
                row.ticket_key,
                json.loads(row.fields),
                row.attempts,
                uncertain,
            )
        )
    return claimed


def _owned(session: Session, write: ClaimedWrite, worker: str) -> WritebackRow | None:
    """The row, if this worker still holds it (a lease that ran out may have been taken over)."""
    row = session.get(WritebackRow, write.id, with_for_update=session.get_bind().dialect.name == "postgresql")
    if row is None or row.state != "in_flight" or row.claimed_by != worker:
        return None
    return row


def mark_sent(session: Session, write: ClaimedWrite, worker: str, *, reconciled: bool) -> bool:
    row = _owned(session, write, worker)
    if row is None:
        return False
    row.state = "done"
    row.claimed_by = None
    row.claimed_until = None
    row.last_error = None
    audit(
        session,
        write.site,
        write.ticket_key,
        "writeback.reconciled" if reconciled else "writeback.sent",
        {"fields": write.values, "attempts": write.attempts},
    )
    return True


def mark_failed(session: Session, write: ClaimedWrite, worker: str, error: str) -> bool:
    row = _owned(session, write, worker)
    if row is None:
        return False
    row.state = "failed"
    row.claimed_by = None
    row.claimed_until = None
    row.last_error = error[:4000]
    audit(session, write.site, write.ticket_key, "writeback.failed", {"fields": write.values, "error": error})
    return True


def reschedule(
    session: Session, write: ClaimedWrite, worker: str, *, due_at: datetime, error: str, count_attempt: bool
) -> bool:
    """Put a write back in the queue. Values queued meanwhile for the ticket are newer and win; the
    two rows become one so the ticket still gets a single call."""
    row = _owned(session, write, worker)
    if row is None:
        return False
    if not count_attempt:
        row.attempts -= 1
    row.claimed_by = None
    row.claimed_until = None
    row.last_error = error[:4000]
    newer = _pending_row(session, write.platform, write.site, write.ticket_key)
    if newer is None:
        row.state = "pending"
        row.due_at = due_at
        return True
    newer.fields = json.dumps({**write.values, **json.loads(newer.fields)}, sort_keys=True)
    newer.due_at = max(newer.due_at, due_at)
    newer.attempts = max(newer.attempts, row.attempts)
    newer.last_error = row.last_error
    row.state = "superseded"
    return True


def pause_site(session: Session, site: str, until: datetime, reason: str) -> None:
    pause = session.get(SitePause, site)
    if pause is None:
        session.add(SitePause(site=site, until=until, reason=reason))
    elif pause.until < until:
        pause.until = until
        pause.reason = reason


def cancel_pending(session: Session, *, platform: str, site: str, ticket_key: str) -> int:
    result = session.execute(
        update(WritebackRow)
        .where(
            WritebackRow.platform == platform,
            WritebackRow.site == site,
            WritebackRow.ticket_key == ticket_key,
            WritebackRow.state == "pending",
        )
        .values(state="superseded", last_error="ticket deleted")
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def audit(session: Session, site: str | None, ticket_key: str | None, action: str, detail: Values) -> None:
    session.add(
        AuditEntry(site=site, ticket_key=ticket_key, action=action, detail=json.dumps(detail, default=str))
    )


def counts_by_state(session: Session) -> dict[str, int]:
    rows = session.execute(select(WritebackRow.state, func.count()).group_by(WritebackRow.state))
    return {str(state): int(count) for state, count in rows}


def retries_total(session: Session) -> int:
    """Attempts beyond the first, over every write-back kept."""
    total = session.scalar(
        select(func.coalesce(func.sum(WritebackRow.attempts - 1), 0)).where(WritebackRow.attempts > 1)
    )
    return int(total or 0)


def recent_failures(session: Session, limit: int = 10) -> list[WritebackRow]:
    query = (
        select(WritebackRow)
        .where(WritebackRow.state == "failed")
        .order_by(WritebackRow.updated_at.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
