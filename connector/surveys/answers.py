"""A customer's answer to a survey send: a rating from a link, or a comment from the answer page.

Every answer that changes something is a numbered answer on the send (the latest counts; each is
audited) and, for a ticket's survey, a `survey_answered` TicketEvent stored like a platform's event,
so the pipeline takes it in the ticket's order: mood scores the comment, results write the score.
The same answer again (a double click, a reload, a link prefetched after the click) changes nothing.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.events import EventKind, Person, SurveyAnswer, Ticket, TicketEvent
from connector.store import due
from connector.store import events as event_store
from connector.store.models import SurveySend, TicketRow
from connector.surveys import sends
from connector.surveys.triggers import REMIND, due_key

COMMENT_MAX = 2000
Outcome = Literal["recorded", "unchanged", "expired", "closed", "unknown", "bad_rating"]
_SPACES = re.compile(r"[ \t]+")


@dataclass(frozen=True)
class AnswerResult:
    outcome: Outcome
    send_id: int
    score: int | None = None
    comment: str | None = None
    answer: int = 0  # the answer's number on the send


def clean_comment(text: str | None) -> str | None:
    """The customer's words as typed, without control characters, runs of blanks or excess length."""
    if text is None:
        return None
    kept = "".join(c for c in text if c in "\n" or unicodedata.category(c)[0] != "C")
    lines = [_SPACES.sub(" ", line).strip() for line in kept.replace("\r", "").split("\n")]
    cleaned = "\n".join(lines).strip()
    cleaned = re.sub(r"\n{3,}", "\n\n", cleaned)
    return cleaned[:COMMENT_MAX] or None


def record(
    session: Session,
    send_id: int,
    *,
    rating: int | None,
    comment: str | None,
    at: datetime,
    via: str,
) -> AnswerResult:
    """Take an answer (`rating` None: keep the current one; `comment` None: keep the current one)."""
    send = sends.locked(session, send_id)
    if send is None:
        return AnswerResult("unknown", send_id)
    if send.state not in sends.OPEN:
        return AnswerResult("closed", send_id, send.score, send.comment)
    if send.expires_at is None or at >= send.expires_at:
        return AnswerResult("expired", send_id, send.score, send.comment)
    score = send.score if rating is None else rating
    if score is None or not send.scale_min <= score <= send.scale_max:
        return AnswerResult("bad_rating", send_id, send.score, send.comment)
    text = send.comment if comment is None else clean_comment(comment)
    if send.state == "answered" and send.score == score and send.comment == text:
        return AnswerResult("unchanged", send_id, score, text, send.answers)
    first = send.state != "answered"
    previous = send.score
    send.answers += 1
    send.score, send.comment, send.answered_at = score, text, at
    cause = f"answer {send.answers} ({via})"
    if first:
        sends.move(session, send, "answered", cause=cause, at=at, score=score, commented=bool(text))
        due.cancel(session, REMIND, due_key(REMIND, send.id))
    else:
        sends.log(
            session, send, "answer_changed", cause, at, score=score, previous=previous, commented=bool(text)
        )
    if not send.relationship:
        _store_event(session, send, at)
    return AnswerResult("recorded", send_id, score, text, send.answers)


def _store_event(session: Session, send: SurveySend, at: datetime) -> None:
    row = session.scalars(
        select(TicketRow).where(
            TicketRow.platform == send.platform, TicketRow.site == send.site, TicketRow.key == send.ticket_key
        )
    ).one_or_none()
    ticket = (
        Ticket.model_validate_json(row.snapshot)
        if row is not None and row.snapshot != "{}"
        else Ticket(key=send.ticket_key)
    )
    assert send.score is not None
    event_id = f"survey:{send.id}:{send.answers}"
    event = TicketEvent(
        platform=send.platform,
        site=send.site,
        event_id=event_id,
        kind=EventKind.survey_answered,
        ticket=ticket,
        survey=SurveyAnswer(
            survey=send.survey,
            send_id=str(send.id),
            kind=send.kind,
            score=send.score,
            scale_min=send.scale_min,
            scale_max=send.scale_max,
            comment=send.comment,
            respondent=Person(id=send.requester_id, name=send.requester_name, email=send.requester_email),
            answered_at=at,
        ),
        occurred_at=at,
    )
    event_store.store_delivery(
        session,
        platform=send.platform,
        site=send.site,
        delivery_key=event_id,
        webhook_event="survey_answered",
        body=json.dumps({"send": send.id, "answer": send.answers, "score": send.score}).encode(),
        events=(event,),
    )
