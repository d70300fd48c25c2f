"""What one TicketEvent does to the store: ticket snapshot, mood timeline, write-back queue."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from adapters.events import AuthorRole, EventKind, Ticket, TicketEvent
from connector.directory import GroupCache
from connector.mood import field_values, timeline_of
from connector.platforms import author_role
from connector.settings import Settings
from connector.store import tickets, writebacks
from connector.store.models import TicketRow
from sentiment import SentimentResult
from sentiment.engines import Engine, bands_for

log = logging.getLogger("ela.pipeline")

Scorer = Callable[[str], SentimentResult]

_SCORED_KINDS = (EventKind.commented, EventKind.comment_edited)


@dataclass(frozen=True)
class Outcome:
    """What processing an event did, for logs, the demo and `ela status`."""

    scored: float | None = None  # the polarity of the comment, when one was scored
    queued: dict[str, object] | None = None  # the write-back values queued


class Pipeline:
    def __init__(self, settings: Settings, engine: Engine, groups: GroupCache | None = None) -> None:
        self.settings = settings
        self.scorer: Scorer = engine.score
        self.bands = settings.mood.bands(bands_for(engine))
        self.groups = groups

    def process(self, session: Session, event: TicketEvent) -> Outcome:
        ticket = tickets.upsert_ticket(session, event)
        if event.kind is EventKind.deleted:
            ticket.deleted = True
            writebacks.cancel_pending(
                session, platform=event.platform.value, site=event.site, ticket_key=event.ticket.key
            )
            return Outcome()
        comment = event.comment
        if comment is None or self._role(event, ticket) is not AuthorRole.customer:
            return Outcome()
        if event.kind in _SCORED_KINDS:
            if not comment.text.strip():
                # Nothing of the customer's own words is left once quotes, code and signatures are
                # gone (e.g. a reply that only forwards a log): no mood to read.
                changed = tickets.delete_mood_entry(session, ticket, comment.id)
                return self._refresh(session, event, ticket) if changed else Outcome()
            result = self.scorer(comment.text)
            tickets.save_mood_entry(
                session,
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
            outcome = self._refresh(session, event, ticket)
            return Outcome(scored=result.polarity, queued=outcome.queued)
        if event.kind is EventKind.comment_deleted and tickets.delete_mood_entry(session, ticket, comment.id):
            return self._refresh(session, event, ticket)
        return Outcome()

    def _role(self, event: TicketEvent, ticket: TicketRow) -> AuthorRole:
        """The adapter decided from one payload; some payloads (Jira Cloud's comment events) carry a
        slim issue without the reporter, so an "agent" is checked again against everything the store
        knows about the ticket (requester, participants from earlier events), then against the
        site's customer groups (a platform lookup, cached)."""
        comment = event.comment
        assert comment is not None
        site = self.settings.sites.get(event.site)
        if comment.author_role is not AuthorRole.agent or site is None:
            return comment.author_role
        rules = site.customers.rules()
        known = Ticket.model_validate_json(ticket.snapshot)
        role = author_role(event.platform.value, comment.author, known, rules)
        if role is AuthorRole.agent and rules.customer_groups and comment.author and self.groups is not None:
            wanted = {g.casefold() for g in rules.customer_groups}
            if any(g.casefold() in wanted for g in self.groups.groups(event.site, comment.author)):
                return AuthorRole.customer
        return role

    def _refresh(self, session: Session, event: TicketEvent, ticket: TicketRow) -> Outcome:
        polarities = [p for _, p in tickets.timeline_polarities(session, ticket)]
        timeline = timeline_of(polarities, self.settings.mood)
        ticket.baseline_polarity = timeline.baseline if timeline else None
        ticket.current_polarity = timeline.current if timeline else None
        ticket.lowest_polarity = timeline.lowest if timeline else None
        ticket.trend = timeline.trend.value if timeline else None
        ticket.customer_messages = timeline.messages if timeline else 0
        ticket.last_customer_at = event.occurred_at if timeline else None
        site = self.settings.sites.get(event.site)
        if site is None:
            return Outcome()
        mapped = site.fields.mapped()
        computed = field_values(timeline, self.settings.mood, self.bands)
        values = {k: v for k, v in computed.items() if k in mapped}
        if not values:
            return Outcome()
        writebacks.enqueue(
            session,
            platform=event.platform.value,
            site=event.site,
            ticket_key=event.ticket.key,
            values=values,
            delay=timedelta(seconds=self.settings.writeback.coalesce_seconds),
        )
        return Outcome(queued=dict(values))
