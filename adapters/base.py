"""The two small interfaces every platform implements: a parser (no network) and a writer."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from adapters.errors import PermanentWriteError
from adapters.events import Person, TicketEvent


class Headers(Mapping[str, str]):
    """Case-insensitive, read-only view of HTTP headers (HTTP header names are case-insensitive)."""

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        self._items = {k.lower(): v for k, v in (items or {}).items()}

    def __getitem__(self, key: str) -> str:
        return self._items[key.lower()]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._items


@dataclass(frozen=True)
class InboundRequest:
    """What arrived over HTTP, with nothing of any web framework in it."""

    headers: Headers
    body: bytes
    query: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WebhookAuth:
    """How a site proves its deliveries: an HMAC secret (signed admin webhooks), or a shared token for
    senders that cannot sign (Jira Automation's "Send web request", Jira Data Center)."""

    secret: str | None = None
    token: str | None = None
    token_header: str = "X-ELA-Token"
    token_query: str = "token"


@dataclass(frozen=True)
class RoleRules:
    """How to tell a customer from an agent or a machine when a payload does not say so outright."""

    customer_domains: frozenset[str] = frozenset()
    customer_groups: frozenset[str] = frozenset()
    system_accounts: frozenset[str] = frozenset()  # account ids or names of automation/app users
    request_participants_field: str | None = None  # e.g. customfield_10026 on JSM Cloud


@dataclass(frozen=True)
class ParseResult:
    """Either events to store, or the reason a real platform event is of no interest to us."""

    events: tuple[TicketEvent, ...] = ()
    webhook_event: str = ""  # the platform's own event name, for logs and metrics
    ignored_reason: str | None = None
    delivery_key: str = ""  # the delivery's idempotency key (platform's delivery id, else a content hash)
    retry_count: int = 0  # how many times the platform says it re-sent this delivery


class Adapter(Protocol):
    platform: str
    known_events: frozenset[str]  # the platform's event names (metric labels; any other is "other")

    def authenticate(self, request: InboundRequest, auth: WebhookAuth) -> None:
        """Raise adapters.errors.Unauthorized unless the request proves it comes from the site."""

    def parse(self, request: InboundRequest, site: str, rules: RoleRules) -> ParseResult:
        """Raise adapters.errors.PayloadRejected for anything that is not this platform's payload."""


# A result's value on the wire between the connector and a writer: a select's label, a number, a text,
# the labels of a multi-select; None clears the field.
FieldValue = str | float | int | list[str] | None


@runtime_checkable
class UserDirectory(Protocol):
    """Who belongs to which group on a platform: needed when customers are configured by group, since
    group membership is in no webhook payload."""

    def groups_of(self, person: Person) -> frozenset[str]: ...


@dataclass(frozen=True)
class PollPage:
    """What one poll of a platform's API found."""

    events: tuple[TicketEvent, ...]
    cursor: str | None  # where the next poll starts (kept in the store); None: where this one started
    more: bool = False  # another page is ready at once (the poll stopped at its page size)


@runtime_checkable
class Poller(Protocol):
    """Pull mode, for sites whose platform cannot reach the connector: find what changed since `cursor`.

    The events a poll finds must carry the same `event_id`s as the same changes pushed by webhook, so
    that a site with both on stores each change once. Polls overlap (a platform's clock has seconds,
    and a record saved in the second of the last poll may be missed): a poller returns what it finds
    again, and the store's uniqueness on `event_id` drops the repeats."""

    def poll(self, cursor: str | None, *, site: str, rules: RoleRules) -> PollPage: ...


class TicketWriter(ABC):
    """Writes results back onto tickets: one attempt per call, retries belong to the outbox.

    Logical field keys (`mood`, `mood_score`, ...) are mapped to a platform's own fields by the writer,
    from the site's configuration. Errors are adapters.errors.WriteError subclasses: RateLimited,
    TransientWriteError, PermanentWriteError.

    Every call must be safe to repeat or to check afterwards, because a worker can die after the
    platform acted and before the outbox recorded it: fields and labels are idempotent by nature, and
    `read_fields` / `find_comment` tell the outbox whether an earlier attempt already landed.
    """

    @abstractmethod
    def write_fields(self, ticket_key: str, values: Mapping[str, FieldValue]) -> None: ...

    @abstractmethod
    def read_fields(self, ticket_key: str, keys: list[str]) -> dict[str, FieldValue]:
        """The current values of logical fields, as write_fields would have set them."""

    @abstractmethod
    def add_comment(self, ticket_key: str, text: str, *, public: bool) -> str:
        """Returns the new comment's id."""

    @abstractmethod
    def find_comment(
        self, ticket_key: str, text: str, *, since: datetime, exclude: Sequence[str] = ()
    ) -> str | None:
        """The id of a comment with this text that the connector's own account added at or after
        `since`, other than those in `exclude` (comments already matched to other outbox actions);
        None when there is none. The read-back for a comment whose posting has an unknown outcome."""

    @abstractmethod
    def change_labels(self, ticket_key: str, *, add: Sequence[str] = (), remove: Sequence[str] = ()) -> None:
        """Add and remove labels, leaving the others alone (adding one that is there is no change)."""

    def create_issue(
        self, project: str, issue_type: str, summary: str, description: str, *, labels: Sequence[str] = ()
    ) -> str:
        """Create a ticket (a survey's follow-up issue) and return its key. `labels` must include a
        marker unique to the action, by which `find_issue` finds it again after an unknown outcome."""
        raise PermanentWriteError(f"{type(self).__name__} cannot create tickets")

    def find_issue(self, label: str) -> str | None:
        """The key of the ticket carrying `label` (the marker `create_issue` was given), or None."""
        raise PermanentWriteError(f"{type(self).__name__} cannot search tickets")

    def set_priority(self, ticket_key: str, priority: str) -> None:
        """Set the ticket's priority, by the name the platform shows (an escalation's "raise the
        priority"); setting the one it has is no change. A platform without priorities refuses."""
        raise PermanentWriteError(f"{type(self).__name__} cannot set a ticket's priority")
