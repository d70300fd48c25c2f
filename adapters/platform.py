"""What a platform package hands the connector: one `Platform` object, its `PLATFORM`.

The connector keeps a registry of these and names no platform itself. Adding a platform is one package
under `adapters/` that exports a `Platform`, plus one registry line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from adapters.base import Adapter, Poller, RoleRules, TicketWriter
from adapters.events import AuthorRole, Person, Ticket
from adapters.results import FieldSpec
from adapters.settings import SiteSettings

S = TypeVar("S", bound=SiteSettings)


@dataclass(frozen=True)
class SetupResult:
    created_or_found: dict[str, str]  # logical key -> the platform's field id, for fields named by name
    checked: dict[str, str] = field(default_factory=dict)  # fields given by id: they must exist already


@dataclass(frozen=True)
class SetupPlan:
    """What `ela setup --dry-run` prints: what an admin must create on the platform, one exact line
    each (nothing is changed), what exists already, and a note when the platform could not be read."""

    to_create: tuple[str, ...]
    existing: tuple[str, ...] = ()
    note: str = ""


AuthorRule = Callable[[Person | None, Ticket, RoleRules], AuthorRole]


@dataclass(frozen=True)
class Platform(Generic[S]):
    """One ticketing platform, as the connector sees it.

    - `settings`: the model of a site's YAML section (its `platform` field is a Literal of `name`);
    - `adapter`: verifies and parses deliveries into TicketEvents (no network);
    - `writer`: builds a site's TicketWriter from its settings (one is kept per site);
    - `author_role`: who wrote a comment, re-applied by the pipeline to what the store knows of the ticket;
    - `setup`: finds or creates the fields a site maps results to (`ela setup`), given the specs and the
      site's writer;
    - `plan`: what `setup` would create, changing nothing (`ela setup --dry-run`);
    - `poller`: builds a site's Poller (adapters.base) for pull mode (None: push only);
    - `chatty_loggers`: loggers of client libraries that log request and response bodies (customers'
      words) at DEBUG: the connector keeps them at INFO or above;
    - `ticket_url`: the link a person follows to a ticket of the site (in escalation messages).
    """

    name: str
    label: str  # how people write the platform's name ("Jira", "ServiceNow")
    settings: type[S]
    adapter: Adapter
    writer: Callable[[S], TicketWriter]
    author_role: AuthorRule
    setup: Callable[[S, Sequence[FieldSpec], TicketWriter], SetupResult] | None = None
    plan: Callable[[S, Sequence[FieldSpec], TicketWriter], SetupPlan] | None = None
    poller: Callable[[S, TicketWriter], Poller] | None = None
    chatty_loggers: tuple[str, ...] = ()
    ticket_url: Callable[[S, str], str] | None = None
