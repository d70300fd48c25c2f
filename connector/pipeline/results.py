"""Step: the results the earlier steps computed, queued in the outbox for the ticket (coalesced)."""

from __future__ import annotations

from datetime import timedelta

from adapters.results import RESULTS
from connector.pipeline.context import EventContext
from connector.store import outbox


class QueueResults:
    def __init__(self, coalesce_seconds: float, leading: bool = True) -> None:
        self.delay = timedelta(seconds=coalesce_seconds)
        self.leading = leading

    def __call__(self, context: EventContext) -> None:
        unknown = set(context.results) - set(RESULTS)
        if unknown:
            raise ValueError(f"results not in the result-field table: {sorted(unknown)}")
        if context.site is None or not context.results:
            return
        mapped = context.site.fields.mapped()
        values = {key: value for key, value in context.results.items() if key in mapped}
        if not values:
            return
        event = context.event
        outbox.enqueue_fields(
            context.session,
            platform=event.platform,
            site=event.site,
            ticket_key=event.ticket.key,
            values=values,
            delay=self.delay,
            leading=self.leading,
        )
        context.queued = values
