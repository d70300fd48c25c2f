"""A ServiceNow record (incident or CSM case) to the normalised Ticket.

The same reader serves the business rule's payload and the Table API's answers: the business rule writes
the record in the `sysparm_display_value=all` shape, which the poller asks the Table API for too.
"""

from __future__ import annotations

from dataclasses import dataclass

from adapters.events import Person, Ticket
from adapters.payload import JsonObject
from adapters.servicenow.states import StateMap
from adapters.servicenow.values import datetime_of, display, value

TABLE_LABELS = {"incident": "Incident", "sn_customerservice_case": "Case"}
# Who the ticket is for, by table: the first one set is the requester, the others count as customers too.
# Incident: the caller, and the person it was opened for; a CSM case: the customer contact (and the
# consumer for business-to-consumer service).
CUSTOMER_FIELDS = ("caller_id", "contact", "opened_for", "consumer")
# The fields the poller asks for, and the business rule sends.
RECORD_FIELDS = (
    "sys_id",
    "number",
    "sys_class_name",
    "short_description",
    "state",
    "priority",
    "impact",
    "urgency",
    "category",
    *CUSTOMER_FIELDS,
    "assigned_to",
    "assignment_group",
    "opened_at",
    "resolved_at",
    "closed_at",
    "sys_created_on",
    "sys_updated_on",
    "sys_mod_count",
)


@dataclass(frozen=True)
class RecordRef:
    """Where a ticket lives: its table and sys_id, and its number (the ticket's key)."""

    table: str
    sys_id: str
    number: str


def person(record: JsonObject | None, name: str) -> Person | None:
    """A reference to sys_user: its sys_id, and the user's name when the answer carries display values."""
    sys_id = value(record, name)
    if sys_id is None:
        return None
    shown = display(record, name)
    return Person(id=sys_id, name=shown if shown != sys_id else None)


def customers(record: JsonObject | None) -> list[Person]:
    found: list[Person] = []
    for name in CUSTOMER_FIELDS:
        who = person(record, name)
        if who is not None and all(who.id != other.id for other in found):
            found.append(who)
    return found


def ticket(ref: RecordRef, record: JsonObject, states: StateMap) -> Ticket:
    state = value(record, "state")
    named = display(record, "state")
    status = named if named != state else states.name(ref.table, state)
    people = customers(record)
    category = states.category(ref.table, state)
    return Ticket(
        key=ref.number,
        id=ref.sys_id,
        project=ref.table,
        type=TABLE_LABELS.get(ref.table, ref.table),
        request_type=display(record, "category"),
        priority=display(record, "priority"),
        status=status,
        status_category=category,
        summary=display(record, "short_description"),
        requester=people[0] if people else None,
        participants=tuple(people[1:]),
        assignee=person(record, "assigned_to"),
        created_at=datetime_of(record, "opened_at") or datetime_of(record, "sys_created_on"),
        resolved_at=datetime_of(record, "resolved_at") or datetime_of(record, "closed_at"),
    )
