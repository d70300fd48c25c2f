"""The Jira site's objects: users, projects, workflows, fields, issues, comments and changelogs.

Plain data with no behaviour beyond small derived properties; jira_state changes them under one lock.
Identifiers follow Jira Cloud's conventions (numeric strings from 10000, `customfield_<n>`), so clients
that parse them the way they parse real ids keep working.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from simulators.jira.adf import adf_to_text, text_to_adf

ACCOUNT_TYPES = ("atlassian", "customer", "app")


@dataclass
class User:
    account_id: str
    display_name: str
    email: str
    account_type: str = "atlassian"
    api_token: str | None = None
    pat: str | None = None
    admin: bool = False
    active: bool = True
    time_zone: str = "Etc/UTC"

    @property
    def is_customer(self) -> bool:
        return self.account_type == "customer"


@dataclass(frozen=True)
class StatusCategory:
    id: int
    key: str
    color_name: str
    name: str


CATEGORY_NEW = StatusCategory(2, "new", "blue-gray", "To Do")
CATEGORY_INDETERMINATE = StatusCategory(4, "indeterminate", "yellow", "In Progress")
CATEGORY_DONE = StatusCategory(3, "done", "green", "Done")


@dataclass(frozen=True)
class Status:
    id: str
    name: str
    category: StatusCategory
    description: str = ""


@dataclass(frozen=True)
class Transition:
    """`sources=None` makes the transition global (available from every status but its target)."""

    id: str
    name: str
    to: str
    sources: frozenset[str] | None = None


@dataclass(frozen=True)
class Workflow:
    name: str
    statuses: tuple[Status, ...]
    initial: str
    transitions: tuple[Transition, ...]

    def status(self, status_id: str) -> Status:
        return next(status for status in self.statuses if status.id == status_id)

    def status_named(self, name: str) -> Status | None:
        return next((s for s in self.statuses if s.name.lower() == name.lower()), None)

    def available(self, status_id: str) -> list[Transition]:
        return [
            t for t in self.transitions if t.to != status_id and (t.sources is None or status_id in t.sources)
        ]


@dataclass(frozen=True)
class IssueType:
    id: str
    name: str
    description: str
    avatar_id: int


@dataclass(frozen=True)
class Priority:
    id: str
    name: str
    icon: str


@dataclass(frozen=True)
class Resolution:
    id: str
    name: str
    description: str


ISSUE_TYPES = (
    IssueType("10001", "Task", "A small, distinct piece of work.", 10318),
    IssueType("10002", "Bug", "A problem or error.", 10303),
    IssueType("10003", "Service Request", "Requests for help or information.", 10553),
    IssueType("10004", "Incident", "An unplanned interruption to a service.", 10552),
)
PRIORITIES = (
    Priority("1", "Highest", "highest"),
    Priority("2", "High", "high"),
    Priority("3", "Medium", "medium"),
    Priority("4", "Low", "low"),
    Priority("5", "Lowest", "lowest"),
)
RESOLUTIONS = (
    Resolution("10000", "Done", "Work has been completed on this issue."),
    Resolution("10001", "Won't Do", "This issue won't be actioned."),
    Resolution("10002", "Duplicate", "The problem is a duplicate of an existing issue."),
    Resolution("10003", "Declined", "This request has been declined."),
)


@dataclass
class RequestType:
    id: str
    name: str
    description: str
    issue_type_id: str
    service_desk_id: str
    portal_id: str
    help_text: str = ""


@dataclass
class Project:
    id: str
    key: str
    name: str
    project_type: str
    lead: str
    workflow: Workflow
    issue_type_ids: tuple[str, ...]
    request_types: dict[str, RequestType] = field(default_factory=dict)
    service_desk_id: str | None = None
    admins: set[str] = field(default_factory=set)

    @property
    def is_service_desk(self) -> bool:
        return self.project_type == "service_desk"


@dataclass
class FieldOption:
    id: str
    value: str
    disabled: bool = False


@dataclass
class FieldContext:
    id: str
    name: str
    description: str
    project_ids: list[str]
    issue_type_ids: list[str]
    options: list[FieldOption] = field(default_factory=list)

    def applies_to(self, project_id: str) -> bool:
        return not self.project_ids or project_id in self.project_ids


@dataclass
class Field:
    """A system or custom field. `kind` says how values are stored and checked (see jira_fields)."""

    id: str
    name: str
    custom: bool
    kind: str
    schema: dict[str, Any]
    type_key: str | None = None
    searcher_key: str | None = None
    description: str = ""
    settable: bool = True
    on_screen: bool = True
    contexts: list[FieldContext] = field(default_factory=list)
    clause_names: tuple[str, ...] = ()
    orderable: bool = True
    navigable: bool = True
    searchable: bool = True

    def options_for(self, project_id: str) -> list[FieldOption]:
        """A project's own context replaces the global one for its issues, options included."""
        specific = [c for c in self.contexts if project_id in c.project_ids]
        chosen = specific or [c for c in self.contexts if not c.project_ids]
        return [o for c in chosen for o in c.options if not o.disabled]


