"""The normalised event model that every platform adapter produces.

A platform's webhook (or a poll of its API) becomes one or more `TicketEvent`s. Everything downstream
(store, pipeline, ELA, surveys) reads only these, never a platform's raw payload, so adding a platform is
one adapter package and nothing else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints


class EventKind(StrEnum):
    created = "created"
    transitioned = "transitioned"
    commented = "commented"
    comment_edited = "comment_edited"
    comment_deleted = "comment_deleted"
    updated = "updated"
    deleted = "deleted"
    # Not from a platform: a customer answered a survey send (the connector's own survey pages). It goes
    # through the same store and pipeline, in the ticket's order, so mood, ELA and results see it.
    survey_answered = "survey_answered"


class AuthorRole(StrEnum):
    customer = "customer"
    agent = "agent"
    system = "system"


class StatusCategory(StrEnum):
    """Jira's three status categories; ServiceNow states map onto the same three."""

    new = "new"
    indeterminate = "indeterminate"
    done = "done"


def _storable(value: datetime) -> datetime:
    """A time that can be stored: it has a zone and is a date of years 1 to 9999 in UTC. A platform
    may write `9999-12-31T23:59:59.999-1400`, which is the year 10000 in UTC."""
    if value.tzinfo is None:
        raise ValueError(f"{value.isoformat()} has no time zone")
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError(
            f"{value.isoformat()} is outside the dates that can be stored (years 1-9999 in UTC)"
        ) from None
    return value


# Every time on an event: aware, and storable.
Time = Annotated[datetime, AfterValidator(_storable)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Person(_Model):
    """A platform user as far as a payload reveals it (Cloud hides e-mail addresses by default)."""

    id: str | None = None  # Cloud accountId, Server/DC user key or name, ServiceNow sys_id
    name: str | None = None  # display name
    email: str | None = None
    account_type: str | None = None  # Jira Cloud: atlassian | app | customer
    locale: str | None = None  # e.g. de_DE, when the platform says (surveys pick their language by it)


class SlaState(_Model):
    """One SLA's clock: the cycle running now, else its last completed cycle (`breached` and the rest are
    that cycle's). `ever_breached`: any cycle of it breached, the earlier ones of a reopened ticket too."""

    name: str
    breached: bool | None = None
    ever_breached: bool = False
    paused: bool | None = None
    completed: bool = False
    goal_ms: int | None = None
    remaining_ms: int | None = None


class Ticket(_Model):
    key: str
    id: str | None = None
    project: str | None = None
    type: str | None = None
    request_type: str | None = None
    priority: str | None = None
    status: str | None = None
    status_category: StatusCategory | None = None
    summary: str | None = None
    requester: Person | None = None
    assignee: Person | None = None
    participants: tuple[Person, ...] = ()
    labels: tuple[str, ...] = ()
    resolution: str | None = None
    created_at: Time | None = None
    resolved_at: Time | None = None
    slas: tuple[SlaState, ...] = ()


class Transition(_Model):
    from_status: str | None = None
    to_status: str
    from_category: StatusCategory | None = None
    to_category: StatusCategory | None = None


class Comment(_Model):
    id: str
    author: Person | None = None
    author_role: AuthorRole
    text: str  # plain text, cleaned of markup, quoted history and signatures
    public: bool
    created_at: Time | None = None
    updated_at: Time | None = None


class SurveyAnswer(_Model):
    """A customer's answer to a survey send: the rating on the survey's scale, and any comment."""

    survey: str  # the survey's name in the settings
    send_id: str  # the survey send answered
    kind: str  # csat | nps | ces
    score: int
    scale_min: int
    scale_max: int
    comment: str | None = None  # the customer's own words, cleaned
    respondent: Person | None = None
    answered_at: Time


class FieldChange(_Model):
    """One tracked field change from a changelog (assignee, priority, labels, resolution, ...)."""

    field: str
    from_value: str | None = None
    to_value: str | None = None


# A platform's registry name (`jira`, `servicenow`, ...): lower-case, as in the webhook URL.
PlatformName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,19}$")]


class TicketEvent(_Model):
    platform: PlatformName
    site: str
    event_id: str  # idempotency key: the same delivery always yields the same event_id
    kind: EventKind
    ticket: Ticket
    transition: Transition | None = None
    comment: Comment | None = None
    changes: tuple[FieldChange, ...] = ()
    survey: SurveyAnswer | None = None  # kind survey_answered
    occurred_at: Time
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)

    def to_json(self, *, with_raw: bool = False) -> str:
        return self.model_dump_json(exclude=None if with_raw else {"raw"})

    @classmethod
    def from_json(cls, data: str | bytes, raw: dict[str, Any] | None = None) -> TicketEvent:
        event = cls.model_validate_json(data)
        return event if raw is None else event.model_copy(update={"raw": raw})
