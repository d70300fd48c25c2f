"""Step: the event, in the words of the ELA policies, through the ticket's ELA evaluation; the ELA results
that changed join the ticket's results."""

from __future__ import annotations

from adapters.events import AuthorRole, EventKind
from connector.ela.evaluate import Evaluator
from connector.ela.observations import (
    AgentReply,
    CustomerMessage,
    MoodChanged,
    Observation,
    SurveyAnswered,
)
from connector.pipeline.context import EventContext

CHASING = "chasing"  # the signal a sentiment engine gives a message that asks for an update


def observations_of(context: EventContext) -> list[Observation]:
    event, comment, role = context.event, context.event.comment, context.author_role
    if event.kind is EventKind.survey_answered and event.survey is not None:
        answer = event.survey
        scale = (answer.scale_min, answer.scale_max)
        return [SurveyAnswered(answer.answered_at, answer.survey, answer.kind, answer.score, *scale)]
    if comment is None:
        return []
    at = comment.created_at or event.occurred_at
    if event.kind is EventKind.commented:
        if role is AuthorRole.customer:
            polarity = context.scored if context.mood_known else None
            return [CustomerMessage(at, polarity, chasing=CHASING in context.signals)]
        if role is AuthorRole.agent and comment.public:
            return [AgentReply(at)]
        return []
    if event.kind in (EventKind.comment_edited, EventKind.comment_deleted) and role is AuthorRole.customer:
        return [MoodChanged(event.occurred_at)]
    return []


class EvaluateEla:
    def __init__(self, evaluator: Evaluator) -> None:
        self.evaluator = evaluator

    def __call__(self, context: EventContext) -> None:
        if not self.evaluator.enabled:
            return
        values = self.evaluator.evaluate(
            context.session, context.ticket_row, observations_of(context), at=context.event.occurred_at
        )
        context.results.update(values)