@dataclass
class RichText:
    """Text that v2 shows as a string and v3 as ADF; keeps the ADF a v3 client wrote, verbatim."""

    text: str
    adf: dict[str, Any] | None = None

    @classmethod
    def from_adf(cls, doc: dict[str, Any]) -> RichText:
        return cls(adf_to_text(doc), doc)

    def as_adf(self) -> dict[str, Any]:
        return self.adf if self.adf is not None else text_to_adf(self.text)


@dataclass
class Comment:
    id: str
    author: str
    body: RichText
    created: int
    updated: int
    update_author: str
    public: bool = True
    visibility: dict[str, Any] | None = None
    properties: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ChangeItem:
    field: str
    fieldtype: str
    field_id: str
    from_: str | None
    from_string: str | None
    to: str | None
    to_string: str | None
    # `field` is shadowed by the attribute above, hence the qualified name.
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "fieldtype": self.fieldtype,
            "fieldId": self.field_id,
            "from": self.from_,
            "fromString": self.from_string,
            "to": self.to,
            "toString": self.to_string,
            **self.extra,
        }


@dataclass
class ChangeGroup:
    id: str
    author: str
    created: int
    items: list[ChangeItem]


@dataclass
class SlaCycle:
    start: int
    paused_total: int = 0
    paused_since: int | None = None
    stop: int | None = None

    def elapsed(self, now: int) -> int:
        end = self.stop if self.stop is not None else now
        paused = self.paused_total + ((end - self.paused_since) if self.paused_since is not None else 0)
        return max(0, end - self.start - paused)


@dataclass
class Sla:
    """A JSM SLA metric on one issue: `pause_statuses` stop its clock, a done status ends its cycle."""

    id: str
    name: str
    goal_ms: int
    pause_statuses: frozenset[str] = frozenset()
    stops_on_first_response: bool = False
    cycles: list[SlaCycle] = field(default_factory=list)


@dataclass
class Issue:
    id: str
    key: str
    project: Project
    fields: dict[str, Any]
    comments: list[Comment] = field(default_factory=list)
    changelog: list[ChangeGroup] = field(default_factory=list)
    slas: list[Sla] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def reporter(self) -> str | None:
        value = self.fields.get("reporter")
        return value if isinstance(value, str) else None


def jira_time(ms: int) -> str:
    """Jira's timestamp format: 2019-02-15T19:15:40.470+0000 (UTC here; Jira uses the viewer's zone)."""
    moment = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}+0000"


def parse_jira_time(text: str) -> int | None:
    """Parses what Jira accepts for datetime fields: ISO 8601 with milliseconds and a +hhmm offset."""
    for pattern in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return int(dt.datetime.strptime(text, pattern).timestamp() * 1000)
        except ValueError:
            continue
    return None


def jsm_date(ms: int) -> dict[str, Any]:
    """JSM's DateDTO: the same instant four ways."""
    moment = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
    return {
        "iso8601": moment.strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "jira": jira_time(ms),
        "friendly": moment.strftime("%d/%b/%y %I:%M %p"),
        "epochMillis": ms,
    }
