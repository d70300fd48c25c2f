"""What a ticket's transitions do to its surveys: a resolution schedules a send of each survey that
applies (or records why it is skipped), a reopening cancels what is pending.

Runs inside the pipeline (connector.pipeline.surveys), in the event's transaction: the send rows and
their due work commit with the event, or not at all.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from adapters.events import Person, StatusCategory, Ticket, TicketEvent
from connector.directory import GroupCache
from connector.settings import Settings
from connector.settings.surveys import SurveyDefinition
from connector.store import due
from connector.store.models import SurveySend
from connector.store.upsert import insert_ignore
from connector.surveys import guards, sends
from connector.surveys.clock import Clock
from connector.surveys.writes import write_status

SEND, REMIND, EXPIRE = "survey.send", "survey.remind", "survey.expire"
FOLLOW_UP = "survey.follow_up"
KINDS = (SEND, REMIND, EXPIRE)  # what a cancelled send withdraws


def due_key(kind: str, send_id: int) -> str:
    return f"{kind}:{send_id}"


class SurveyTriggers:
    def __init__(self, settings: Settings, clock: Clock, groups: GroupCache | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.groups = groups
        self.transactional = [s for s in settings.surveys if not s.relationship]

    def on_transition(
        self,
        session: Session,
        event: TicketEvent,
        previous_category: str | None,
        known: Ticket | None = None,
    ) -> None:
        """`previous_category`: the ticket's status category before the event, as the store knew it
        (some platforms' changes name statuses only, so a transition does not say where it came from).
        `known`: the ticket as the store knows it with this event merged in (a payload may lack the
        requester's address that an earlier one gave); the event's own ticket when not given."""
        ticket = known or event.ticket
        transition = event.transition
        if transition is None:
            return
        if transition.from_category is None and previous_category is not None:
            transition = transition.model_copy(update={"from_category": StatusCategory(previous_category)})
        if guards.reopened(transition):
            self.cancel_live(session, event, "reopened")
        for survey in self.transactional:
            if survey.applies_to(event.site) and guards.triggered(survey, transition):
                self._resolved(session, survey, event, ticket)

    def cancel_live(self, session: Session, event: TicketEvent, reason: str) -> None:
        now = self.clock()
        for send in sends.live_on_ticket(session, event.platform, event.site, event.ticket.key):
            cancel(session, send, self.settings, reason=reason, cause=f"event {event.event_id}", at=now)

    def _resolved(
        self, session: Session, survey: SurveyDefinition, event: TicketEvent, ticket: Ticket
    ) -> None:
        if any(s.survey == survey.name for s in sends.live_on_ticket(session, *_where(event))):
            return  # one live send per survey and ticket
        if guards.filtered_out(survey, ticket) is not None:
            return  # not this survey's ticket at all: nothing to record
        skip = self._skip_reason(session, survey, event, ticket)
        resolved_at = event.occurred_at
        send_id = self._insert(session, survey, event, ticket, resolved_at + survey.timing.delay)
        if send_id is None:
            return  # the same resolution was seen before
        send = session.get(SurveySend, send_id)
        assert send is not None
        cause = f"event {event.event_id}"
        if skip is not None:
            sends.move(session, send, "skipped", cause=cause, at=self.clock(), reason=skip)
            return
        sends.log(session, send, "scheduled", cause, self.clock(), due=send.scheduled_for)
        due.schedule(
            session,
            SEND,
            due_key(SEND, send.id),
            send.scheduled_for,
            payload={"send": send.id},
            platform=send.platform,
            site=send.site,
            ticket_key=send.ticket_key,
        )

    def _skip_reason(
        self, session: Session, survey: SurveyDefinition, event: TicketEvent, ticket: Ticket
    ) -> str | None:
        if survey.on_reopen == "once" and sends.any_on_ticket(session, survey.name, *_where(event)):
            return "surveyed before (on_reopen: once)"
        excluded = guards.excluded(survey, ticket, event.occurred_at)
        if excluded is not None:
            return excluded
        if not guards.sampled_in(survey, event.site, ticket.key):
            return f"sampled out ({survey.sample:g}%)"
        if ticket.requester is None or not (ticket.requester.id or ticket.requester.email):
            return "no requester"
        if survey.channel == "email" and not ticket.requester.email:
            return "no e-mail address for the requester"
        return None

    def _insert(
        self, session: Session, survey: SurveyDefinition, event: TicketEvent, ticket: Ticket, at: datetime
    ) -> int | None:
        requester, assignee = ticket.requester, ticket.assignee
        low, high = survey.scale_range
        return insert_ignore(
            session,
            SurveySend.__table__,  # type: ignore[arg-type]
            {
                "survey": survey.name,
                "kind": survey.kind,
                "relationship": False,
                "channel": survey.channel,
                "platform": event.platform,
                "site": event.site,
                "ticket_key": ticket.key,
                "trigger": event.event_id,
                "state": "scheduled",
                **person_columns(event.site, ticket),
                "assignee_id": assignee.id if assignee else None,
                "assignee_name": assignee.name if assignee else None,
                "team": self._team(survey, event.site, assignee),
                "scale_min": low,
                "scale_max": high,
                "scheduled_for": at,
                "reminders_sent": 0,
                "answers": 0,
                "created_at": self.clock(),
                "updated_at": self.clock(),
                "requester_key": sends.requester_key(
                    event.site,
                    requester.id if requester else None,
                    requester.email if requester else None,
                ),
            },
        )

    def _team(self, survey: SurveyDefinition, site: str, assignee: Person | None) -> str | None:
        """The first of the survey's teams the assignee is in, as the platform says now (at the
        resolution); a failed lookup propagates, and the event is retried."""
        if not survey.teams or assignee is None or self.groups is None:
            return None
        groups = {g.casefold() for g in self.groups.groups(site, assignee)}
        return next((team for team in survey.teams if team.casefold() in groups), None)


def person_columns(site: str, ticket: Ticket) -> dict[str, str | None]:
    requester = ticket.requester
    return {
        "requester_id": requester.id if requester else None,
        "requester_name": requester.name if requester else None,
        "requester_email": requester.email if requester else None,
        "locale": requester.locale if requester else None,
    }


def _where(event: TicketEvent) -> tuple[str, str, str]:
    return event.platform, event.site, event.ticket.key


def cancel(
    session: Session, send: SurveySend, settings: Settings, *, reason: str, cause: str, at: datetime
) -> None:
    """Stop a live send: its due work is withdrawn, and a send that reached the customer says so on
    the ticket."""
    reached = send.state in ("sent", "reminded")
    sends.move(session, send, "cancelled", cause=cause, at=at, reason=reason)
    for kind in KINDS:
        due.cancel(session, kind, due_key(kind, send.id))
    if reached:
        write_status(session, send, settings)
