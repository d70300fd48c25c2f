"""Builders of TicketEvents for the connector's own tests (the adapters' tests use real payloads)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest

from adapters.events import AuthorRole, Comment, EventKind, Person, Ticket, TicketEvent

EventFactory = Callable[..., TicketEvent]

CUSTOMER = Person(id="cust-1", name="Casey Customer", account_type="customer")
AGENT = Person(id="agent-1", name="Alex Agent", account_type="atlassian")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def make_event() -> EventFactory:
    serial = count(1)

    def build(
        kind: EventKind = EventKind.commented,
        *,
        key: str = "SD-1",
        site: str = "jira-prod",
        text: str | None = None,
        role: AuthorRole = AuthorRole.customer,
        comment_id: str | None = None,
        minutes: float | None = None,
        event_id: str | None = None,
        author: Person | None = None,
        **ticket: Any,
    ) -> TicketEvent:
        n = next(serial)
        at = T0 + timedelta(minutes=n if minutes is None else minutes)
        comment = None
        if kind in (EventKind.commented, EventKind.comment_edited, EventKind.comment_deleted):
            comment = Comment(
                id=comment_id or str(1000 + n),
                author=author or (CUSTOMER if role is AuthorRole.customer else AGENT),
                author_role=role,
                text=text or "",
                public=True,
                created_at=at,
                updated_at=at,
            )
        return TicketEvent(
            platform="jira",
            site=site,
            event_id=event_id or f"delivery-{n}:0",
            kind=kind,
            ticket=Ticket(
                key=key,
                id=str(10000 + int(key.rsplit("-", maxsplit=1)[-1])),
                project=key.split("-", maxsplit=1)[0],
                **ticket,
            ),
            comment=comment,
            occurred_at=at,
        )

    return build
