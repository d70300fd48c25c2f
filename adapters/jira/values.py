"""Jira's own value shapes: named references and timestamps."""

from __future__ import annotations

from datetime import datetime

from adapters.payload import JsonObject, obj, text


def name_of(parent: JsonObject | None, key: str) -> str | None:
    """`fields.priority.name` and the like: Jira's named references (priority, status, resolution, type)."""
    return text(obj(parent, key), "name")


def jira_datetime(value: object) -> datetime | None:
    """Jira's timestamps, `2019-06-26T15:29:48.000+0000`: ISO 8601 but with no colon in the offset, which
    Python 3.11's fromisoformat accepts. A value without an offset cannot be placed in time, so it reads
    as absent rather than being guessed into some zone."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
