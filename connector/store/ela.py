"""ELA states in the store: one row per policy per ticket, locked while it changes; every change kept with
its reason; the ticket's verdict over its policies."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from connector.ela.status import Change, ElaStatus, PolicyState
from connector.store.models import DueWork, ElaChange, ElaState, ElaTicket, TicketRow, utcnow

_COPIED = (
    "cycle",
    "open",
    "started_at",
    "at_risk_at",
    "due_at",
    "met",
    "breached",
    "breached_at",
    "decided_at",
    "escalations",
    "at_risk_escalation",
    "reason",
)


def _locking(session: Session) -> bool:
    # SQLite: every write transaction holds the database's write lock from its start (BEGIN IMMEDIATE).
    return session.get_bind().dialect.name == "postgresql"


def states_of(session: Session, ticket: TicketRow) -> dict[str, ElaState]:
    """The ticket's policy rows, locked until the transaction ends: a timer and an event that touch the
    same ticket's ELA at once are decided one after the other, each seeing the other's outcome."""
    query = select(ElaState).where(ElaState.ticket_pk == ticket.id).order_by(ElaState.id)
    if _locking(session):
        query = query.with_for_update()
    return {row.policy: row for row in session.scalars(query)}


def cancel_timer(session: Session, kind: str, key: str) -> int:
    """Withdraw a pending timer by key, unless a worker is firing it right now.

    A firing timer's transaction holds its due-work row and then waits for the ticket's ELA lock; the
    evaluation that cancels it holds that lock already. Waiting for the row here would deadlock the
    two. Skipping it is safe: once the evaluation commits, the firing timer reads the state it left
    (the cycle is over) and changes nothing."""
    query = select(DueWork.id).where(DueWork.kind == kind, DueWork.key == key, DueWork.state == "pending")
    if _locking(session):
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if not ids:
        return 0
    session.execute(
        update(DueWork)
        .where(DueWork.id.in_(ids), DueWork.state == "pending")
        .values(state="cancelled", claimed_by=None, settled_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return len(ids)


def find_summary(session: Session, ticket: TicketRow) -> ElaTicket | None:
    return session.get(ElaTicket, ticket.id)


def lock_ticket(session: Session, ticket: TicketRow) -> ElaTicket:
    """The ticket's ELA row (created if new), locked: the one lock every ELA change of a ticket takes
    first, so two of them never interleave (policy rows created meanwhile included)."""
    insert = postgresql.insert if _locking(session) else sqlite.insert
    values = {
        "ticket_pk": ticket.id,
        "status": "not_applicable",
        "reason": "",
        "written": "{}",
        "resolved": False,
        "updated_at": utcnow(),
    }
    session.execute(insert(ElaTicket).values(**values).on_conflict_do_nothing())
    query = select(ElaTicket).where(ElaTicket.ticket_pk == ticket.id)
    if _locking(session):
        query = query.with_for_update()
    return session.scalars(query).one()


def to_state(row: ElaState) -> PolicyState:
    state = PolicyState(policy=row.policy, kind=row.kind)
    for name in _COPIED:
        setattr(state, name, getattr(row, name))
    state.stage = ElaStatus(row.stage)
    state.status = ElaStatus(row.status)
    state.data = json.loads(row.data or "{}")
    return state


def save_state(
    session: Session,
    ticket: TicketRow,
    state: PolicyState,
    row: ElaState | None,
) -> ElaState:
    if row is None:
        row = ElaState(
            ticket_pk=ticket.id,
            platform=ticket.platform,
            site=ticket.site,
            ticket_key=ticket.key,
            policy=state.policy,
            kind=state.kind,
        )
        session.add(row)
    for name in _COPIED:
        setattr(row, name, getattr(state, name))
    row.stage = state.stage.value
    row.status = state.status.value
    row.data = json.dumps(state.data, sort_keys=True, default=str)
    return row


def record_changes(session: Session, ticket: TicketRow, changes: list[Change]) -> None:
    for change in changes:
        session.add(
            ElaChange(
                ticket_pk=ticket.id,
                policy=change.policy,
                cycle=change.cycle,
                outcome=change.outcome.value,
                reason=change.reason,
                at=change.at,
            )
        )


def changes_of(session: Session, ticket_pk: int) -> list[ElaChange]:
    query = select(ElaChange).where(ElaChange.ticket_pk == ticket_pk).order_by(ElaChange.at, ElaChange.id)
    return list(session.scalars(query))


def written_values(row: ElaTicket) -> dict[str, Any]:
    return dict(json.loads(row.written or "{}"))


def remember_written(row: ElaTicket, values: dict[str, Any]) -> None:
    row.written = json.dumps(values, sort_keys=True, default=str)


def find_ticket(session: Session, platform: str, site: str, key: str) -> TicketRow | None:
    return session.scalars(
        select(TicketRow).where(TicketRow.platform == platform, TicketRow.site == site, TicketRow.key == key)
    ).one_or_none()


def due_iso(moment: datetime | None) -> str | None:
    """A date-time result's value: ISO 8601 in UTC, to the second (what writers read back, too)."""
    return moment.replace(microsecond=0).isoformat(timespec="seconds") if moment is not None else None
