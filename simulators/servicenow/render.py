"""Records as the Table API writes them: stored values, display values or both
(`sysparm_display_value` false / true / all), references with or without their `link`, only the
columns asked for (`sysparm_fields`), times shown in the reading user's zone."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from simulators.servicenow.schema import CHOICES, DISPLAY_FIELD, Column
from simulators.servicenow.state import Instance


def _shown_time(value: str, zone: str) -> str:
    try:
        moment = dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return value
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")


def display_of(  # noqa: PLR0917 (the value, and everything that decides how it shows)
    instance: Instance, table: str, name: str, column: Column, value: str, zone: str
) -> str:
    if value == "":
        return ""
    if column.type == "reference" and column.target:
        target = instance.records.get(column.target, {}).get(value)
        return target.get(DISPLAY_FIELD.get(column.target, "sys_id"), value) if target else ""
    if column.type == "glide_date_time":
        return _shown_time(value, zone)
    choices = CHOICES.get((table, name)) or CHOICES.get(("*", name))
    if choices is not None:
        return choices.get(value, value)
    return value


def record(
    instance: Instance,
    table: str,
    stored: dict[str, str],
    *,
    display_value: str,
    fields: list[str] | None,
    exclude_reference_link: bool,
    zone: str,
) -> dict[str, Any]:
    columns = instance.columns[table]
    names = [f for f in fields if f in columns] if fields else list(columns)
    out: dict[str, Any] = {}
    for name in names:
        column = columns[name]
        # Journal fields read back empty through the Table API: their entries are in sys_journal_field.
        value = "" if column.type == "journal_input" else stored.get(name, "")
        shown = display_of(instance, table, name, column, value, zone)
        link = (
            f"{instance.base_url}/api/now/table/{column.target}/{value}"
            if column.type == "reference" and value and not exclude_reference_link
            else None
        )
        if display_value == "all":
            out[name] = {"display_value": shown, "value": value, **({"link": link} if link else {})}
        elif display_value == "true":
            out[name] = {"display_value": shown, "link": link} if link else shown
        else:
            out[name] = {"link": link, "value": value} if link else value
    return out
