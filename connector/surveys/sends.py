"""Survey sends: their state machine, each change written to the audit log with its time and cause.

    scheduled -> sent -> reminded -> answered | expired | cancelled | skipped (with the reason)

`skipped` is a send that never went out (throttled, sampled out, excluded, no address ...);
`cancelled` one stopped after it was scheduled or sent (the ticket reopened, deleted ...). An answered
send takes later answers (the latest counts) until its links expire.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, not_, select
from sqlalchemy.orm import Session

from adapters.events import Ticket
from connector.store.audit import audit
from connector.store.models import SurveySend, TicketRow

LIVE = ("scheduled", "sent", "reminded")  # still waiting for something to happen
OPEN = ("sent", "reminded", "answered")  # links take answers (until expires_at)
FINAL = ("answered", "expired", "cancelled", "skipped")
ALLOWED = {
    "scheduled": {"sent", "cancelled", "skipped"},
    "sent": {"reminded", "answered", "expired", "cancelled"},
    "reminded": {"reminded", "answered", "expired", "cancelled"},
    "answered": set(),
    "expired": set(),
    "cancelled": set(),
    "skipped": set(),
}


class IllegalTransition(Exception):
    pass


def log(session: Session, send: SurveySend, action: str, cause: str, at: datetime, **detail: Any) -> None:
    audit(
        session,
        send.site,
        send.ticket_key,
        f"survey.{action}",
        {"send": send.id, "survey": send.survey, "state": send.state, "cause": cause, "at": at, **detail},
    )


def move(
    session: Session,
    send: SurveySend,
    state: str,
    *,
    cause: str,
    at: datetime,
    reason: str | None = None,
    **detail: Any,
) -> None:
    """Change the send's state (refusing what the machine does not allow) and audit it."""
    if state not in ALLOWED.get(send.state, set()):
        raise IllegalTransition(f"survey send {send.id}: {send.state} -> {state} is not allowed")
    before = send.state
    send.state = state
    if reason is not None:
        send.reason = reason
    send.updated_at = at
    log(session, send, state, cause, at, **({"from": before, "reason": reason} | detail))


def locked(session: Session, send_id: int) -> SurveySend | None:
    """The send, locked for this transaction on PostgreSQL (SQLite's write lock is already held)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    return session.get(SurveySend, send_id, with_for_update=postgres)


def live_on_ticket(session: Session, platform: str, site: str, ticket_key: str) -> list[SurveySend]:
    return list(
        session.scalars(
            select(SurveySend).where(
                SurveySend.platform == platform,
                SurveySend.site == site,
                SurveySend.ticket_key == ticket_key,
                SurveySend.state.in_(LIVE),
            )
        )
    )


def any_on_ticket(session: Session, survey: str, platform: str, site: str, ticket_key: str) -> bool:
    """Whether the ticket has had a send of this survey that was not skipped."""
    found = session.scalar(
        select(SurveySend.id)
        .where(
            SurveySend.survey == survey,
            SurveySend.platform == platform,
            SurveySend.site == site,
            SurveySend.ticket_key == ticket_key,
            SurveySend.state != "skipped",
        )
        .limit(1)
    )
    return found is not None


def surveyed_since(session: Session, send: SurveySend, since: datetime) -> bool:
    """Whether the person was sent any survey (of any survey, on any ticket) at or after `since`. A
    survey withdrawn from this same ticket (it was reopened) does not count: this send replaces it."""
    withdrawn_here = and_(
        SurveySend.state == "cancelled",
        SurveySend.platform == send.platform,
        SurveySend.site == send.site,
        SurveySend.ticket_key == send.ticket_key,
    )
    found = session.scalar(
        select(SurveySend.id)
        .where(
            SurveySend.requester_key == send.requester_key,
            SurveySend.sent_at.is_not(None),
            SurveySend.sent_at >= since,
            SurveySend.id != send.id,
            not_(withdrawn_here),
        )
        .limit(1)
    )
    return found is not None


def requester_key(site: str, person_id: str | None, email: str | None) -> str | None:
    """One person across tickets, surveys and (by e-mail) sites: the throttle counts per person."""
    if email:
        return email.strip().lower()
    return f"{site}:{person_id}" if person_id else None


def ticket_summary(session: Session, send: SurveySend) -> str | None:
    """The ticket's summary as the store last saw it, for the survey's texts."""
    snapshot = session.scalar(
        select(TicketRow.snapshot).where(
            TicketRow.platform == send.platform, TicketRow.site == send.site, TicketRow.key == send.ticket_key
        )
    )
    if not snapshot or snapshot == "{}":
        return None
    return Ticket.model_validate_json(snapshot).summary


def counts(session: Session) -> dict[tuple[str, str], int]:
    """Sends kept, by (survey, state): for /metrics."""
    rows = session.execute(
        select(SurveySend.survey, SurveySend.state, func.count()).group_by(
            SurveySend.survey, SurveySend.state
        )
    )
    return {(str(survey), str(state)): int(count) for survey, state, count in rows}
