"""Pull mode's cursors: one leasable row per polled site (see models.polls.PollCursor)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.store import leases
from connector.store.models import PollCursor, utcnow
from connector.store.upsert import insert_ignore


@dataclass(frozen=True)
class TakenCursor:
    id: int
    cursor: str | None
    failures: int


def take(
    session: Session, platform: str, site: str, worker: str, lease: timedelta, *, now_due: bool = False
) -> TakenCursor | None:
    """Lease the site's cursor if its poll is due (creating it on first use, due at once); None when it
    is not due yet or another worker is polling the site. `now_due` makes it due now (`ela poll`)."""
    insert_ignore(
        session,
        PollCursor.__table__,  # type: ignore[arg-type]
        {
            "platform": platform,
            "site": site,
            "state": "ready",
            "due_at": utcnow(),
            "polls": 0,
            "failed_polls": 0,
            "failures": 0,
            "events": 0,
        },
    )
    row = session.scalars(
        select(PollCursor).where(PollCursor.platform == platform, PollCursor.site == site)
    ).one()
    if now_due and row.claimed_by is None:
        row.due_at = utcnow()
        session.flush()
    claims = leases.claim(
        session,
        PollCursor,
        worker=worker,
        limit=1,
        lease=lease,
        ready="ready",
        where=(PollCursor.id == row.id,),
    )
    if not claims:
        return None
    return TakenCursor(row.id, row.cursor, row.failures)


def finish(
    session: Session, pk: int, worker: str, *, cursor: str | None, stored: int, next_due: datetime
) -> bool:
    """A poll's success: its cursor and counts, in the transaction that stored its events. False when
    the lease was lost (another worker took the site over): that transaction must not commit."""
    row = leases.held(session, PollCursor, pk, worker)
    if row is None:
        return False
    if cursor is not None:
        row.cursor = cursor
    row.polls += 1
    row.events += stored
    row.failures = 0
    row.last_polled_at = utcnow()
    row.last_error = None
    leases.settle(row, state="ready", due_at=next_due)
    return True


def fail(session: Session, pk: int, worker: str, error: str, *, next_due: datetime) -> bool:
    row = leases.held(session, PollCursor, pk, worker)
    if row is None:
        return False
    row.failed_polls += 1
    row.failures += 1
    row.last_error = error[:4000]
    leases.settle(row, state="ready", due_at=next_due)
    return True


def summary(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(select(PollCursor).order_by(PollCursor.platform, PollCursor.site))
    return [
        {
            "platform": r.platform,
            "site": r.site,
            "polls": r.polls,
            "failed_polls": r.failed_polls,
            "failures_in_a_row": r.failures,
            "events": r.events,
            "last_polled_at": r.last_polled_at.isoformat(timespec="seconds") if r.last_polled_at else None,
            "next_due": r.due_at.isoformat(timespec="seconds") if r.claimed_by is None else None,
            "polling_now": r.claimed_by is not None and r.due_at > utcnow(),
            "last_error": r.last_error,
        }
        for r in rows
    ]
