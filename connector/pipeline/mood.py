"""Step: a customer's comment scored onto the ticket's mood timeline, and the mood results it gives."""

from __future__ import annotations

from collections.abc import Callable

from adapters.events import AuthorRole, Comment, EventKind
from connector.pipeline.context import EventContext
from connector.results import mood_values
from connector.settings import MoodSettings
from connector.store import tickets
from connector.timeline import timeline_of
from sentiment import SentimentResult, has_own_words
from sentiment.mood import MoodBands

Scorer = Callable[[str], SentimentResult]

_SCORED_KINDS = (EventKind.commented, EventKind.comment_edited, EventKind.survey_answered)


class MoodTimeline:
    def __init__(self, scorer: Scorer, bands: MoodBands, settings: MoodSettings) -> None:
        self.scorer = scorer
        self.bands = bands
        self.settings = settings

    def __call__(self, context: EventContext) -> None:
        event, comment = context.event, context.event.comment
        if event.kind is EventKind.survey_answered and event.survey is not None:
            # A survey answer's comment is the customer's own words: one entry per survey send,
            # rescored when the customer changes it.
            answer = event.survey
            comment = Comment(
                id=f"survey:{answer.send_id}",
                author=answer.respondent,
                author_role=AuthorRole.customer,
                text=answer.comment or "",
                public=False,
                created_at=answer.answered_at,
            )
            context.author_role = AuthorRole.customer
        if comment is None or context.author_role is not AuthorRole.customer:
            return
        ticket = context.ticket_row
        if event.kind in _SCORED_KINDS and has_own_words(comment.text):
            result = self.scorer(comment.text)
            # Engines that tell an unscored language apart (mood "unknown") or hear signals such as a
            # customer chasing say so on their results; others score everything and hear nothing more.
            context.signals = frozenset(getattr(result, "signals", frozenset()))
            if not getattr(result, "scored", True):
                context.mood_known = False
                return  # an unknown mood is no point of the timeline: it neither lowers nor lifts it
            tickets.save_mood_entry(
                context.session,
                ticket,
                comment_id=comment.id,
                author_id=comment.author.id if comment.author else None,
                at=comment.created_at or event.occurred_at,
                polarity=result.polarity,
                label=result.label,
                mood=self.bands.band(result.polarity).value,
                engine=result.engine,
                text_chars=len(comment.text),
            )
            context.scored = result.polarity
        elif event.kind in _SCORED_KINDS or event.kind is EventKind.comment_deleted:
            # Deleted, or nothing of the customer's own words is left once quotes, code and signatures
            # are gone (e.g. a reply that only forwards a log): no mood to read from it any more.
            if not tickets.delete_mood_entry(context.session, ticket, comment.id):
                return
        else:
            return
        polarities = [p for _, p in tickets.timeline_polarities(context.session, ticket)]
        timeline = timeline_of(polarities, self.settings)
        ticket.baseline_polarity = timeline.baseline if timeline else None
        ticket.current_polarity = timeline.current if timeline else None
        ticket.lowest_polarity = timeline.lowest if timeline else None
        ticket.trend = timeline.trend.value if timeline else None
        ticket.customer_messages = timeline.messages if timeline else 0
        ticket.last_customer_at = event.occurred_at if timeline else None
        context.results.update(mood_values(timeline, self.settings, self.bands))
