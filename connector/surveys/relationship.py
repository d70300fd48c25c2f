"""Relationship surveys: on a cron schedule (e.g. quarterly NPS), an e-mail to every requester with a
ticket active in the last N days, under the same throttle as every other survey.

Each round is one due-work row of kind `survey.relationship`; firing it creates the round's sends
(each then goes out through `survey.send`, where the throttle applies) and schedules the next round.
A round's sends are unique per person, so a round fired twice surveys nobody twice.
"""

from __future__ import annotations

from datetime import datetime

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.events import Ticket
from connector.settings import Settings
from connector.settings.surveys import SurveyDefinition
from connector.store import due
from connector.store.due import DueItem
from connector.store.models import DueWork, SurveySend, TicketRow
from connector.store.upsert import insert_ignore
from connector.surveys import sends
from connector.surveys.clock import Clock
from connector.surveys.triggers import SEND, due_key

RELATIONSHIP = "survey.relationship"


def next_round(survey: SurveyDefinition, after: datetime) -> datetime:
    assert survey.schedule is not None
    trigger = CronTrigger.from_crontab(survey.schedule.cron, timezone="UTC")
    found: datetime | None = trigger.get_next_fire_time(None, after)
    assert found is not None
    return found


class RelationshipSurveys:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.surveys = {s.name: s for s in settings.surveys if s.relationship}

    def ensure_scheduled(self, session: Session) -> None:
        """Every relationship survey has its next round pending (on start: one that is pending already,
        even overdue after a stop, is kept as it is, so no round is lost or moved)."""
        for survey in self.surveys.values():
            pending = session.scalar(
                select(DueWork.id).where(
                    DueWork.kind == RELATIONSHIP,
                    DueWork.key.startswith(_prefix(survey)),
                    DueWork.state == "pending",
                )
            )
            if pending is None:
                _schedule(session, survey, next_round(survey, self.clock()))

    def fire(self, session: Session, item: DueItem) -> None:
        survey = self.surveys.get(str(item.payload.get("survey")))
        if survey is None or survey.schedule is None:
            return  # removed from the settings: its rounds end here
        now = self.clock()
        round_id = item.due_at.strftime("%Y-%m-%dT%H:%M")
        for row, ticket in self._active(session, survey, now):
            requester = ticket.requester
            if requester is None or not requester.email:
                continue
            key = sends.requester_key(row.site, requester.id, requester.email)
            low, high = survey.scale_range
            send_id = insert_ignore(
                session,
                SurveySend.__table__,  # type: ignore[arg-type]
                {
                    "survey": survey.name,
                    "kind": survey.kind,
                    "relationship": True,
                    "channel": survey.channel,
                    "platform": row.platform,
                    "site": row.site,
                    "ticket_key": row.key,
                    "trigger": f"round {round_id}: {key}",
                    "state": "scheduled",
                    "requester_key": key,
                    "requester_id": requester.id,
                    "requester_name": requester.name,
                    "requester_email": requester.email,
                    "locale": requester.locale,
                    "scale_min": low,
                    "scale_max": high,
                    "scheduled_for": now,
                    "reminders_sent": 0,
                    "answers": 0,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            if send_id is None:
                continue
            send = session.get(SurveySend, send_id)
            assert send is not None
            sends.log(session, send, "scheduled", f"relationship round {round_id}", now, due=now)
            due.schedule(
                session,
                SEND,
                due_key(SEND, send_id),
                now,
                payload={"send": send_id},
                platform=row.platform,
                site=row.site,
                ticket_key=row.key,
            )
        _schedule(session, survey, next_round(survey, now))

    def _active(
        self, session: Session, survey: SurveyDefinition, now: datetime
    ) -> list[tuple[TicketRow, Ticket]]:
        """Each requester's latest ticket active in the window (one per person and site)."""
        assert survey.schedule is not None
        since = now - survey.schedule.active_within
        sites = [s for s in self.settings.sites if survey.applies_to(s)]
        rows = session.scalars(
            select(TicketRow)
            .where(
                TicketRow.site.in_(sites),
                TicketRow.deleted.is_(False),
                TicketRow.requester_id.is_not(None),
                TicketRow.snapshot_at >= since,
            )
            .order_by(TicketRow.snapshot_at.desc())
        )
        latest: dict[tuple[str, str], tuple[TicketRow, Ticket]] = {}
        for row in rows:
            key = (row.site, str(row.requester_id))
            if key not in latest:
                latest[key] = (row, Ticket.model_validate_json(row.snapshot))
        return list(latest.values())


def _prefix(survey: SurveyDefinition) -> str:
    return f"{RELATIONSHIP}:{survey.name}:"


def _schedule(session: Session, survey: SurveyDefinition, at: datetime) -> None:
    """A round's own key (the survey and its time): the round firing now is still pending while it
    schedules the next, and scheduling under its key would move it instead."""
    key = _prefix(survey) + at.strftime("%Y-%m-%dT%H:%M")
    due.schedule(session, RELATIONSHIP, key, at, payload={"survey": survey.name})
