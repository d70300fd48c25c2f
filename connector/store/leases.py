"""The one lease primitive: how any number of workers share rows of work so that each row is handled by
one of them at a time, and a dead worker's rows are taken over.

A leasable table has `state`, `due_at` and `claimed_by`. A row in its claimable state whose `due_at` has
passed may be claimed: the claim writes the worker's name and moves `due_at` to the end of the lease, so
the row stays out of other claims until its holder settles it, or until the lease runs out because the
holder died (then the next claim takes it over, and says so: `Claim.taken_over`).

A claim reads one index range (`state`, `due_at`) and writes only the rows it takes, so it costs in
proportion to its batch, never to the backlog. On PostgreSQL the rows are locked with FOR UPDATE SKIP
LOCKED, so concurrent claims take different rows without waiting for each other; on SQLite every write
transaction already holds the database's one write lock for its few milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from connector.store.models import utcnow


@dataclass(frozen=True)
class Claim:
    id: int
    taken_over: bool  # a previous holder's lease ran out before it settled the row
    columns: tuple[Any, ...] = ()  # the `extra` columns asked for, read in the same statement


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def claim(
    session: Session,
    model: Any,
    *,
    worker: str,
    limit: int,
    lease: timedelta,
    ready: str,
    where: Sequence[ColumnElement[bool]] = (),
    extra: Sequence[Any] = (),
    now: datetime | None = None,
) -> list[Claim]:
    """Lease up to `limit` due rows of `model` in state `ready`, oldest `due_at` first; `extra` columns
    come back with each claim."""
    now = now or utcnow()
    query = (
        select(model.id, model.claimed_by, *extra)
        .where(model.state == ready, model.due_at <= now, *where)
        .order_by(model.due_at, model.id)
        .limit(limit)
    )
    if _is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    rows = session.execute(query).all()
    if not rows:
        return []
    ids = [row[0] for row in rows]
    session.execute(
        update(model)
        .where(model.id.in_(ids))
        .values(claimed_by=worker, due_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    return [Claim(row[0], row[1] is not None, tuple(row[2:])) for row in rows]


def held(session: Session, model: Any, pk: int, worker: str, *, lock: bool = True) -> Any | None:
    """The row if `worker` still holds it, locked until this transaction ends (PostgreSQL: FOR UPDATE),
    else None: its lease ran out and another worker may have taken it over."""
    query = select(model).where(model.id == pk, model.claimed_by == worker)
    if lock and _is_postgres(session):
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def renew(session: Session, model: Any, pk: int, worker: str, lease: timedelta) -> bool:
    """Extend a held lease; False when it is no longer this worker's."""
    result = session.execute(
        update(model)
        .where(model.id == pk, model.claimed_by == worker)
        .values(due_at=utcnow() + lease)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def settle(row: Any, *, state: str, due_at: datetime | None = None) -> None:
    """End the lease on a row obtained from `held`: give it its next state (and due time)."""
    row.claimed_by = None
    row.state = state
    if due_at is not None:
        row.due_at = due_at
