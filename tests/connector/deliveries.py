"""Events stored as the intake stores them: one delivery of the test site, in the caller's transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from adapters.events import TicketEvent
from connector.store import events as event_store


def delivered(
    session: Session,
    *events: TicketEvent,
    key: str | None = None,
    webhook_event: str = "comment_created",
    body: bytes | None = None,
) -> event_store.StoredDelivery:
    """`events` as one delivery of site jira-prod, keyed `key` (default: the first event's id), with
    `body` (default: the first event's JSON)."""
    return event_store.store_delivery(
        session,
        platform="jira",
        site="jira-prod",
        delivery_key=key if key is not None else events[0].event_id,
        webhook_event=webhook_event,
        body=body if body is not None else events[0].to_json().encode(),
        events=events,
    )
