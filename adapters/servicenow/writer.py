"""The ServiceNow writer: results into the site's `u_` columns with one PATCH, read back for
reconciliation; customer-visible comments into `comments`, internal notes into `work_notes`, found
again in `sys_journal_field` after an unknown outcome; labels in a configured column; priority through
impact and urgency.

Two quirks of the Table API shape this writer. A PATCH naming a column the table does not have is
answered 200 and the column is ignored; so is a value a write ACL or a business rule refused. So every
write asks for its columns back (`sysparm_fields`) and checks that each is there and holds the value.
And the outbox knows a ticket by its number (INC0010001): the record's table and sys_id are looked up
once per ticket and kept (a number never moves).
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from adapters.base import FieldValue, TicketWriter
from adapters.errors import PermanentWriteError
from adapters.events import Person
from adapters.results import RESULTS, ResultField
from adapters.servicenow import queries
from adapters.servicenow.http import TableApi
from adapters.servicenow.journal import INTERNAL, PUBLIC
from adapters.servicenow.record import RecordRef
from adapters.servicenow.values import display, value
from adapters.servicenow.webhook import NUMBER

COMMENT_MAX = 4000
_CLOCK_SKEW = timedelta(minutes=10)
_LABEL = re.compile(r"[^\s,]{1,100}")
# The base instance's priority lookup (impact x urgency): the pair that gives each priority.
PRIORITY_PAIRS = {"1": ("1", "1"), "2": ("1", "2"), "3": ("2", "2"), "4": ("2", "3"), "5": ("3", "3")}
PRIORITY_NAMES = {"critical": "1", "high": "2", "moderate": "3", "low": "4", "planning": "5"}
_PRIORITY = re.compile(r"\s*([1-5])(?:\s*-\s*\w[\w ]*)?\s*")

_ACL_HINT = (
    "the connector's user needs write access to the table (the itil role, or the CSM agent role for "
    "cases) and to the columns it writes"
)


def _normalised(text: str) -> str:
    return " ".join(text.split())


def encode_value(result_field: ResultField, column: str, raw: FieldValue) -> str:
    """A value as the Table API takes it: every value is a string, and "" clears a field."""
    if raw is None:
        return ""
    kind = result_field.kind
    if kind == "number":
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            raise PermanentWriteError(
                f"{result_field.key} ({column}): a number field takes a number, not {raw!r}"
            )
        return repr(float(raw)) if isinstance(raw, float) else str(raw)
    if kind == "multi-select":
        if not isinstance(raw, list) or not all(isinstance(v, str) and v and "," not in v for v in raw):
            raise PermanentWriteError(f"{result_field.key} ({column}): expected option labels without commas")
        return ",".join(raw)
    if not isinstance(raw, str):
        raise PermanentWriteError(f"{result_field.key} ({column}): expected text, not {raw!r}")
    return raw


def decode_value(result_field: ResultField, raw: Any) -> FieldValue:
    text = raw if isinstance(raw, str) else (None if raw is None else str(raw))
    if not text:
        return [] if result_field.kind == "multi-select" else None
    if result_field.kind == "number":
        try:
            return float(text)
        except ValueError:
            raise PermanentWriteError(
                f"{result_field.key}: ServiceNow holds {text!r}, not a number"
            ) from None
    if result_field.kind == "multi-select":
        return [part for part in text.split(",") if part]
    return text


def _same(result_field: ResultField, written: FieldValue, wanted: FieldValue) -> bool:
    if isinstance(written, float) and isinstance(wanted, int | float) and not isinstance(wanted, bool):
        return math.isclose(written, float(wanted), abs_tol=1e-6)
    if wanted is None:
        return written in (None, [])
    return written == wanted


class ServiceNowWriter(TicketWriter):
    def __init__(
        self,
        api: TableApi,
        *,
        tables: Sequence[str],
        fields: Mapping[str, str],
        labels_field: str | None = None,
    ) -> None:
        self.api = api
        self.tables = tuple(tables)
        self.fields = dict(fields)  # logical key -> column (u_customer_mood)
        self.labels_field = labels_field
        self._refs: dict[str, RecordRef] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ServiceNowWriter({self.api.url!r})"

    # where a ticket is -----------------------------------------------------------------------------

    def locate(self, ticket_key: str) -> RecordRef:
        """The record behind a number, looked up in the site's tables (the prefix's table first)."""
        if not isinstance(ticket_key, str) or not NUMBER.fullmatch(ticket_key):
            raise PermanentWriteError(f"{ticket_key!r} is not a ServiceNow number (INC0010001)")
        with self._lock:
            known = self._refs.get(ticket_key)
        if known is not None:
            return known
        prefix = {"incident": "INC", "sn_customerservice_case": "CS"}
        order = sorted(self.tables, key=lambda t: not ticket_key.upper().startswith(prefix.get(t, "~")))
        for table in order:
            found = next(
                self.api.records(
                    table,
                    query=queries.equals("number", ticket_key),
                    fields=["sys_id", "number"],
                    page_size=1,
                    max_pages=1,
                    action=f"find {ticket_key} in {table}",
                    forbidden_hint=_ACL_HINT,
                ),
                [],
            )
            if found and value(found[0], "sys_id"):
                ref = RecordRef(table, str(value(found[0], "sys_id")), ticket_key)
                with self._lock:
                    self._refs[ticket_key] = ref
                return ref
        raise PermanentWriteError(f"no record numbered {ticket_key} in {', '.join(self.tables)}")

    def _columns(self, keys: Sequence[str]) -> dict[str, str]:
        unknown = [k for k in keys if k not in self.fields]
        if unknown:
            raise PermanentWriteError(
                f"no ServiceNow column configured for {unknown} (configured: {sorted(self.fields)})"
            )
        return {k: self.fields[k] for k in keys}

    def _patch(
        self, ref: RecordRef, body: dict[str, str], wanted: Sequence[str], action: str
    ) -> dict[str, Any]:
        return self.api.patch(
            ref.table, ref.sys_id, body, fields=list(wanted), action=action, forbidden_hint=_ACL_HINT
        )

    def _missing(
        self, ref: RecordRef, record: Mapping[str, Any], columns: Sequence[str], action: str
    ) -> None:
        missing = [c for c in columns if c not in record]
        if missing:
            raise PermanentWriteError(
                f"{action}: {ref.table} has no column {', '.join(missing)} (or the connector's user may not "
                "read it): create it with `ela setup` (or `ela setup --dry-run` for what to create by hand)"
            )

    # fields ----------------------------------------------------------------------------------------

    def write_fields(self, ticket_key: str, values: Mapping[str, FieldValue]) -> None:
        if not values:
            return
        ref = self.locate(ticket_key)
        columns = self._columns(list(values))
        body = {columns[k]: encode_value(RESULTS[k], columns[k], v) for k, v in values.items()}
        names = ", ".join(f"{k}={c}" for k, c in columns.items())
        action = f"write fields on {ticket_key} ({names})"
        record = self._patch(ref, body, list(columns.values()), action)
        self._missing(ref, record, list(columns.values()), action)
        refused = [
            columns[k]
            for k, v in values.items()
            if not _same(RESULTS[k], decode_value(RESULTS[k], record.get(columns[k])), v)
        ]
        if refused:
            raise PermanentWriteError(
                f"{action}: ServiceNow answered 200 but did not keep {', '.join(refused)}: a write ACL, a "
                "data policy or a business rule refused the value"
            )

    def read_fields(self, ticket_key: str, keys: list[str]) -> dict[str, FieldValue]:
        if not keys:
            return {}
        ref = self.locate(ticket_key)
        columns = self._columns(keys)
        action = f"read fields of {ticket_key}"
        record = self.api.record(
            ref.table, ref.sys_id, fields=list(columns.values()), action=action, forbidden_hint=_ACL_HINT
        )
        self._missing(ref, record, list(columns.values()), action)
        return {k: decode_value(RESULTS[k], record.get(c)) for k, c in columns.items()}

    # comments --------------------------------------------------------------------------------------

    def add_comment(self, ticket_key: str, text: str, *, public: bool) -> str:
        if not isinstance(text, str) or not text.strip():
            raise PermanentWriteError(f"comment on {ticket_key}: the text is empty")
        if len(text) > COMMENT_MAX:
            raise PermanentWriteError(
                f"comment on {ticket_key}: {len(text)} characters, the connector sends {COMMENT_MAX}"
            )
        ref = self.locate(ticket_key)
        element = PUBLIC if public else INTERNAL
        action = f"add {'a customer-visible comment' if public else 'a work note'} on {ticket_key}"
        started = datetime.now().astimezone()
        record = self._patch(ref, {element: text}, ["sys_id", "sys_mod_count"], action)
        # The PATCH does not say which journal entry it made: look for it, as find_comment would.
        found = self._journal_match(ref, text, since=started, exclude=(), elements=(element,))
        return found or f"{ref.sys_id}:mod:{value(record, 'sys_mod_count') or '?'}"

    def find_comment(
        self, ticket_key: str, text: str, *, since: datetime, exclude: Sequence[str] = ()
    ) -> str | None:
        return self._journal_match(
            self.locate(ticket_key), text, since=since, exclude=exclude, elements=(PUBLIC, INTERNAL)
        )

    def _journal_match(
        self, ref: RecordRef, text: str, *, since: datetime, exclude: Sequence[str], elements: Sequence[str]
    ) -> str | None:
        query = queries.entries_by(ref.sys_id, elements, self.api.user, since - _CLOCK_SKEW)
        wanted = _normalised(text)
        for page in self.api.records(
            "sys_journal_field",
            query=query,
            fields=["sys_id", "value", "element", "sys_created_on", "sys_created_by"],
            page_size=50,
            max_pages=2,
            action=f"look for the connector's comment on {ref.number}",
            forbidden_hint="the connector's user must be able to read journal entries (sys_journal_field)",
        ):
            for entry in page:
                entry_id = value(entry, "sys_id")
                if (
                    entry_id
                    and entry_id not in exclude
                    and _normalised(value(entry, "value") or "") == wanted
                ):
                    return entry_id
        return None

    # labels and priority ---------------------------------------------------------------------------

    def change_labels(self, ticket_key: str, *, add: Sequence[str] = (), remove: Sequence[str] = ()) -> None:
        if self.labels_field is None:
            raise PermanentWriteError(
                f"labels on {ticket_key}: ServiceNow records have no labels; set `labels_field` for the site "
                "(a string column, e.g. u_ela_labels) to keep them in"
            )
        bad = [label for label in (*add, *remove) if not _LABEL.fullmatch(label)]
        if bad:
            raise PermanentWriteError(f"labels on {ticket_key}: not labels (no spaces or commas): {bad}")
        if not add and not remove:
            return
        ref = self.locate(ticket_key)
        column = self.labels_field
        action = f"change labels on {ticket_key} ({column})"
        record = self.api.record(
            ref.table, ref.sys_id, fields=[column], action=action, forbidden_hint=_ACL_HINT
        )
        self._missing(ref, record, [column], action)
        current = [part for part in re.split(r"[\s,]+", value(record, column) or "") if part]
        wanted = [label for label in current if label not in remove]
        wanted += [label for label in add if label not in wanted]
        if wanted == current:
            return
        written = self._patch(ref, {column: " ".join(wanted)}, [column], action)
        if (value(written, column) or "") != " ".join(wanted):
            raise PermanentWriteError(f"{action}: ServiceNow did not keep the labels (a write ACL?)")

    def set_priority(self, ticket_key: str, priority: str) -> None:
        """Priority is computed by the instance from impact and urgency (its priority lookup rules);
        the pair that gives the wanted priority in a base instance is written, and the result checked."""
        if not isinstance(priority, str) or not priority.strip():
            raise PermanentWriteError(f"priority on {ticket_key}: no priority given")
        match = _PRIORITY.fullmatch(priority)
        wanted = match.group(1) if match else PRIORITY_NAMES.get(priority.strip().casefold())
        if wanted is None:
            raise PermanentWriteError(
                f"priority on {ticket_key}: {priority!r} is not a ServiceNow priority (1-5, '2 - High', or "
                "Critical, High, Moderate, Low, Planning)"
            )
        impact, urgency = PRIORITY_PAIRS[wanted]
        ref = self.locate(ticket_key)
        action = f"set the priority of {ticket_key} to {wanted}"
        record = self._patch(
            ref, {"impact": impact, "urgency": urgency}, ["priority", "impact", "urgency"], action
        )
        if value(record, "priority") != wanted:
            raise PermanentWriteError(
                f"{action}: impact {impact} and urgency {urgency} gave priority {value(record, 'priority')}; "
                "the instance's priority lookup rules differ from the base ones"
            )

    # who is who (UserDirectory) --------------------------------------------------------------------

    def groups_of(self, person: Person) -> frozenset[str]:
        """The names of the groups `person` (a sys_user sys_id) belongs to."""
        if not person.id:
            return frozenset()
        names: set[str] = set()
        for page in self.api.records(
            "sys_user_grmember",
            query=queries.equals("user", person.id),
            fields=["group"],
            display_value=True,
            action=f"list the groups of user {person.id}",
            forbidden_hint="the connector's user must be able to read sys_user_grmember",
        ):
            names.update(name for entry in page if (name := display(entry, "group")))
        return frozenset(names)
