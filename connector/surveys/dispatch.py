"""The due work of survey sends: the send itself (after its delay), its reminders and its expiry.

Each handler runs in the due row's transaction (connector.due_work): what it changes on the send, the
audit entries and the messages it puts in the outbox commit with the row's "done", or not at all. A
worker that dies halfway changes nothing, and the row fires again; a message is in the outbox under
its own key, so it is sent once whatever happens.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from adapters.events import Ticket
from connector.settings import Settings
from connector.settings.surveys import SurveyDefinition
from connector.store import due, outbox
from connector.store.due import DueItem
from connector.store.models import SurveySend, TicketRow
from connector.surveys import channels, sends
from connector.surveys.clock import Clock
from connector.surveys.definitions import texts_for
from connector.surveys.tokens import Tokens
from connector.surveys.triggers import EXPIRE, REMIND, due_key
from connector.surveys.writes import write_status


class Dispatcher:
    def __init__(self, settings: Settings, tokens: Tokens, clock: Clock) -> None:
        self.settings = settings
        self.tokens = tokens
        self.clock = clock
        self.definitions = {s.name: s for s in settings.surveys}

    # handlers ------------------------------------------------------------------------------------

    def send(self, session: Session, item: DueItem) -> None:
        send = sends.locked(session, int(item.payload["send"]))
        if send is None or send.state != "scheduled":
            return
        now, cause = self.clock(), f"due {item.key}"
        survey = self.definitions.get(send.survey)
        if survey is None or send.site not in self.settings.sites:
            what = "survey" if survey is None else "site"
            sends.move(
                session, send, "cancelled", cause=cause, at=now, reason=f"{what} removed from the settings"
            )
            return
        row = _ticket_row(session, send)
        if row is None or row.deleted:
            sends.move(session, send, "cancelled", cause=cause, at=now, reason="ticket deleted")
            return
        if not send.relationship and survey.timing.require_resolved and row.status_category != "done":
            sends.move(session, send, "cancelled", cause=cause, at=now, reason="no longer resolved")
            return
        if survey.throttle is not None and send.requester_key:
            _serialise_person(session, send.requester_key)
            if sends.surveyed_since(session, send, now - survey.throttle):
                sends.move(session, send, "skipped", cause=cause, at=now, reason="throttled")
                return
        send.sent_at = now
        send.expires_at = now + survey.timing.expires_after
        self._queue(session, send, survey, row, purpose="survey")
        sends.move(session, send, "sent", cause=cause, at=now, channel=send.channel)
        write_status(session, send, self.settings)
        self._schedule_reminder(session, send, survey)
        due.schedule(
            session,
            EXPIRE,
            due_key(EXPIRE, send.id),
            send.expires_at,
            payload={"send": send.id},
            **_where(send),
        )

    def remind(self, session: Session, item: DueItem) -> None:
        send = sends.locked(session, int(item.payload["send"]))
        if send is None or send.state not in ("sent", "reminded"):
            return
        survey = self.definitions.get(send.survey)
        now = self.clock()
        if survey is None or send.reminders_sent >= survey.timing.reminders:
            return
        if send.expires_at is not None and now >= send.expires_at:
            return
        row = _ticket_row(session, send)
        if row is None or row.deleted:
            return
        send.reminders_sent += 1
        self._queue(session, send, survey, row, purpose=f"reminder:{send.reminders_sent}")
        sends.move(session, send, "reminded", cause=f"due {item.key}", at=now, reminder=send.reminders_sent)
        write_status(session, send, self.settings)
        self._schedule_reminder(session, send, survey)

    def expire(self, session: Session, item: DueItem) -> None:
        send = sends.locked(session, int(item.payload["send"]))
        if send is None:
            return
        now = self.clock()
        due.cancel(session, REMIND, due_key(REMIND, send.id))
        if send.state in ("sent", "reminded"):
            sends.move(session, send, "expired", cause=f"due {item.key}", at=now)
            write_status(session, send, self.settings)
        elif send.state == "answered":
            sends.log(session, send, "closed", f"due {item.key}", now, score=send.score)

    def follow_up(self, session: Session, item: DueItem) -> None:
        """A low score's follow-ups, once per send, a few minutes after the answer: the customer's
        comment (typed after the click) is in it, and a rating changed back up sets off nothing."""
        send = sends.locked(session, int(item.payload["send"]))
        survey = self.definitions.get(send.survey) if send is not None else None
        if send is None or survey is None or survey.follow_up is None or send.state != "answered":
            return
        rule = survey.follow_up
        if send.score is None or send.score > rule.threshold:
            return
        where = _where(send)
        key = f"survey:{send.id}:follow-up"
        said = f"\n\nThe customer wrote:\n{send.comment}" if send.comment else " No comment."
        text = (
            f"{send.requester_name or 'The customer'} answered the {survey.kind.upper()} survey "
            f"'{survey.name}' on {send.ticket_key} with {send.score} on a scale of "
            f"{send.scale_min}-{send.scale_max} (follow-up at {rule.threshold} or below).{said}"
        )
        if rule.internal_comment:
            outbox.enqueue_comment(session, **where, text=text, public=False, key=key + ":comment")
        if rule.label:
            outbox.enqueue_labels(session, **where, key=key + ":label", add=[rule.label])
        if rule.issue is not None:
            outbox.enqueue(
                session,
                platform=send.platform,
                site=send.site,
                ticket_key=send.ticket_key,
                kind="issue",
                key=key + ":issue",
                payload={
                    "project": rule.issue.project,
                    "issue_type": rule.issue.issue_type,
                    "summary": f"Low {survey.kind.upper()} score on {send.ticket_key}: "
                    f"{send.score} of {send.scale_max}",
                    "description": text,
                    "marker": f"ela-survey-{send.id}",
                    "labels": rule.issue.labels,
                },
            )
        sends.log(session, send, "follow_up", f"due {item.key}", self.clock(), score=send.score)

    # parts ---------------------------------------------------------------------------------------

    def _queue(
        self, session: Session, send: SurveySend, survey: SurveyDefinition, row: TicketRow, *, purpose: str
    ) -> None:
        assert send.expires_at is not None
        ticket = Ticket.model_validate_json(row.snapshot) if row.snapshot != "{}" else None
        values = {
            "ticket.key": send.ticket_key,
            "ticket.summary": ticket.summary if ticket else None,
            "requester.name": send.requester_name,
        }
        token = self.tokens.make(send.id, send.expires_at)
        message = channels.compose(
            send,
            texts_for(survey, send.locale),
            values,
            self.settings.survey_pages.base_url,
            token,
            reminder=purpose != "survey",
        )
        smtp = self.settings.smtp
        channels.queue(session, send, message, purpose=purpose, sender=smtp.sender if smtp else None)
        send.delivery = "queued"

    def _schedule_reminder(self, session: Session, send: SurveySend, survey: SurveyDefinition) -> None:
        timing = survey.timing
        if send.reminders_sent >= timing.reminders or send.expires_at is None:
            return
        at = self.clock() + timing.reminder_after
        if at >= send.expires_at:
            return
        due.schedule(session, REMIND, due_key(REMIND, send.id), at, payload={"send": send.id}, **_where(send))


def _where(send: SurveySend) -> dict[str, str]:
    return {"platform": send.platform, "site": send.site, "ticket_key": send.ticket_key}


def _ticket_row(session: Session, send: SurveySend) -> TicketRow | None:
    from sqlalchemy import select

    return session.scalars(
        select(TicketRow).where(
            TicketRow.platform == send.platform, TicketRow.site == send.site, TicketRow.key == send.ticket_key
        )
    ).one_or_none()


def _serialise_person(session: Session, requester_key: str) -> None:
    """Two workers sending to the same person at once would both find no recent survey: on PostgreSQL
    they take turns on a transaction lock named after the person (SQLite has one writer anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": requester_key})
