"""Step: surveys. A resolution schedules survey sends and a reopening cancels them
(connector.surveys.triggers); a survey answer becomes results (its score, comment and status) and, at
or below the survey's threshold, follow-ups for the agents, all through the outbox."""

from __future__ import annotations

from adapters.events import EventKind, SurveyAnswer
from connector.pipeline.context import EventContext
from connector.settings import Settings
from connector.settings.surveys import SurveyDefinition
from connector.store import outbox
from connector.surveys.definitions import SCORE_FIELDS
from connector.surveys.status import STATUS_LABELS
from connector.surveys.triggers import SurveyTriggers
from connector.surveys.writes import field_comment


class Surveys:
    def __init__(self, settings: Settings, triggers: SurveyTriggers) -> None:
        self.triggers = triggers
        self.definitions = {s.name: s for s in settings.surveys}

    def __call__(self, context: EventContext) -> None:
        event = context.event
        if event.kind is EventKind.transitioned:
            self.triggers.on_transition(context.session, event, context.previous_category)
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
                self._follow_up(context, survey, answer)

    def _follow_up(self, context: EventContext, survey: SurveyDefinition, answer: SurveyAnswer) -> None:
        """Once per send: a customer who changes a low score to another low score is one case."""
        assert survey.follow_up is not None
        event, session = context.event, context.session
        where = {"platform": event.platform, "site": event.site, "ticket_key": event.ticket.key}
        key = f"survey:{answer.send_id}:follow-up"
        if survey.follow_up.internal_comment:
            said = f"\n\nThe customer wrote:\n{answer.comment}" if answer.comment else " No comment."
            who = answer.respondent.name if answer.respondent and answer.respondent.name else "The customer"
            text = (
                f"{who} answered the {survey.kind.upper()} survey '{survey.name}' with "
                f"{answer.score} on a scale of {answer.scale_min}-{answer.scale_max} "
                f"(follow-up at {survey.follow_up.threshold} or below).{said}"
            )
            outbox.enqueue_comment(session, **where, text=text, public=False, key=key + ":comment")
        if survey.follow_up.label:
            outbox.enqueue_labels(session, **where, key=key + ":label", add=[survey.follow_up.label])
