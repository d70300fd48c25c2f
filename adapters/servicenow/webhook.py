"""The business rule's deliveries to TicketEvents, with no network I/O: bytes in, events out.

ServiceNow has no webhooks; `business_rule.js` (shipped beside this module) posts one JSON object per
insert, update or delete of an incident or case:

    {"source": "ela-connector", "version": 1, "operation": "update", "table": "incident",
     "sys_id": "...", "sys_mod_count": "5", "sys_updated_on": "2024-01-05 10:00:00",
     "record": {"number": {"value": "INC0010001", "display_value": "INC0010001"}, "state": {...}, ...},
     "changes": [{"field": "state", "previous": {"value": "1", "display_value": "New"},
                  "current": {"value": "2", "display_value": "In Progress"}}],
     "journal": [{"sys_id": "...", "element": "comments", "value": "...", "sys_created_on": "...",
                  "sys_created_by": "casey", "author": {"sys_id": "...", "user_name": "casey",
                  "name": "Casey", "email": "...", "roles": [], "in_assignment_group": false}}]}

`record` holds each field as the Table API gives it with `sysparm_display_value=all`, so one reader
serves push and pull. `author.roles` lists the agent roles (the script's AGENT_ROLES) the author holds.
Dispatch is on `operation` through `HANDLERS`; a body with the business rule's `source` but an operation
we do not handle is answered 200 with its reason, anything else that is not such a body is a 400.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.base import InboundRequest, ParseResult, RoleRules, WebhookAuth
from adapters.errors import PayloadRejected
from adapters.events import Person, Ticket, TicketEvent
from adapters.payload import JsonObject, decode, obj, objects, strings, text
from adapters.servicenow import roles
from adapters.servicenow.auth import authenticate
from adapters.servicenow.builder import WATCHED_FIELDS, Change, EventBuilder
from adapters.servicenow.record import RecordRef, ticket
from adapters.servicenow.states import StateMap
from adapters.servicenow.values import SYS_ID, datetime_of, display, integer, value

SOURCE = "ela-connector"
DELIVERY_HEADER = "X-ELA-Delivery"
TABLES = ("incident", "sn_customerservice_case")
_IDENTIFIER = re.compile(r"[\x21-\x7e]{1,128}")
# INC0010001, CS0001001: a number prefix and digits. Checked because the key travels into queries.
NUMBER = re.compile(r"[A-Za-z]{1,16}[0-9]{1,20}")


def delivery_key(request: InboundRequest) -> str:
    identifier = request.headers.get(DELIVERY_HEADER, "").strip()
    if _IDENTIFIER.fullmatch(identifier):
        return identifier
    return "sha256-" + hashlib.sha256(request.body).hexdigest()


def journal_author(entry: JsonObject) -> Person | None:
    """The author the business rule looked up for an entry (it runs inside ServiceNow, so it knows the
    user's roles and whether they are in the ticket's assignment group)."""
    author = obj(entry, "author")
    user_name = text(author, "user_name") or value(entry, "sys_created_by")
    sys_id = text(author, "sys_id")
    if author is None and user_name is None:
        return None
    held = strings(author, "roles") if author is not None and isinstance(author.get("roles"), list) else None
    in_group = author.get("in_assignment_group") if author is not None else None
    kind = roles.account_type(
        user_name,
        roles=held,
        in_assignment_group=in_group if isinstance(in_group, bool) else None,
        agent_roles=held or (),  # the script sends only the agent roles the author holds
        system_accounts=(),
        sys_id=sys_id,
    )
    return Person(
        id=sys_id or user_name,
        name=text(author, "name") or user_name,
        email=text(author, "email"),
        account_type=kind,
    )


@dataclass(frozen=True)
class _Delivery:
    payload: dict[str, Any]
    operation: str
    site: str
    key: str
    rules: RoleRules

    @property
    def builder(self) -> EventBuilder:
        return EventBuilder(self.site, self.rules, StateMap())

    def record(self) -> tuple[RecordRef, Ticket, JsonObject]:
        table = text(self.payload, "table")
        if table not in TABLES:
            raise PayloadRejected(
                f"table {str(table)[:40]!r} is not one the connector serves ({', '.join(TABLES)})"
            )
        sys_id = text(self.payload, "sys_id")
        if sys_id is None or not SYS_ID.fullmatch(sys_id):
            raise PayloadRejected("no valid 'sys_id'")
        record = obj(self.payload, "record")
        if record is None:
            raise PayloadRejected(f"{self.operation} without a 'record' object")
        number = value(record, "number")
        if number is None or not NUMBER.fullmatch(number):
            raise PayloadRejected(f"record number {str(number)[:40]!r} is not a ServiceNow number")
        ref = RecordRef(table, sys_id, number)
        return ref, ticket(ref, record, StateMap()), record

    def updated_at(self, record: JsonObject) -> datetime:
        when = datetime_of(self.payload, "sys_updated_on") or datetime_of(record, "sys_updated_on")
        if when is None:
            raise PayloadRejected(f"{self.operation} without 'sys_updated_on'")
        return when

    def journal_events(self, the_ticket: Ticket) -> list[TicketEvent]:
        return [
            self.builder.commented(the_ticket, entry, journal_author(entry))
            for entry in objects(self.payload, "journal")
        ]

    def result(self, events: list[TicketEvent], ignored: str | None = None) -> ParseResult:
        return ParseResult(
            events=tuple(events),
            webhook_event=f"{text(self.payload, 'table') or '?'}.{self.operation}",
            ignored_reason=None if events else (ignored or "nothing the connector follows changed"),
            delivery_key=self.key,
        )


def _changes(payload: JsonObject) -> list[Change]:
    found = []
    for item in objects(payload, "changes"):
        field = text(item, "field")
        if field not in WATCHED_FIELDS:
            continue
        found.append(
            Change(
                field=field,
                old=value(item, "previous"),
                new=value(item, "current"),
                old_shown=display(item, "previous"),
                new_shown=display(item, "current"),
            )
        )
    return found


def _inserted(delivery: _Delivery) -> ParseResult:
    ref, the_ticket, record = delivery.record()
    when = datetime_of(record, "sys_created_on") or delivery.updated_at(record)
    events = [delivery.builder.created(ref, the_ticket, when, delivery.payload)]
    return delivery.result(events + delivery.journal_events(the_ticket))


def _updated(delivery: _Delivery) -> ParseResult:
    ref, the_ticket, record = delivery.record()
    mod_count = integer(delivery.payload, "sys_mod_count")
    if mod_count is None:
        mod_count = integer(record, "sys_mod_count")
    if mod_count is None:
        raise PayloadRejected("update without 'sys_mod_count'")
    events = delivery.builder.changed(
        ref, the_ticket, mod_count, _changes(delivery.payload), delivery.updated_at(record), delivery.payload
    )
    return delivery.result(events + delivery.journal_events(the_ticket), "only untracked fields changed")


def _deleted(delivery: _Delivery) -> ParseResult:
    ref, the_ticket, record = delivery.record()
    return delivery.result(
        [delivery.builder.deleted(ref, the_ticket, delivery.updated_at(record), delivery.payload)]
    )


HANDLERS: dict[str, Callable[[_Delivery], ParseResult]] = {
    "insert": _inserted,
    "update": _updated,
    "delete": _deleted,
}
SUPPORTED_OPERATIONS = frozenset(HANDLERS)
# A business rule can also run on query and display; neither changes anything.
IGNORED_OPERATIONS = frozenset({"query", "display"})


def parse(request: InboundRequest, site: str, rules: RoleRules) -> ParseResult:
    payload = decode(request.body, "ServiceNow")
    if payload.get("source") != SOURCE:
        raise PayloadRejected(f"not a delivery of the connector's business rule: 'source' is not {SOURCE!r}")
    version = payload.get("version")
    if version != 1:
        raise PayloadRejected(
            f"payload version {str(version)[:10]} is not 1: install the connector's current business_rule.js"
        )
    operation = payload.get("operation")
    if not isinstance(operation, str) or not operation:
        raise PayloadRejected("no 'operation' string")
    handler = HANDLERS.get(operation)
    if handler is None:
        reason = (
            f"{operation}: a business rule operation that changes nothing"
            if operation in IGNORED_OPERATIONS
            else f"{operation[:40]}: an operation the connector does not handle"
        )
        return ParseResult(
            webhook_event=operation[:40], ignored_reason=reason, delivery_key=delivery_key(request)
        )
    return handler(_Delivery(payload, operation, site, delivery_key(request), rules))


class ServiceNowAdapter:
    """The Adapter for ServiceNow (incidents and CSM cases), fed by the shipped business rule."""

    platform = "servicenow"
    known_events = SUPPORTED_OPERATIONS | IGNORED_OPERATIONS  # the event names metrics may carry

    def authenticate(self, request: InboundRequest, auth: WebhookAuth) -> None:
        authenticate(request, auth)

    def parse(self, request: InboundRequest, site: str, rules: RoleRules) -> ParseResult:
        return parse(request, site, rules)


ADAPTER = ServiceNowAdapter()
