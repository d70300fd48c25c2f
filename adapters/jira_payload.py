"""Checked reads of an untrusted Jira webhook payload.

A webhook body is whatever JSON arrived. Every field is read through these helpers: a value of the wrong
type reads as absent (the default), so a handler never meets a TypeError deep inside, and the one place
that decides what "absent" means is here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

JsonObject = Mapping[str, Any]

# Epoch milliseconds beyond this are not a Jira timestamp (year 9999); datetime would overflow anyway.
_MAX_EPOCH_MS = 253_402_300_799_999


def obj(parent: JsonObject | None, key: str) -> JsonObject | None:
    """A nested JSON object, or None when absent or not an object."""
    value = parent.get(key) if parent is not None else None
    return value if isinstance(value, Mapping) else None


def text(parent: JsonObject | None, key: str) -> str | None:
    """A string field; empty strings read as absent (Jira sends "" for cleared values)."""
    value = parent.get(key) if parent is not None else None
    return value if isinstance(value, str) and value else None


def ident(parent: JsonObject | None, key: str) -> str | None:
    """An id: Jira writes ids as strings, but some payloads (and older versions) send numbers."""
    value = parent.get(key) if parent is not None else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return value if isinstance(value, str) and value else None


def flag(parent: JsonObject | None, key: str) -> bool | None:
    value = parent.get(key) if parent is not None else None
    return value if isinstance(value, bool) else None


def integer(parent: JsonObject | None, key: str) -> int | None:
    value = parent.get(key) if parent is not None else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def objects(parent: JsonObject | None, key: str) -> list[JsonObject]:
    """The objects of a JSON array; anything else in the array is skipped."""
    value = parent.get(key) if parent is not None else None
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def strings(parent: JsonObject | None, key: str) -> tuple[str, ...]:
    value = parent.get(key) if parent is not None else None
    if not isinstance(value, list):
        return ()
    return tuple(item for item in value if isinstance(item, str) and item)


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


def epoch_ms(value: object) -> datetime | None:
    """The payload's top-level `timestamp`: milliseconds since the epoch, UTC."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _MAX_EPOCH_MS:
        return None
    seconds, millis = divmod(value, 1000)
    return datetime.fromtimestamp(seconds, tz=UTC).replace(microsecond=millis * 1000)
