"""ServiceNow's value shapes, read through checked accessors.

The Table API writes one field in several shapes, depending on `sysparm_display_value` and on the
field's type, and the business rule shipped with the connector writes records in the `all` shape:

- a plain string: `"2"`, `"2015-11-01 22:05:30"`, `""` for an empty field (`false` and `true` shapes);
- a reference without display values: `{"link": ".../sys_user/<sys_id>", "value": "<sys_id>"}`;
- `sysparm_display_value=all`: `{"display_value": "In Progress", "value": "2"}` (references add `link`);
- numbers and booleans instead of strings in some scripted answers (`"value": -5.0`, `"value": false`).

Everything here reads those as (value, display value) strings, "" as absent, so the parsers above never
meet a shape they did not expect.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

from adapters.payload import JsonObject

# sys_ids are 32 lower-case hex digits; a few built-in records use readable ids ("global").
SYS_ID = re.compile(r"[0-9a-zA-Z_.-]{1,64}")
_DATETIME = "%Y-%m-%d %H:%M:%S"


def _scalar(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # ServiceNow's integers come back as 2.0 in some scripted answers: they are still "2".
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value or None
    return None


def value(record: JsonObject | None, name: str) -> str | None:
    """The stored value of a field (a sys_id for a reference, a choice's value), None when empty."""
    raw = record.get(name) if record is not None else None
    if isinstance(raw, Mapping):
        return _scalar(raw.get("value"))
    return _scalar(raw)


def display(record: JsonObject | None, name: str) -> str | None:
    """What a person sees in the field: its display value when the answer carries one, else its value."""
    raw = record.get(name) if record is not None else None
    if isinstance(raw, Mapping):
        return _scalar(raw.get("display_value")) or _scalar(raw.get("value"))
    return _scalar(raw)


def has_display(record: JsonObject | None, name: str) -> bool:
    raw = record.get(name) if record is not None else None
    return isinstance(raw, Mapping) and "display_value" in raw


def sn_datetime(text: str | None) -> datetime | None:
    """`2015-11-01 22:05:30`: the Table API's stored values are UTC (display values are in the reading
    user's zone, so a time is always read from the value, never the display value)."""
    if not text:
        return None
    try:
        return datetime.strptime(text.strip(), _DATETIME).replace(tzinfo=UTC)
    except ValueError:
        return None


def datetime_of(record: JsonObject | None, name: str) -> datetime | None:
    return sn_datetime(value(record, name))


def format_datetime(moment: datetime) -> str:
    """A time as an encoded query takes it: `2024-01-05 10:00:00`, in UTC (a plain date-time in a
    query sent through the web services is read as UTC; `gs.dateGenerate` would mean the user's zone)."""
    return moment.astimezone(UTC).strftime(_DATETIME)


def integer(record: JsonObject | None, name: str) -> int | None:
    text = value(record, name)
    if text is None:
        return None
    try:
        return int(float(text))
    except ValueError:
        return None
