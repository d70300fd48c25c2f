"""What the steps of the pipeline share while one TicketEvent goes through them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from adapters.events import AuthorRole, TicketEvent
from adapters.settings import SiteSettings
from connector.store.models import TicketRow


@dataclass
class EventContext:
    session: Session  # the event's transaction: every step's effects commit with "done", or not at all
    event: TicketEvent
    site: SiteSettings | None  # None: the site has been removed from the configuration since
    ticket: TicketRow | None = None  # set by the snapshot step
    # The ticket's status category before this event (a transition's payload may not say where it
    # came from); set by the snapshot step for transitions, None when the store did not know it.
    previous_category: str | None = None
    author_role: AuthorRole | None = None  # the comment author's role, once checked against the store
    scored: float | None = None  # the polarity of the comment, when one was scored
    # The engine could read the comment's mood (False: a language it does not score: "unknown").
    mood_known: bool = True
    signals: frozenset[str] = frozenset()  # what the engine heard besides the mood, e.g. "chasing"
    results: dict[str, Any] = field(default_factory=dict)  # result values for the ticket, by logical key
    queued: dict[str, Any] | None = None  # what the outbox took of them
    done: bool = False  # a step has settled the event: the later steps do not run

    @property
    def ticket_row(self) -> TicketRow:
        assert self.ticket is not None, "the snapshot step runs first"
        return self.ticket


class Step(Protocol):
    """One step: reads and changes the context, and the store through its session."""

    def __call__(self, context: EventContext) -> None: ...
