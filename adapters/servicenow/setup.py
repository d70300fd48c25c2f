"""`ela setup` on ServiceNow: the site's `u_` columns on each table it serves, created through the
dictionary (`sys_dictionary`), with a choice list (`sys_choice`) for select results.

Creating columns needs the admin role. Where the connector's user may not have it, `ela setup
--dry-run` prints exactly what an admin creates instead (System Definition > Tables > the table >
Columns > New, then the choices), and changes nothing. Idempotent: what exists is reused. Incident
and case both extend `task`: a column an admin put on `task` serves both and counts as there.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from adapters.base import TicketWriter
from adapters.errors import PermanentWriteError, WriteError
from adapters.platform import SetupPlan, SetupResult
from adapters.results import FieldSpec
from adapters.servicenow import queries
from adapters.servicenow.http import TableApi
from adapters.servicenow.settings import ServiceNowSiteSettings
from adapters.servicenow.values import value
from adapters.servicenow.writer import ServiceNowWriter

log = logging.getLogger(__name__)
PARENT = "task"
_ADMIN_HINT = (
    "creating columns and choices needs the admin role (or run `ela setup --dry-run` and create them by hand)"
)


@dataclass(frozen=True)
class Column:
    """One column to have on one table: its dictionary entry and, for a select, its choices."""

    table: str
    element: str
    label: str
    internal_type: str
    max_length: int
    choices: tuple[str, ...] = ()
    comments: str = ""

    def dictionary_entry(self) -> dict[str, str]:
        entry = {
            "name": self.table,
            "element": self.element,
            "column_label": self.label,
            "internal_type": self.internal_type,
            "max_length": str(self.max_length),
            "active": "true",
        }
        if self.choices:
            entry["choice"] = "1"  # a drop-down with "-- None --", so the field can be empty
        if self.comments:
            entry["comments"] = self.comments
        return entry

    def describe(self) -> str:
        kind = (
            "choice list"
            if self.choices
            else {"float": "floating point number"}.get(self.internal_type, "string")
        )
        return (
            f"table {self.table}: column {self.element} ({kind}: sys_dictionary internal_type="
            f"{self.internal_type}, max_length={self.max_length}{', choice=1' if self.choices else ''}, "
            f"label {self.label!r})"
        )

    def describe_choice(self, option: str, sequence: int) -> str:
        return (
            f"table {self.table}: choice of {self.element}: value {option!r}, label {option!r}, "
            f"sequence {sequence} (sys_choice)"
        )


def label_of(column: str) -> str:
    """u_customer_mood -> "Customer mood": what people see on the form."""
    words = column.removeprefix("u_").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def columns(site: ServiceNowSiteSettings, specs: Sequence[FieldSpec]) -> list[Column]:
    found = []
    for table in site.tables:
        for spec in specs:
            if spec.type == "number":
                kind, length = "float", 40
            elif spec.type == "select":
                kind, length = "string", max([40, *(len(o) for o in spec.options)])
            elif spec.type == "multi-select":
                kind, length = "string", 1000
            else:
                kind, length = "string", 255
            found.append(
                Column(table, spec.name, label_of(spec.name), kind, length, spec.options, spec.description)
            )
    if site.labels_field:
        found += [Column(t, site.labels_field, "ELA labels", "string", 1000) for t in site.tables]
    return found


def _existing_column(api: TableApi, column: Column) -> dict[str, object] | None:
    found = next(
        api.records(
            "sys_dictionary",
            query=queries.column_on([column.table, PARENT], column.element),
            fields=["sys_id", "name", "element", "internal_type", "max_length"],
            page_size=2,
            max_pages=1,
            action=f"look for column {column.element} on {column.table}",
            forbidden_hint=_ADMIN_HINT,
        ),
        [],
    )
    return found[0] if found else None


def _existing_choices(api: TableApi, column: Column) -> set[str]:
    values: set[str] = set()
    for page in api.records(
        "sys_choice",
        query=queries.active_choices(column.table, column.element),
        fields=["value", "label"],
        action=f"list the choices of {column.table}.{column.element}",
        forbidden_hint=_ADMIN_HINT,
    ):
        values.update(v for entry in page if (v := value(entry, "value")))
    return values


def _check_type(column: Column, existing: dict[str, object]) -> None:
    have = value(existing, "internal_type")
    fits = {"float": {"float", "decimal"}, "string": {"string", "choice"}}[column.internal_type]
    if have not in fits:
        raise PermanentWriteError(
            f"{column.table}.{column.element} exists as {have}, not {column.internal_type}: choose another "
            "column name, or change its type"
        )


def setup(site: ServiceNowSiteSettings, specs: Sequence[FieldSpec], writer: TicketWriter) -> SetupResult:
    assert isinstance(writer, ServiceNowWriter)
    api = writer.api
    for column in columns(site, specs):
        existing = _existing_column(api, column)
        if existing is None:
            api.create(
                "sys_dictionary",
                column.dictionary_entry(),
                action=f"create column {column.element} on {column.table}",
                forbidden_hint=_ADMIN_HINT,
            )
            log.info(
                "servicenow.column_created",
                extra={"context": {"table": column.table, "column": column.element}},
            )
            have: set[str] = set()
        else:
            _check_type(column, existing)
            have = _existing_choices(api, column) if column.choices else set()
        for sequence, option in enumerate(column.choices, 1):
            if option in have:
                continue
            api.create(
                "sys_choice",
                {
                    "name": column.table,
                    "element": column.element,
                    "value": option,
                    "label": option,
                    "sequence": str(sequence),
                    "language": "en",
                    "inactive": "false",
                },
                action=f"add choice {option!r} to {column.table}.{column.element}",
                forbidden_hint=_ADMIN_HINT,
            )
    return SetupResult({spec.key: spec.name for spec in specs})


def plan(site: ServiceNowSiteSettings, specs: Sequence[FieldSpec], writer: TicketWriter) -> SetupPlan:
    """What `setup` would create. The dictionary is read when the connector's user may (nothing is
    written); when it may not, everything is listed, and the note says why."""
    assert isinstance(writer, ServiceNowWriter)
    wanted = columns(site, specs)
    to_create: list[str] = []
    existing: list[str] = []
    note = ""
    for column in wanted:
        found: dict[str, object] | None = None
        have: set[str] = set()
        if not note:
            try:
                found = _existing_column(writer.api, column)
                if found is not None and column.choices:
                    have = _existing_choices(writer.api, column)
            except WriteError as exc:
                note = f"could not read the dictionary ({exc.message}); everything is listed"
                found = None
        if found is None:
            to_create.append(column.describe())
        else:
            existing.append(
                f"table {column.table}: column {column.element} ({value(found, 'internal_type')})"
            )
        to_create += [column.describe_choice(o, n) for n, o in enumerate(column.choices, 1) if o not in have]
    return SetupPlan(tuple(to_create), tuple(existing), note)
