"""Step: the ticket as the store knows it, updated from the event (a deleted ticket ends here)."""

from __future__ import annotations

from adapters.events import EventKind
from connector.pipeline.context import EventContext
from connector.store import outbox, tickets


def ticket_snapshot(context: EventContext) -> None:
    event = context.event
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
