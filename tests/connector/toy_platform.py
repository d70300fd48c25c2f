"""A platform that exists only in the tests: proof that adding one needs no line in connector/.

Its webhook is `{"id", "ticket", "title", "comment": {"id", "author", "customer", "text"}}` signed with
`X-Toy-Signature: <hex HMAC-SHA256>`; its "REST API" is the `ToyDesk` below, which keeps state the way a
real platform would (fields, comments, labels per ticket) and refuses what a real one would refuse.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from adapters.base import FieldValue, InboundRequest, ParseResult, RoleRules, TicketWriter, WebhookAuth
from adapters.errors import PayloadRejected, PermanentWriteError, Unauthorized
from adapters.events import AuthorRole, Comment, EventKind, Person, Ticket, TicketEvent
from adapters.platform import Platform, SetupResult
from adapters.results import FieldSpec
from adapters.settings import SiteSettings


class ToySiteSettings(SiteSettings):
    platform: Literal["toy"]
    desk: str  # which ToyDesk the site is


@dataclass
class ToyDesk:
    """The toy platform's server side."""

    fields: dict[str, str] = field(default_factory=dict)  # field name -> field id, made by setup
    values: dict[str, dict[str, FieldValue]] = field(default_factory=dict)  # ticket -> field id -> value
    comments: dict[str, list[tuple[str, str, bool]]] = field(default_factory=dict)  # (id, text, public)
    labels: dict[str, set[str]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(100))


DESKS: dict[str, ToyDesk] = {}


class ToyWriter(TicketWriter):
    def __init__(self, site: ToySiteSettings) -> None:
        self.desk = DESKS[site.desk]
        self.mapping = site.fields.mapped()  # logical key -> field name

    def _field_id(self, key: str) -> str:
        name = self.mapping.get(key)
        if name is None or name not in self.desk.fields:
            raise PermanentWriteError(f"no toy field for {key!r}")
        return self.desk.fields[name]

    def write_fields(self, ticket_key: str, values: Mapping[str, FieldValue]) -> None:
        self.desk.calls.append(f"write {ticket_key} {sorted(values)}")
        ticket = self.desk.values.setdefault(ticket_key, {})
        ticket.update({self._field_id(k): v for k, v in values.items()})

    def read_fields(self, ticket_key: str, keys: list[str]) -> dict[str, FieldValue]:
        ticket = self.desk.values.get(ticket_key, {})
        return {k: ticket.get(self._field_id(k)) for k in keys}

    def add_comment(self, ticket_key: str, text: str, *, public: bool) -> str:
        comment_id = str(next(self.desk._ids))
        self.desk.comments.setdefault(ticket_key, []).append((comment_id, text, public))
        return comment_id

    def find_comment(
        self, ticket_key: str, text: str, *, since: datetime, exclude: Sequence[str] = ()
    ) -> str | None:
        for comment_id, body, _ in self.desk.comments.get(ticket_key, []):
            if body == text and comment_id not in exclude:
                return comment_id
        return None

    def change_labels(self, ticket_key: str, *, add: Sequence[str] = (), remove: Sequence[str] = ()) -> None:
        labels = self.desk.labels.setdefault(ticket_key, set())
        labels.update(add)
        labels.difference_update(remove)


class ToyAdapter:
    platform = "toy"
    known_events = frozenset({"comment"})

    def authenticate(self, request: InboundRequest, auth: WebhookAuth) -> None:
        wanted = hmac.new((auth.secret or "").encode(), request.body, hashlib.sha256).hexdigest()
        if not auth.secret or not hmac.compare_digest(wanted, request.headers.get("X-Toy-Signature", "")):
            raise Unauthorized("bad X-Toy-Signature")

    def parse(self, request: InboundRequest, site: str, rules: RoleRules) -> ParseResult:
        try:
            payload = json.loads(request.body)
            ticket = Ticket(key=payload["ticket"], summary=payload["title"], project="TOY")
            raw = payload["comment"]
        except (ValueError, KeyError, TypeError) as exc:
            raise PayloadRejected(f"not a toy webhook: {exc}") from None
        comment = Comment(
            id=str(raw["id"]),
            author=Person(id=raw["author"]),
            author_role=AuthorRole.customer if raw.get("customer") else AuthorRole.agent,
            text=str(raw["text"]),
            public=True,
        )
        event = TicketEvent(
            platform="toy",
            site=site,
            event_id=f"toy:{site}:{payload['id']}",
            kind=EventKind.commented,
            ticket=ticket,
            comment=comment,
            occurred_at=datetime.now(UTC),
            raw=payload,
        )
        return ParseResult(events=(event,), webhook_event="comment", delivery_key=str(payload["id"]))


def toy_author_role(author: Person | None, ticket: Ticket, rules: RoleRules) -> AuthorRole:
    return AuthorRole.agent


def toy_setup(site: ToySiteSettings, specs: Sequence[FieldSpec], writer: TicketWriter) -> SetupResult:
    desk = DESKS[site.desk]
    made = {}
    for spec in specs:
        made[spec.key] = desk.fields.setdefault(spec.name, f"toyfield_{len(desk.fields) + 1}")
    return SetupResult(made)


PLATFORM: Platform[ToySiteSettings] = Platform(
    name="toy",
    label="Toy",
    settings=ToySiteSettings,
    adapter=ToyAdapter(),
    writer=ToyWriter,
    author_role=toy_author_role,
    setup=toy_setup,
)
