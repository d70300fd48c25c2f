"""A service desk to play a story on: what `ela demo` (and story-driven tests) ask of any platform's
simulator, in the words of the story rather than of one platform's API."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Protocol


class Desk(Protocol):
    platform: str  # the connector's name for the platform ("jira")
    label: str  # how people write it ("Jira")
    customer: str  # the seeded customer's login
    agent: str  # the seeded agent's login
    customer_name: str
    agent_name: str
    description: str  # one line: what the simulated site holds
    quiet_writes: str  # how the connector's writes avoid notifying customers, for the summary line
    demo_config: str  # the connector's demo configuration for this desk (a file in the connector package)

    def start(self) -> str:
        """Start serving on loopback; returns the base URL."""

    def stop(self) -> None: ...

    def register_webhook(self, url: str, secret: str) -> None: ...

    def wait_for_webhooks(self, timeout: float) -> bool:
        """True once every delivery queued so far has been answered or given up."""

    def raise_ticket(self, summary: str, *, requester: str) -> str:
        """A new ticket as the customer raises it; returns its key."""

    def comment(self, key: str, text: str, *, author: str, public: bool = True) -> None: ...

    def resolve(self, key: str, *, actor: str) -> None: ...

    def comments(self, key: str) -> list[str]:
        """The text of every comment on the ticket, oldest first."""

    def field_values(self, key: str, field_ids: dict[str, str]) -> dict[str, Any]:
        """Logical key -> the value on the ticket as a person reads it, for the given field ids."""

    def field_writes(self, key: str) -> int:
        """How many writes of the ticket's fields the platform received."""

    def webhooks_sent(self) -> int: ...

    def violations(self) -> list[str]:
        """Requests the real platform's API would not have taken."""

    def advance_clock(self, seconds: float) -> None:
        """Move the desk's clock on (the story skips hours nobody would wait through)."""

    def escalation_view(self, key: str) -> dict[str, Any]:
        """What an escalation changes on a ticket: its `labels`, `priority` and `notes` (the texts of
        its internal comments), as an agent sees them."""


# The connector's platform name -> the module whose `Desk(openapi_spec=...)` plays it.
DESKS = {"jira": "simulators.jira.desk", "servicenow": "simulators.servicenow.desk"}


def desk_for(platform: str, openapi_spec: Path | None = None) -> Desk:
    module = DESKS.get(platform)
    if module is None:
        raise KeyError(f"no simulated desk for platform {platform!r} (have: {', '.join(sorted(DESKS))})")
    desk: Desk = importlib.import_module(module).Desk(openapi_spec)
    return desk
