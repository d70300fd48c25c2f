"""TicketEvents from what ServiceNow says happened, the same whether the business rule pushed it or the
poller found it. The event ids are built here, once, from what both ways see alike:

- a record created: its table and sys_id (`...:incident:<sys_id>:created`);
- a state or field change: the record and its update count (`sys_mod_count` after the update, which
  the business rule reads from the record and the poller from the audit row's `record_checkpoint`);
- a journal entry: its own sys_id in `sys_journal_field` (`...:journal:<sys_id>`);
- a record deleted: its table and sys_id (only the business rule sees deletions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.base import RoleRules
from adapters.errors import PayloadRejected
from adapters.events import EventKind, FieldChange, Person, Ticket, TicketEvent, Transition
from adapters.payload import JsonObject
from adapters.servicenow import journal
from adapters.servicenow.record import RecordRef
from adapters.servicenow.states import StateMap

PLATFORM = "servicenow"
# Field -> our name for it in FieldChange. `state` is a transition, not a field change.
TRACKED_FIELDS = {
    "priority": "priority",
    "assigned_to": "assignee",
    "assignment_group": "assignment_group",
}
WATCHED_FIELDS = ("state", *TRACKED_FIELDS)


@dataclass(frozen=True)
class Change:
    """One field's change in one update: raw values and, where known, what a person sees."""

    field: str
    old: str | None
    new: str | None
    old_shown: str | None = None
    new_shown: str | None = None


@dataclass(frozen=True)
class EventBuilder:
    site: str
    rules: RoleRules
    states: StateMap

    def _id(self, *parts: str) -> str:
        return ":".join((PLATFORM, self.site, *parts))

    def _event(
        self, event_id: str, kind: EventKind, ticket: Ticket, when: datetime, raw: Any, **rest: Any
    ) -> TicketEvent:
        return TicketEvent(
            platform=PLATFORM,
            site=self.site,
            event_id=event_id,
            kind=kind,
            ticket=ticket,
            occurred_at=when,
            raw=dict(raw) if isinstance(raw, dict) else {"value": raw},
            **rest,
        )

    def created(self, ref: RecordRef, ticket: Ticket, when: datetime, raw: Any) -> TicketEvent:
        return self._event(self._id(ref.table, ref.sys_id, "created"), EventKind.created, ticket, when, raw)

    def deleted(self, ref: RecordRef, ticket: Ticket, when: datetime, raw: Any) -> TicketEvent:
        return self._event(self._id(ref.table, ref.sys_id, "deleted"), EventKind.deleted, ticket, when, raw)

    def changed(  # noqa: PLR0917 (one update: where, what, which update, its changes, when, raw)
        self,
        ref: RecordRef,
        ticket: Ticket,
        mod_count: int,
        changes: Sequence[Change],
        when: datetime,
        raw: Any,
    ) -> list[TicketEvent]:
        """The transition and the field changes of one update (the one that made `sys_mod_count`)."""
        events: list[TicketEvent] = []
        base = (ref.table, ref.sys_id, str(mod_count))
        for change in changes:
            if change.field == "state" and change.new is not None and change.new != change.old:
                transition = Transition(
                    from_status=change.old_shown or self.states.name(ref.table, change.old),
                    to_status=change.new_shown or self.states.name(ref.table, change.new) or change.new,
                    from_category=self.states.category(ref.table, change.old),
                    to_category=self.states.category(ref.table, change.new),
                )
                events.append(
                    self._event(
                        self._id(*base, "transitioned"),
                        EventKind.transitioned,
                        ticket,
                        when,
                        raw,
                        transition=transition,
                    )
                )
        tracked = [
            FieldChange(
                field=TRACKED_FIELDS[c.field],
                from_value=c.old_shown or c.old,
                to_value=c.new_shown or c.new,
            )
            for c in changes
            if c.field in TRACKED_FIELDS and c.old != c.new
        ]
        if tracked:
            events.append(
                self._event(
                    self._id(*base, "updated"), EventKind.updated, ticket, when, raw, changes=tuple(tracked)
                )
            )
        return events

    def commented(self, ticket: Ticket, entry: JsonObject, author: Person | None) -> TicketEvent:
        comment = journal.comment(entry, author, ticket, self.rules)
        when = comment.created_at
        if when is None:
            raise PayloadRejected(f"journal entry {comment.id} has no sys_created_on")
        return self._event(
            self._id("journal", comment.id), EventKind.commented, ticket, when, entry, comment=comment
        )
