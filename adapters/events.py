"""The normalised event model that every platform adapter produces.

A platform's webhook (or a poll of its API) becomes one or more `TicketEvent`s. Everything downstream
(store, pipeline, ELA, surveys) reads only these, never a platform's raw payload, so adding a platform is
one adapter package and nothing else.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


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
    name: str
    breached: bool | None = None
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
    created_at: datetime | None = None
    resolved_at: datetime | None = None
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
    created_at: datetime | None = None
    updated_at: datetime | None = None


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
    answered_at: datetime


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
    occurred_at: datetime
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)

    def to_json(self, *, with_raw: bool = False) -> str:
        return self.model_dump_json(exclude=None if with_raw else {"raw"})

    @classmethod
    def from_json(cls, data: str | bytes, raw: dict[str, Any] | None = None) -> TicketEvent:
        event = cls.model_validate_json(data)
        return event if raw is None else event.model_copy(update={"raw": raw})
