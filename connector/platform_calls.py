"""What each platform action is, as calls on the site's writer: the outbox flusher's side of the
TicketWriter. An `uncertain` action (its earlier attempt may have landed) is looked for first."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from adapters.base import FieldValue, TicketWriter
from adapters.errors import PermanentWriteError
from connector.store import Store
from connector.store import outbox as queue


def same_values(written: Mapping[str, FieldValue], wanted: Mapping[str, Any]) -> bool:
    for key, value in wanted.items():
        current = written.get(key)
        if isinstance(value, int | float) and isinstance(current, int | float):
            if not math.isclose(float(value), float(current), abs_tol=1e-6):
                return False
        elif isinstance(value, list | tuple) and isinstance(current, list | tuple):
            if sorted(map(str, value)) != sorted(map(str, current)):
                return False
        elif current != value:
            return False
    return True


def carry_out(store: Store, writer: TicketWriter, action: queue.ClaimedAction) -> tuple[str | None, bool]:
    """Send the action (or find that an earlier attempt landed): (result, reconciled)."""
    key = action.ticket_key
    if action.kind == "fields":
        values = action.values
        if action.uncertain and same_values(writer.read_fields(key, list(values)), values):
            return None, True
        writer.write_fields(key, values)
        return None, False
    if action.kind == "comment":
        text, public = str(action.payload["text"]), bool(action.payload["public"])
        if action.uncertain and action.first_sent_at is not None:
            with store.session() as session:
                taken = queue.posted_comment_ids(session, action.platform, action.site, key)
            found = writer.find_comment(key, text, since=action.first_sent_at, exclude=taken)
            if found is not None:
                return found, True
        return writer.add_comment(key, text, public=public), False
    if action.kind == "labels":
        writer.change_labels(key, add=action.payload.get("add", ()), remove=action.payload.get("remove", ()))
        return None, False
    if action.kind == "priority":
        writer.set_priority(key, str(action.payload["priority"]))
        return None, False
    if action.kind == "issue":
        # A new ticket (a follow-up): found again by its marker label after an unknown outcome.
        payload = action.payload
        marker = str(payload["marker"])
        if action.uncertain:
            found = writer.find_issue(marker)
            if found is not None:
                return found, True
        created = writer.create_issue(
            str(payload["project"]),
            str(payload["issue_type"]),
            str(payload["summary"]),
            str(payload["description"]),
            labels=[marker, *payload.get("labels", [])],
        )
        return created, False
    raise PermanentWriteError(f"unknown outbox action kind {action.kind!r}")


def describe(action: queue.ClaimedAction) -> Any:
    if action.kind == "fields":
        return sorted(action.values)
    if action.kind == "comment":
        return "public comment" if action.payload.get("public") else "internal comment"
    if action.kind == "labels":
        return {"add": action.payload.get("add", []), "remove": action.payload.get("remove", [])}
    if action.kind == "priority":
        return {"priority": action.payload.get("priority")}
    if action.kind == "issue":
        return {"project": action.payload.get("project")}
    return action.kind
