"""Due work: one row per thing to do at a time, fired exactly once across any number of workers.

`schedule` puts a row in (a pending row with the same kind and key is moved instead: one timer per
key); `cancel` withdraws pending rows by key; `claim` leases due rows; `fire` runs one claimed row's
handler and marks it done in a single transaction, so its effects and its "done" commit together or not
at all. A failing handler's row is retried with backoff, then parked as `failed` after its limit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from connector.store import leases
from connector.store.models import DueWork, utcnow
from connector.store.upsert import insert_ignore


@dataclass(frozen=True)
class DueItem:
    """A claimed row, as its handler sees it."""

    id: int
    kind: str
    key: str
    platform: str | None
    site: str | None
    ticket_key: str | None
    payload: dict[str, Any]
    due_at: datetime
    attempts: int


def schedule(
    session: Session,
    kind: str,
    key: str,
    due_at: datetime,
    *,
    payload: Mapping[str, Any] | None = None,
    platform: str | None = None,
    site: str | None = None,
    ticket_key: str | None = None,
) -> int:
    """Pending work of `kind` due at `due_at`, identified by `key` (e.g. "survey:prod:SD-1:csat")."""
    data = json.dumps(dict(payload or {}), sort_keys=True, default=str)
    for _ in range(3):
        query = select(DueWork).where(DueWork.kind == kind, DueWork.key == key, DueWork.state == "pending")
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        row = session.scalars(query).one_or_none()
        if row is not None:
            row.due_at = due_at
            row.payload = data
            # Moved while a worker may hold it: that worker's `take` finds it no longer its own.
            row.claimed_by = None
            return row.id
        new_id = insert_ignore(
            session,
            DueWork.__table__,  # type: ignore[arg-type]
            {
                "kind": kind,
                "key": key,
                "platform": platform,
                "site": site,
                "ticket_key": ticket_key,
                "payload": data,
                "state": "pending",
                "due_at": due_at,
                "attempts": 0,
                "created_at": utcnow(),
            },
        )
        if new_id is not None:
            return new_id
        # Another process inserted the same key between our read and insert: move that one.
    raise RuntimeError(f"could not schedule {kind} {key}")


def cancel(session: Session, kind: str, key: str | None = None, *, ticket_key: str | None = None) -> int:
    """Withdraw pending work of `kind` by key (or every pending row of the kind on a ticket)."""
    conditions = [DueWork.kind == kind, DueWork.state == "pending"]
    if key is not None:
        conditions.append(DueWork.key == key)
    if ticket_key is not None:
        conditions.append(DueWork.ticket_key == ticket_key)
    result = session.execute(
        update(DueWork)
        .where(*conditions)
        .values(state="cancelled", claimed_by=None, settled_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def claim(
    session: Session, worker: str, limit: int, lease: timedelta, now: datetime | None = None
) -> list[int]:
    claims = leases.claim(session, DueWork, worker=worker, limit=limit, lease=lease, ready="pending", now=now)
    return [c.id for c in claims]


def take(session: Session, pk: int, worker: str) -> DueItem | None:
    """The claimed row, locked for this transaction, if `worker` still holds it and it is still pending."""
    row = leases.held(session, DueWork, pk, worker)
    if row is None or row.state != "pending":
        return None
    return DueItem(
        row.id,
        row.kind,
        row.key,
        row.platform,
        row.site,
        row.ticket_key,
        json.loads(row.payload),
        row.due_at,
        row.attempts,
    )


def mark_done(session: Session, pk: int) -> None:
    row = session.get(DueWork, pk)
    if row is not None:
        leases.settle(row, state="done")
        row.settled_at = utcnow()


def mark_failed_attempt(
    session: Session, pk: int, worker: str, error: str, *, max_attempts: int, retry_at: datetime
) -> str | None:
    """Record a failed firing; retried at `retry_at`, parked as failed after `max_attempts`."""
    row = leases.held(session, DueWork, pk, worker)
    if row is None:
        return None
    row.attempts += 1
    row.last_error = error[:4000]
    if row.attempts >= max_attempts:
        leases.settle(row, state="failed")
        row.settled_at = utcnow()
    else:
        leases.settle(row, state="pending", due_at=retry_at)
    return str(row.state)


def counts_by_state(session: Session) -> dict[str, int]:
    rows = session.execute(select(DueWork.state, func.count()).group_by(DueWork.state))
    return {str(state): int(count) for state, count in rows}


def pending_by_kind(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(DueWork.kind, func.count()).where(DueWork.state == "pending").group_by(DueWork.kind)
    )
    return {str(kind): int(count) for kind, count in rows}


def recent_failures(session: Session, limit: int = 10) -> list[DueWork]:
    query = select(DueWork).where(DueWork.state == "failed").order_by(DueWork.settled_at.desc()).limit(limit)
    return list(session.scalars(query))


def attempts_of(session: Session, pk: int) -> int:
    return int(session.scalar(select(DueWork.attempts).where(DueWork.id == pk)) or 0)
