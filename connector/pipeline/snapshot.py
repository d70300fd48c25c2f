"""Step: the ticket as the store knows it, updated from the event (a deleted ticket ends here)."""

from __future__ import annotations

from adapters.events import EventKind
from connector.pipeline.context import EventContext
from connector.store import outbox, tickets


def ticket_snapshot(context: EventContext) -> None:
    event = context.event
    if event.kind is EventKind.survey_answered:
        # Our own event carries the ticket as the store knew it: nothing to learn from it, and its
        # time must not hold back a platform event that happened earlier but arrives later.
        context.ticket = tickets.upsert_ticket(context.session, event, update=False)
        return
    if event.kind is EventKind.transitioned:
        context.previous_category = tickets.status_category_of(
            context.session, event.platform, event.site, event.ticket.key
        )
    context.ticket = tickets.upsert_ticket(context.session, event)
    if event.kind is EventKind.deleted:
        context.ticket.deleted = True
        outbox.cancel_pending(
            context.session,
            platform=event.platform,
            site=event.site,
            ticket_key=event.ticket.key,
            reason="ticket deleted",
        )
        context.done = True
