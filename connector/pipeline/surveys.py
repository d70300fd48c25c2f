"""Step: surveys. A resolution schedules survey sends and a reopening cancels them
(connector.surveys.triggers); a survey answer becomes results (its score, comment and status) and, at
or below the survey's threshold, follow-ups for the agents (due work, connector.surveys.dispatch)."""

from __future__ import annotations

from adapters.events import EventKind, Ticket
from connector.pipeline.context import EventContext
from connector.settings import Settings
from connector.store import due
from connector.surveys.definitions import SCORE_FIELDS
from connector.surveys.status import STATUS_LABELS
from connector.surveys.triggers import FOLLOW_UP, SurveyTriggers, due_key
from connector.surveys.writes import field_comment


class Surveys:
    def __init__(self, settings: Settings, triggers: SurveyTriggers) -> None:
        self.triggers = triggers
        self.definitions = {s.name: s for s in settings.surveys}

    def __call__(self, context: EventContext) -> None:
        event = context.event
        if event.kind is EventKind.transitioned:
            known = context.ticket_row.snapshot
            ticket = Ticket.model_validate_json(known) if known != "{}" else None
            self.triggers.on_transition(context.session, event, context.previous_category, ticket)
        elif event.kind is EventKind.survey_answered and event.survey is not None:
            answer = event.survey
            context.results.update(
                {
                    SCORE_FIELDS[answer.kind]: answer.score,
                    "survey_comment": field_comment(answer.comment),
                    "survey_status": STATUS_LABELS["answered"],
                }
            )
            survey = self.definitions.get(answer.survey)
            if (
                survey is not None
                and survey.follow_up is not None
                and answer.score <= survey.follow_up.threshold
            ):
                # Due a little later, moved by each new answer: its handler reads the latest one.
                due.schedule(
                    context.session,
                    FOLLOW_UP,
                    due_key(FOLLOW_UP, int(answer.send_id)),
                    answer.answered_at + survey.follow_up.after,
                    payload={"send": int(answer.send_id)},
                    platform=event.platform,
                    site=event.site,
                    ticket_key=event.ticket.key,
                )
