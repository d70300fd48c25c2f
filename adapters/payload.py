"""Reading an untrusted webhook body: decoding it, then checked reads of its fields.

A webhook body is whatever JSON arrived. Every field is read through these helpers: a value of the wrong
type reads as absent (the default), so a handler never meets a TypeError deep inside, and the one place
that decides what "absent" means is here. What is particular to one platform's values (Jira's
timestamps, ServiceNow's display values) lives in that platform's package.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from adapters.errors import PayloadRejected

JsonObject = Mapping[str, Any]

# Epoch milliseconds beyond this are past the year 9999, where datetime overflows.
_MAX_EPOCH_MS = 253_402_300_799_999
# JSON may escape half of a UTF-16 surrogate pair on its own ("\ud800"); json.loads keeps it as a lone
# surrogate, which is no Unicode text: it cannot be encoded, stored or logged. Found in the raw body
# as an escape, since a lone surrogate cannot arrive as UTF-8.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def decode(body: bytes, platform: str) -> dict[str, Any]:
    """The body as a JSON object. The intake only checked size and Content-Type.

    UTF-8 only (RFC 8259 for JSON between systems; the platforms send nothing else), though json.loads
    would also guess UTF-16 and UTF-32 from bytes; a leading byte-order mark, which some HTTP clients
    add, is allowed. NaN and Infinity are Python's extension, not JSON.
    """
    try:
        payload = json.loads(body.decode("utf-8-sig"), parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise PayloadRejected(f"malformed JSON: {error}") from None
    except UnicodeDecodeError:
        raise PayloadRejected("malformed JSON: the body is not UTF-8 text") from None
    except RecursionError:
        raise PayloadRejected("malformed JSON: nested too deeply") from None
    except ValueError as error:
        raise PayloadRejected(f"malformed JSON: {error}") from None
    if not isinstance(payload, dict):
        raise PayloadRejected(
            f"not a {platform} webhook: the body is a JSON {json_type(payload)}, not an object"
        )
    if _SURROGATE_ESCAPE.search(body):
        repaired: dict[str, Any] = _repaired(payload)
        return repaired
    return payload


def _repaired(value: Any) -> Any:
    """`value` with every lone surrogate replaced by U+FFFD, as a UTF-8 decoder does with bad bytes:
    the rest of the text is the sender's and is kept. (json.loads has joined every valid pair.)"""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_repaired(k): _repaired(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_repaired(item) for item in value]
    return value


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def json_type(value: object) -> str:
    """JSON's name for the type of a decoded value, for error messages."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    return "null" if value is None else "number"


def obj(parent: JsonObject | None, key: str) -> JsonObject | None:
    """A nested JSON object, or None when absent or not an object."""
    value = parent.get(key) if parent is not None else None
    return value if isinstance(value, Mapping) else None


def text(parent: JsonObject | None, key: str) -> str | None:
    """A string field; empty strings read as absent (platforms send "" for cleared values)."""
    value = parent.get(key) if parent is not None else None
    return value if isinstance(value, str) and value else None


def ident(parent: JsonObject | None, key: str) -> str | None:
    """An id: platforms write ids as strings, but some payloads (and older versions) send numbers."""
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


def epoch_ms(value: object) -> datetime | None:
    """Milliseconds since the epoch, UTC (Jira's top-level `timestamp`); None when not such a number."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _MAX_EPOCH_MS:
        return None
    seconds, millis = divmod(value, 1000)
    return datetime.fromtimestamp(seconds, tz=UTC).replace(microsecond=millis * 1000)
