"""Ticket snapshots and their mood timelines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.events import Person, Ticket, TicketEvent
from connector.store.models import MoodEntry, TicketRow, utcnow
from connector.store.upsert import insert_ignore


def _merged(old: Ticket | None, new: Ticket) -> Ticket:
    """Some payloads carry only part of the issue (Cloud comment events: a handful of fields), so a
    value missing from the newer snapshot keeps the older one instead of erasing it."""
    if old is None:
        return new
    updates = {
        name: getattr(new, name)
        for name in type(new).model_fields
        if getattr(new, name) not in (None, (), "")
    }
    # The same person named with fewer details (Cloud hides e-mail addresses in some payloads) keeps
    # the details an earlier payload gave.
    for name in ("requester", "assignee"):
        before, after = getattr(old, name), updates.get(name)
        if isinstance(before, Person) and isinstance(after, Person) and before.id and before.id == after.id:
            known = {k: v for k, v in before.model_dump().items() if v is not None}
            updates[name] = before.model_copy(update={**known, **after.model_dump(exclude_none=True)})
    return old.model_copy(update=updates)


def status_category_of(session: Session, platform: str, site: str, key: str) -> str | None:
    return session.scalar(
        select(TicketRow.status_category).where(
            TicketRow.platform == platform, TicketRow.site == site, TicketRow.key == key
        )
    )


def upsert_ticket(session: Session, event: TicketEvent, *, update: bool = True) -> TicketRow:
    """The ticket's row, created if new, its snapshot updated from the event (unless `update` is
    False)."""
    platform, site, key = event.platform, event.site, event.ticket.key
    query = select(TicketRow).where(
        TicketRow.platform == platform, TicketRow.site == site, TicketRow.key == key
    )
    row = session.scalars(query).one_or_none()
    if row is None:
        insert_ignore(
            session,
            TicketRow.__table__,  # type: ignore[arg-type]
            {"platform": platform, "site": site, "key": key, "snapshot": "{}", "updated_at": utcnow()},
        )
        row = session.scalars(query).one()
    if not update:
        return row
    old = Ticket.model_validate_json(row.snapshot) if row.snapshot != "{}" else None
    # An older event (a delayed retry) must not roll back what a newer one already told us.
    if row.snapshot_at is not None and event.occurred_at < row.snapshot_at:
        return row
    ticket = _merged(old, event.ticket)
    row.snapshot = ticket.model_dump_json()
    row.snapshot_at = event.occurred_at
    row.ticket_id = ticket.id
    row.project = ticket.project
    row.type = ticket.type
    row.request_type = ticket.request_type
    row.priority = ticket.priority
    row.status = ticket.status
    row.status_category = ticket.status_category.value if ticket.status_category else None
    row.requester_id = ticket.requester.id if ticket.requester else None
    row.assignee_id = ticket.assignee.id if ticket.assignee else None
    row.created_at = ticket.created_at
    row.resolved_at = ticket.resolved_at
    return row


def save_mood_entry(
    session: Session,
    ticket: TicketRow,
    *,
    comment_id: str,
    author_id: str | None,
    at: datetime,
    polarity: float,
    label: int,
    mood: str,
    engine: str,
    text_chars: int,
) -> None:
    entry = session.scalars(
        select(MoodEntry).where(MoodEntry.ticket_pk == ticket.id, MoodEntry.comment_id == comment_id)
    ).one_or_none()
    if entry is None:
        entry = MoodEntry(ticket_pk=ticket.id, comment_id=comment_id, at=at)
        session.add(entry)
    entry.author_id = author_id
    entry.polarity = polarity
    entry.label = label
    entry.mood = mood
    entry.engine = engine
    entry.text_chars = text_chars
    entry.deleted = False
    entry.scored_at = utcnow()
    session.flush()


def delete_mood_entry(session: Session, ticket: TicketRow, comment_id: str) -> bool:
    entry = session.scalars(
        select(MoodEntry).where(MoodEntry.ticket_pk == ticket.id, MoodEntry.comment_id == comment_id)
    ).one_or_none()
    if entry is None or entry.deleted:
        return False
    entry.deleted = True
    session.flush()
    return True


def timeline_polarities(session: Session, ticket: TicketRow) -> list[tuple[datetime, float]]:
    rows = session.execute(
        select(MoodEntry.at, MoodEntry.polarity)
        .where(MoodEntry.ticket_pk == ticket.id, MoodEntry.deleted.is_(False))
        .order_by(MoodEntry.at, MoodEntry.id)
    )
    return [(at, polarity) for at, polarity in rows]
