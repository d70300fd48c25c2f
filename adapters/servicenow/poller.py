"""Pull mode: what changed on a ServiceNow instance since the last poll, read from the Table API.

Three streams, each read in the order its rows were created and each with its own mark in the cursor
(a small JSON object), because each holds rows that never change once written:
- records created (`sys_created_on` on each table served): created events;
- audit rows (`sys_audit` of `state`, `priority`, `assigned_to`, `assignment_group`): transitions and
  field changes, grouped by record and update count (`record_checkpoint`, the record's `sys_mod_count`
  after that update: the business rule keys the same update by it);
- journal entries (`sys_journal_field`, `comments` and `work_notes`): comments, keyed by their sys_id.
The records the audit rows and entries belong to are read once per poll, for the ticket they describe.

Every stream starts `overlap_seconds` before its mark: a row saved in the very second of the last
poll's query may not have been visible to it. Rows read twice give the same event ids, which the
store keeps once. Journal authors are looked up once (sys_user, their roles, their groups) and kept
for ten minutes; the lookups need read access to sys_user, sys_user_has_role and sys_user_grmember.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from adapters.base import PollPage, RoleRules
from adapters.errors import PermanentWriteError, WriteError
from adapters.events import Person, TicketEvent
from adapters.payload import JsonObject
from adapters.servicenow import queries, roles
from adapters.servicenow.builder import TRACKED_FIELDS, WATCHED_FIELDS, Change, EventBuilder
from adapters.servicenow.http import DisplayValue, TableApi
from adapters.servicenow.journal import ELEMENTS
from adapters.servicenow.queries import Query
from adapters.servicenow.record import RECORD_FIELDS, RecordRef, ticket
from adapters.servicenow.settings import ServiceNowSiteSettings
from adapters.servicenow.states import StateMap
from adapters.servicenow.values import (
    SYS_ID,
    datetime_of,
    display,
    format_datetime,
    integer,
    sn_datetime,
    value,
)
from adapters.servicenow.writer import ServiceNowWriter
from adapters.settings import PullSettings

STREAMS = ("created", "audit", "journal")
_IDS_PER_QUERY = 100
_KIND_ORDER = {"created": 0, "transitioned": 1, "updated": 2, "commented": 3}


@dataclass
class _Author:
    person: Person | None
    roles: frozenset[str] | None
    groups: frozenset[str] | None


@dataclass
class UserLookup:
    """Journal authors by user name, with their roles and groups, kept for `ttl` seconds."""

    api: TableApi
    ttl: float = 600.0
    _cache: dict[str, tuple[float, _Author]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def author(self, user_name: str) -> _Author:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(user_name)
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        found = self._look_up(user_name)
        with self._lock:
            self._cache[user_name] = (now, found)
        return found

    def _look_up(self, user_name: str) -> _Author:
        users = next(
            self.api.records(
                "sys_user",
                query=queries.equals("user_name", user_name),
                fields=["sys_id", "user_name", "name", "email"],
                page_size=1,
                max_pages=1,
                action=f"look up user {user_name}",
                forbidden_hint="the connector's user must be able to read sys_user",
            ),
            [],
        )
        if not users:
            return _Author(None, None, None)
        user = users[0]
        sys_id = value(user, "sys_id")
        person = Person(
            id=sys_id or user_name, name=value(user, "name") or user_name, email=value(user, "email")
        )
        if sys_id is None:
            return _Author(person, None, None)
        try:
            held = self._names("sys_user_has_role", sys_id, "role", display_value=True)
            groups = self._names("sys_user_grmember", sys_id, "group", display_value=False)
        except PermanentWriteError:
            # No read access to roles or memberships: the author's side stays unknown (an agent).
            return _Author(person, None, None)
        return _Author(person, held, groups)

    def _names(self, table: str, sys_id: str, column: str, *, display_value: bool) -> frozenset[str]:
        found: set[str] = set()
        for page in self.api.records(
            table,
            query=queries.equals("user", sys_id),
            fields=[column],
            display_value=display_value,
            action=f"list {column}s of user {sys_id}",
            forbidden_hint=f"the connector's user must be able to read {table}",
        ):
            found.update(v for entry in page if (v := display(entry, column)))
        return frozenset(found)


class ServiceNowPoller:
    def __init__(
        self,
        site: ServiceNowSiteSettings,
        writer: ServiceNowWriter,
        *,
        clock: Any = None,
    ) -> None:
        self.site_settings = site
        self.settings: PullSettings = site.pull
        self.api = writer.api
        self.tables = tuple(site.tables)
        self.agent_roles = tuple(site.agent_roles)
        self.users = UserLookup(self.api)
        self.states = StateMap()
        self._clock = clock or (lambda: datetime.now().astimezone())

    def poll(self, cursor: str | None, *, site: str, rules: RoleRules) -> PollPage:
        marks = _marks(cursor)
        start = self._clock() - timedelta(minutes=self.settings.lookback_minutes)
        overlap = timedelta(seconds=self.settings.overlap_seconds)
        since = {s: (marks[s] - overlap if s in marks else start) for s in STREAMS}
        builder = EventBuilder(site, rules, self.states)
        events: list[TicketEvent] = []
        more = False

        created, done = self._created(since["created"])
        more |= not done
        for table, record in created:
            ref, the_ticket = self._ticket(table, record)
            when = datetime_of(record, "sys_created_on")
            if ref is not None and the_ticket is not None and when is not None:
                events.append(builder.created(ref, the_ticket, when, record))

        audits, done = self._rows("sys_audit", self._audit_query(since["audit"]), _AUDIT_FIELDS)
        more |= not done
        entries, done = self._rows(
            "sys_journal_field", self._journal_query(since["journal"]), _JOURNAL_FIELDS
        )
        more |= not done
        records = self._records(
            [(value(a, "tablename"), value(a, "documentkey")) for a in audits]
            + [(value(e, "name"), value(e, "element_id")) for e in entries]
        )
        events += self._changes(builder, audits, records)
        for entry in entries:
            key = (value(entry, "name") or "", value(entry, "element_id") or "")
            found = records.get(key)
            if found is None:
                continue  # the record was deleted since, or is not readable
            ref, the_ticket = self._ticket(key[0], found)
            if the_ticket is None:
                continue
            events.append(builder.commented(the_ticket, entry, self._author(entry, found, rules)))

        new_marks = dict(marks)
        for stream, rows in (("created", [r for _, r in created]), ("audit", audits), ("journal", entries)):
            times = [t for row in rows if (t := datetime_of(row, "sys_created_on")) is not None]
            if times:
                new_marks[stream] = max([*times, *([marks[stream]] if stream in marks else [])])
            elif stream not in marks:
                new_marks[stream] = start
        events.sort(key=lambda e: (e.occurred_at, _KIND_ORDER.get(e.kind.value, 9), e.event_id))
        return PollPage(tuple(events), _cursor(new_marks), more=more)

    # queries ---------------------------------------------------------------------------------------

    def _audit_query(self, since: datetime) -> tuple[str, Query]:
        return "sys_audit", queries.audit_since(self.tables, WATCHED_FIELDS, since)

    def _journal_query(self, since: datetime) -> tuple[str, Query]:
        return "sys_journal_field", queries.journal_since(self.tables, ELEMENTS, since)

    def _rows(
        self,
        what: str,
        table_query: tuple[str, Query],
        fields: Sequence[str],
        display_value: DisplayValue = False,
    ) -> tuple[list[dict[str, Any]], bool]:
        """Up to max_pages pages; `done` is False when the poll stopped with pages left."""
        table, query = table_query
        rows: list[dict[str, Any]] = []
        pages = 0
        limit = self.settings.max_pages
        for page in self.api.records(
            table,
            query=query,
            fields=list(fields),
            display_value=display_value,
            page_size=self.settings.page_size,
            max_pages=limit,
            action=f"poll {table}",
            forbidden_hint=_READ_HINT.get(table, f"the connector's user must be able to read {table}"),
        ):
            rows += page
            pages += 1
        return rows, not (pages >= limit and len(rows) >= limit * self.settings.page_size)

    def _created(self, since: datetime) -> tuple[list[tuple[str, dict[str, Any]]], bool]:
        found: list[tuple[str, dict[str, Any]]] = []
        done = True
        for table in self.tables:
            rows, finished = self._rows(
                table,
                (table, queries.created_since(since)),
                RECORD_FIELDS,
                display_value="all",  # the ticket as the business rule describes it, names and all
            )
            done &= finished
            found += [(table, row) for row in rows]
        return found, done

    def _records(
        self, keys: Iterable[tuple[str | None, str | None]]
    ) -> dict[tuple[str, str], dict[str, Any]]:
        """The records by (table, sys_id), read in chunks with display values."""
        wanted: dict[str, list[str]] = {}
        for table, sys_id in keys:
            # A key that is not a sys_id (a damaged audit row) could not be put in the query.
            if table not in self.tables or not sys_id or not SYS_ID.fullmatch(sys_id):
                continue
            if sys_id not in wanted.setdefault(table, []):
                wanted[table].append(sys_id)
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for table, ids in wanted.items():
            for start in range(0, len(ids), _IDS_PER_QUERY):
                chunk = ids[start : start + _IDS_PER_QUERY]
                for page in self.api.records(
                    table,
                    query=queries.ids_in(chunk),
                    fields=list(RECORD_FIELDS),
                    display_value="all",
                    page_size=_IDS_PER_QUERY,
                    action=f"read {len(chunk)} {table} record(s)",
                    forbidden_hint=_READ_HINT[table],
                ):
                    for row in page:
                        if (sys_id := value(row, "sys_id")) is not None:
                            found[(table, sys_id)] = row
        return found

    # events ----------------------------------------------------------------------------------------

    def _ticket(self, table: str, record: JsonObject) -> tuple[RecordRef | None, Any]:
        sys_id, number = value(record, "sys_id"), value(record, "number")
        if sys_id is None or number is None:
            return None, None
        ref = RecordRef(table, sys_id, number)
        return ref, ticket(ref, record, self.states)

    def _changes(
        self,
        builder: EventBuilder,
        audits: list[dict[str, Any]],
        records: dict[tuple[str, str], dict[str, Any]],
    ) -> list[TicketEvent]:
        groups: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
        for row in audits:
            table, sys_id, checkpoint = (
                value(row, "tablename"),
                value(row, "documentkey"),
                integer(row, "record_checkpoint"),
            )
            if table and sys_id and checkpoint is not None:
                groups.setdefault((table, sys_id, checkpoint), []).append(row)
        events: list[TicketEvent] = []
        for (table, sys_id, checkpoint), rows in groups.items():
            record = records.get((table, sys_id))
            if record is None:
                continue
            ref, the_ticket = self._ticket(table, record)
            when = max(t for r in rows if (t := datetime_of(r, "sys_created_on")) is not None)
            if ref is None or the_ticket is None:
                continue
            changes = []
            for row in rows:
                name = value(row, "fieldname") or ""
                old, new = value(row, "oldvalue"), value(row, "newvalue")
                # The record's display value names the current value; an older one keeps its raw value
                # (states are named from the base instance's list).
                shown = (
                    display(record, name) if value(record, name) == new and name in TRACKED_FIELDS else None
                )
                changes.append(Change(name, old, new, None, shown))
            events += builder.changed(ref, the_ticket, checkpoint, changes, when, {"audit": rows})
        return events

    def _author(self, entry: JsonObject, record: JsonObject, rules: RoleRules) -> Person | None:
        user_name = value(entry, "sys_created_by")
        if user_name is None:
            return None
        try:
            found = self.users.author(user_name)
        except WriteError:
            found = _Author(None, None, None)
        person = found.person or Person(id=user_name, name=user_name)
        group = value(record, "assignment_group")
        kind = roles.account_type(
            user_name,
            roles=found.roles,
            in_assignment_group=(group in found.groups)
            if found.groups is not None and group
            else (False if found.groups is not None else None),
            agent_roles=self.agent_roles,
            system_accounts=rules.system_accounts,
            sys_id=person.id,
        )
        return person.model_copy(update={"account_type": kind})


_AUDIT_FIELDS = (
    "sys_id",
    "tablename",
    "documentkey",
    "fieldname",
    "oldvalue",
    "newvalue",
    "record_checkpoint",
    "sys_created_on",
    "user",
)
_JOURNAL_FIELDS = ("sys_id", "name", "element", "element_id", "value", "sys_created_on", "sys_created_by")
_READ_HINT = {
    "incident": "the connector's user needs the itil role to read incidents",
    "sn_customerservice_case": "the connector's user needs a CSM agent role to read cases",
    "sys_audit": "pull mode reads state changes from sys_audit: give the connector's user read access to it",
    "sys_journal_field": "the connector's user must be able to read journal entries (sys_journal_field)",
}


def _marks(cursor: str | None) -> dict[str, datetime]:
    if not cursor:
        return {}
    try:
        data = json.loads(cursor)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {s: t for s in STREAMS if isinstance(data.get(s), str) and (t := sn_datetime(data[s])) is not None}


def _cursor(marks: dict[str, datetime]) -> str:
    return json.dumps({s: format_datetime(marks[s]) for s in STREAMS if s in marks}, sort_keys=True)


def poller(site: ServiceNowSiteSettings, writer: Any) -> ServiceNowPoller:
    if not isinstance(writer, ServiceNowWriter):
        raise TypeError("a ServiceNow poller needs the site's ServiceNow writer")
    return ServiceNowPoller(site, writer)
