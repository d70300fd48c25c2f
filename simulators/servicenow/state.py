"""The instance's data: every table's records as stored values (strings, UTC times), changed under one
lock the way the platform changes them. An update bumps `sys_mod_count`, writes an audit row per
changed audited field (`record_checkpoint` = the new update count), turns a write to a journal field
into a `sys_journal_field` row, recomputes the priority from impact and urgency, and tells the listeners
(the business rule) what changed, while the lock is still held, so deliveries leave in change order.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from simulators.servicenow.schema import (
    CREATABLE_TYPES,
    NUMBER_PREFIX,
    PRIORITY_MATRIX,
    READ_ONLY,
    TABLES,
    TICKET_TABLES,
    Column,
)

AUDITED = ("state", "priority", "impact", "urgency", "assigned_to", "assignment_group", "short_description")
JOURNAL_ADDITION = "JOURNAL FIELD ADDITION"


class Clock:
    """Wall-clock seconds, plus an offset the tests can move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self.offset += seconds


def stamp(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def new_sys_id() -> str:
    return secrets.token_hex(16)


class SnError(Exception):
    """An answer the Table API gives instead of a result."""

    def __init__(self, status: int, message: str, detail: str = "", *, violation: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.detail, self.violation = status, message, detail, violation


@dataclass
class Change:
    """What one insert, update or delete did, for the business rule."""

    operation: str  # insert | update | delete
    table: str
    sys_id: str
    previous: dict[str, str]
    current: dict[str, str]
    journal: list[dict[str, str]]
    user: str  # user_name of who did it


@dataclass
class Instance:
    clock: Clock = field(default_factory=Clock)
    lock: threading.RLock = field(default_factory=threading.RLock)
    base_url: str = "http://servicenow.invalid"
    columns: dict[str, dict[str, Column]] = field(
        default_factory=lambda: {t: dict(c) for t, c in TABLES.items()}
    )
    records: dict[str, dict[str, dict[str, str]]] = field(default_factory=lambda: {t: {} for t in TABLES})
    passwords: dict[str, str] = field(default_factory=dict)  # user_name -> password
    tokens: dict[str, str] = field(default_factory=dict)  # OAuth bearer token -> user_name
    listeners: list[Callable[[Change], None]] = field(default_factory=list)
    # Columns a field-level write ACL (or a data policy) protects: a write to them is dropped silently.
    write_protected: set[str] = field(default_factory=set)
    _numbers: Any = field(default_factory=lambda: itertools.count(10001))

    def now(self) -> str:
        return stamp(self.clock())

    # users -----------------------------------------------------------------------------------------

    def user(self, user_name: str) -> dict[str, str] | None:
        return next((u for u in self.records["sys_user"].values() if u.get("user_name") == user_name), None)

    def roles_of(self, user_name: str) -> set[str]:
        user = self.user(user_name)
        if user is None:
            return set()
        role_names = {r["sys_id"]: r["name"] for r in self.records["sys_user_role"].values()}
        return {
            role_names.get(link["role"], "")
            for link in self.records["sys_user_has_role"].values()
            if link.get("user") == user["sys_id"]
        } - {""}

    def groups_of(self, user_name: str) -> set[str]:
        user = self.user(user_name)
        if user is None:
            return set()
        return {
            m["group"] for m in self.records["sys_user_grmember"].values() if m.get("user") == user["sys_id"]
        }

    def add_user(
        self,
        user_name: str,
        name: str,
        email: str,
        *,
        roles: Iterable[str] = (),
        groups: Iterable[str] = (),
        password: str | None = None,
        time_zone: str = "America/Los_Angeles",
    ) -> dict[str, str]:
        with self.lock:
            if self.user(user_name) is not None:
                raise ValueError(f"a user {user_name} exists already")
            user = self.insert_raw(
                "sys_user",
                {
                    "user_name": user_name,
                    "name": name,
                    "email": email,
                    "active": "true",
                    "time_zone": time_zone,
                },
            )
            for role in roles:
                self.insert_raw(
                    "sys_user_has_role", {"user": user["sys_id"], "role": self.role(role)["sys_id"]}
                )
            for group in groups:
                self.insert_raw(
                    "sys_user_grmember", {"user": user["sys_id"], "group": self.group(group)["sys_id"]}
                )
            if password is not None:
                self.passwords[user_name] = password
            return user

    def role(self, name: str) -> dict[str, str]:
        found = next((r for r in self.records["sys_user_role"].values() if r["name"] == name), None)
        return found or self.insert_raw("sys_user_role", {"name": name})

    def group(self, name: str) -> dict[str, str]:
        found = next((g for g in self.records["sys_user_group"].values() if g["name"] == name), None)
        return found or self.insert_raw("sys_user_group", {"name": name})

    # records ---------------------------------------------------------------------------------------

    def table(self, name: str) -> dict[str, dict[str, str]]:
        if name not in self.records:
            raise SnError(400, "Invalid table", f"Invalid table {name}")
        return self.records[name]

    def get(self, table: str, sys_id: str) -> dict[str, str]:
        record = self.table(table).get(sys_id)
        if record is None:
            raise SnError(
                404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval"
            )
        return record

    def by_number(self, number: str) -> tuple[str, dict[str, str]]:
        for table in TICKET_TABLES:
            for record in self.records[table].values():
                if record.get("number") == number:
                    return table, record
        raise KeyError(f"no record {number}")

    def insert_raw(self, table: str, values: dict[str, str], *, user: str = "system") -> dict[str, str]:
        """A row as the platform writes it, with its sys fields; no business rules, no journal."""
        now = self.now()
        record = {
            "sys_id": values.get("sys_id") or new_sys_id(),
            "sys_created_on": now,
            "sys_created_by": user,
            "sys_updated_on": now,
            "sys_updated_by": user,
            "sys_mod_count": "0",
        }
        record.update({k: v for k, v in values.items() if k != "sys_id"})
        self.records[table][record["sys_id"]] = record
        return record

    def _clean(self, table: str, values: dict[str, Any]) -> dict[str, str]:
        """What of a body the platform takes: known, writable columns, as strings. Unknown columns
        are ignored without a word, as the Table API does."""
        columns = self.columns[table]
        taken: dict[str, str] = {}
        for name, raw in values.items():
            if name not in columns or name in READ_ONLY or name in self.write_protected:
                continue
            taken[name] = (
                "" if raw is None else ("true" if raw is True else "false" if raw is False else str(raw))
            )
        return taken

    def insert(self, table: str, values: dict[str, Any], *, user: str) -> dict[str, str]:
        with self.lock:
            taken = self._clean(table, values)
            journal = {k: taken.pop(k) for k in ("comments", "work_notes") if k in taken}
            if table in TICKET_TABLES:
                taken.setdefault("state", "1")
                taken.setdefault("impact", "3")
                taken.setdefault("urgency", "3")
                taken["priority"] = PRIORITY_MATRIX.get((taken["impact"], taken["urgency"]), "5")
                taken.setdefault("active", "true")
                taken["number"] = f"{NUMBER_PREFIX[table]}{next(self._numbers):07d}"
                taken["sys_class_name"] = table
                taken.setdefault("opened_at", self.now())
                taken.setdefault("opened_by", (self.user(user) or {}).get("sys_id", ""))
            if table == "sys_dictionary":
                self._add_column(taken)
            record = self.insert_raw(table, taken, user=user)
            entries = [
                self._journal(table, record, element, text, user) for element, text in journal.items() if text
            ]
            if table in TICKET_TABLES:
                self._emit(Change("insert", table, record["sys_id"], {}, dict(record), entries, user))
            return record

    def update(self, table: str, sys_id: str, values: dict[str, Any], *, user: str) -> dict[str, str]:
        with self.lock:
            record = self.get(table, sys_id)
            previous = dict(record)
            taken = self._clean(table, values)
            journal = {k: taken.pop(k) for k in ("comments", "work_notes") if k in taken}
            if table in TICKET_TABLES and ("impact" in taken or "urgency" in taken):
                impact, urgency = (
                    taken.get("impact", record.get("impact", "3")),
                    taken.get("urgency", record.get("urgency", "3")),
                )
                taken["priority"] = PRIORITY_MATRIX.get((impact, urgency), record.get("priority", "5"))
            if table in TICKET_TABLES and taken.get("state") in ("6", "3") and not record.get("resolved_at"):
                taken["resolved_at"] = self.now()
            changed = {k: v for k, v in taken.items() if record.get(k, "") != v}
            journal = {k: v for k, v in journal.items() if v.strip()}
            if not changed and not journal:
                return record
            record.update(changed)
            record["sys_mod_count"] = str(int(record.get("sys_mod_count", "0")) + 1)
            record["sys_updated_on"] = self.now()
            record["sys_updated_by"] = user
            checkpoint = record["sys_mod_count"]
            if table in TICKET_TABLES:
                for name in (f for f in AUDITED if f in changed):
                    self.insert_raw(
                        "sys_audit",
                        {
                            "tablename": table,
                            "documentkey": sys_id,
                            "fieldname": name,
                            "oldvalue": previous.get(name, ""),
                            "newvalue": changed[name],
                            "record_checkpoint": checkpoint,
                            "user": user,
                        },
                        user=user,
                    )
            entries = [self._journal(table, record, element, text, user) for element, text in journal.items()]
            if table in TICKET_TABLES:
                self._emit(Change("update", table, sys_id, previous, dict(record), entries, user))
            return record

    def delete(self, table: str, sys_id: str, *, user: str) -> None:
        with self.lock:
            record = self.get(table, sys_id)
            del self.records[table][sys_id]
            if table in TICKET_TABLES:
                self._emit(Change("delete", table, sys_id, dict(record), dict(record), [], user))

    def _journal(
        self, table: str, record: dict[str, str], element: str, text: str, user: str
    ) -> dict[str, str]:
        entry = self.insert_raw(
            "sys_journal_field",
            {"name": table, "element": element, "element_id": record["sys_id"], "value": text},
            user=user,
        )
        self.insert_raw(
            "sys_audit",
            {
                "tablename": table,
                "documentkey": record["sys_id"],
                "fieldname": element,
                "oldvalue": JOURNAL_ADDITION,
                "newvalue": text,
                "record_checkpoint": record["sys_mod_count"],
                "user": user,
            },
            user=user,
        )
        return entry

    def _add_column(self, entry: dict[str, str]) -> None:
        table, element = entry.get("name", ""), entry.get("element", "")
        if table not in self.columns:
            raise SnError(400, "Invalid table", f"Table {table} does not exist")
        if (
            not element.startswith(("u_", "x_"))
            or not element.replace("_", "").isalnum()
            or element != element.lower()
        ):
            raise SnError(
                400, "Invalid column name", f"{element}: custom columns are named u_<lower case name>"
            )
        if element in self.columns[table]:
            raise SnError(400, "Operation Failed", f"Column {element} already exists on {table}")
        kind = CREATABLE_TYPES.get(entry.get("internal_type", ""))
        if kind is None:
            raise SnError(
                400,
                "Invalid internal type",
                f"{entry.get('internal_type')!r} is not a type this instance creates",
            )
        self.columns[table][element] = Column(
            kind, label=entry.get("column_label", ""), max_length=int(entry.get("max_length") or 40)
        )

    def _emit(self, change: Change) -> None:
        for listener in self.listeners:
            listener(change)
