"""ServiceNow states onto the three status categories every platform shares.

States are integer choices per table. The defaults are those of a base instance; a site that added or
renumbered states maps them in YAML (`states:`), which overrides these value by value.
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.events import StatusCategory

NEW, ACTIVE, DONE = StatusCategory.new, StatusCategory.indeterminate, StatusCategory.done

# table -> state value -> (name in a base instance, category)
DEFAULT_STATES: dict[str, dict[str, tuple[str, StatusCategory]]] = {
    "incident": {
        "1": ("New", NEW),
        "2": ("In Progress", ACTIVE),
        "3": ("On Hold", ACTIVE),
        "6": ("Resolved", DONE),
        "7": ("Closed", DONE),
        "8": ("Canceled", DONE),
    },
    # Customer Service Management: Awaiting Info waits on the customer, like an incident On Hold.
    "sn_customerservice_case": {
        "1": ("New", NEW),
        "10": ("Open", ACTIVE),
        "18": ("Awaiting Info", ACTIVE),
        "20": ("Proposed Solution", ACTIVE),
        "6": ("Resolved", DONE),
        "3": ("Closed", DONE),
        "7": ("Cancelled", DONE),
    },
}


class StateMap:
    """A site's states: the defaults, overridden by its YAML (`states: {incident: {"9": done}}`)."""

    def __init__(self, overrides: Mapping[str, Mapping[str, StatusCategory]] | None = None) -> None:
        self._overrides = {table: dict(values) for table, values in (overrides or {}).items()}

    def category(self, table: str, state: str | None) -> StatusCategory | None:
        if state is None:
            return None
        override = self._overrides.get(table, {}).get(state)
        if override is not None:
            return override
        known = DEFAULT_STATES.get(table, {}).get(state)
        return known[1] if known else None

    def name(self, table: str, state: str | None) -> str | None:
        """A state's name in a base instance (for audit rows, which carry only the value)."""
        if state is None:
            return None
        known = DEFAULT_STATES.get(table, {}).get(state)
        return known[0] if known else state
