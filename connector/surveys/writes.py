"""What a survey send writes onto its ticket, through the result-field table and the outbox."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from connector.settings import Settings
from connector.store import outbox
from connector.store.models import SurveySend
from connector.surveys.status import STATUS_LABELS, WRITTEN

# A single-line text field holds 255 characters on some platforms: the whole comment stays in the
# store (and the mood timeline), the field shows its start.
COMMENT_FIELD_CHARS = 250


def field_comment(comment: str | None) -> str | None:
    if not comment:
        return None
    return comment if len(comment) <= COMMENT_FIELD_CHARS else comment[: COMMENT_FIELD_CHARS - 1] + "\u2026"


def write_status(session: Session, send: SurveySend, settings: Settings) -> None:
    """The send's state as the ticket's `survey status`, when the site maps that field (a relationship
    survey is on no ticket)."""
    site = settings.sites.get(send.site)
    if send.relationship or send.state not in WRITTEN or site is None:
        return
    if "survey_status" not in site.fields.mapped():
        return
    outbox.enqueue_fields(
        session,
        platform=send.platform,
        site=send.site,
        ticket_key=send.ticket_key,
        values={"survey_status": STATUS_LABELS[send.state]},
        delay=timedelta(0),
    )
