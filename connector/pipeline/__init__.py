"""What one TicketEvent does to the store, as a short sequence of steps (each its own module):

1. snapshot: the ticket as the store knows it (a deleted ticket ends here);
2. authors: who wrote the comment, checked against the store and the site's customer groups;
3. mood: a customer's comment scored onto the mood timeline, giving the mood results;
4. surveys: a resolution schedules survey sends, a reopening cancels them, an answer gives results;
5. ela: the ticket's ELA policies through the event (timers, escalations), giving the ELA results;
6. results: what the steps computed, queued in the outbox for the ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from adapters.events import TicketEvent
from connector.directory import GroupCache
from connector.ela.evaluate import Evaluator
from connector.pipeline.authors import CommentAuthor
from connector.pipeline.context import EventContext, Step
from connector.pipeline.ela import EvaluateEla
from connector.pipeline.mood import MoodTimeline
from connector.pipeline.results import QueueResults
from connector.pipeline.snapshot import ticket_snapshot
from connector.pipeline.surveys import Surveys
from connector.settings import Settings
from connector.surveys.clock import SYSTEM_CLOCK
from connector.surveys.triggers import SurveyTriggers
from sentiment.engines import Engine, bands_for

__all__ = ["EventContext", "Outcome", "Pipeline", "Step"]


@dataclass(frozen=True)
class Outcome:
    """What processing an event did, for logs, the demo and `ela status`."""

    scored: float | None = None  # the polarity of the comment, when one was scored
    queued: dict[str, Any] | None = None  # the result values queued for the ticket


class Pipeline:
    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        groups: GroupCache | None = None,
        *,
        surveys: Step | None = None,
    ) -> None:
        self.settings = settings
        self.bands = settings.mood.bands(bands_for(engine))
        self.ela = Evaluator(settings, self.bands)  # its timers' handler uses the same (connector.runtime)
        self.steps: list[Step] = [
            ticket_snapshot,
            CommentAuthor(groups),
            MoodTimeline(engine.score, self.bands, settings.mood),
            surveys or Surveys(settings, SurveyTriggers(settings, SYSTEM_CLOCK, groups)),
            EvaluateEla(self.ela),
            QueueResults(
                settings.writeback.coalesce_seconds, leading=settings.writeback.coalesce_from == "last_write"
            ),
        ]

    def process(self, session: Session, event: TicketEvent) -> Outcome:
        context = EventContext(session, event, self.settings.sites.get(event.site))
        for step in self.steps:
            step(context)
            if context.done:
                break
        return Outcome(scored=context.scored, queued=context.queued)
