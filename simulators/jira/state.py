"""The Jira site's state: users, projects, fields and issues, with every change made under one lock.

Issue operations live in jira_issues; this module holds the catalogue they work on and the event hook:
each state change calls the listeners with a `StateEvent` while the lock is still held, so webhook
payloads are rendered from the state as it was at that change and queued in the order changes happen.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from simulators.jira.errors import ISSUE_NOT_FOUND, JiraError, bad_request, field_errors, not_found
from simulators.jira.fields import CUSTOM_FIELD_TYPES, SD, custom_field_schema, system_fields
from simulators.jira.model import (
    ACCOUNT_TYPES,
    ISSUE_TYPES,
    ChangeGroup,
    Comment,
    Field,
    FieldContext,
    FieldOption,
    Issue,
    Project,
    RequestType,
    User,
)
from simulators.jira.sla import TIME_TO_FIRST_RESPONSE, TIME_TO_RESOLUTION
from simulators.jira.workflows import SERVICE_REQUEST_WORKFLOW, SIMPLE_WORKFLOW

SERVICE_DESK_ISSUE_TYPES = ("10003", "10004")
SOFTWARE_ISSUE_TYPES = ("10001", "10002")
DEFAULT_REQUEST_TYPES = (
    ("Get IT help", "Get assistance for general IT problems and questions."),
    ("Report a system problem", "Let us know if something isn't working properly."),
)


@dataclass
class StateEvent:
    """One change worth a webhook: `name` is the webhookEvent, `event_type` the issue_event_type_name."""

    name: str
    issue: Issue
    actor: User
    timestamp: int
    event_type: str | None = None
    changelog: ChangeGroup | None = None
    comment: Comment | None = None


class JiraState:
    def __init__(self, clock: Callable[[], int]) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.base_url = "http://jira.invalid"
        self.listeners: list[Callable[[StateEvent], None]] = []
        self.users: dict[str, User] = {}
        self.projects: dict[str, Project] = {}
        self.fields: dict[str, Field] = {f.id: f for f in system_fields()}
        self.issues: dict[str, Issue] = {}
        self.issues_by_id: dict[str, Issue] = {}
        self.jsm_fields: dict[str, str] = {}
        self._counters: dict[str, int] = {}

    def next_id(self, kind: str, start: int = 10000) -> str:
        value = self._counters.get(kind, start)
        self._counters[kind] = value + 1
        return str(value)

    def now(self) -> int:
        return self.clock()

    def emit(self, event: StateEvent) -> None:
        for listener in self.listeners:
            listener(event)

    # users ---------------------------------------------------------------------------------------

    def add_user(
        self,
        display_name: str,
        email: str,
        *,
        account_type: str = "atlassian",
        admin: bool = False,
        api_token: str | None = None,
        pat: str | None = None,
        account_id: str | None = None,
        time_zone: str = "Etc/UTC",
    ) -> User:
        if account_type not in ACCOUNT_TYPES:
            raise ValueError(f"account_type must be one of {', '.join(ACCOUNT_TYPES)}")
        with self.lock:
            if any(u.email.lower() == email.lower() for u in self.users.values()):
                raise ValueError(f"a user with e-mail {email} already exists")
            user = User(
                account_id=account_id or _account_id(email, account_type),
                display_name=display_name,
                email=email,
                account_type=account_type,
                api_token=api_token,
                pat=pat,
                admin=admin,
                time_zone=time_zone,
            )
            self.users[user.account_id] = user
            return user

    def user_by_email(self, email: str) -> User | None:
        return next((u for u in self.users.values() if u.email.lower() == email.lower()), None)

    def authenticate_basic(self, email: str, token: str) -> User | None:
        user = self.user_by_email(email)
        if user and user.active and user.api_token is not None and _same(user.api_token, token):
            return user
        return None

    def authenticate_bearer(self, token: str) -> User | None:
        for user in self.users.values():
            if user.active and user.pat is not None and _same(user.pat, token):
                return user
        return None

    def automation_user(self) -> User | None:
        return next((u for u in self.users.values() if u.account_type == "app"), None)

    # projects ------------------------------------------------------------------------------------

    def create_project(
        self,
        key: str,
        name: str,
        *,
        project_type: str = "service_desk",
        lead: str | None = None,
        request_types: Iterable[str | tuple[str, str]] = DEFAULT_REQUEST_TYPES,
        admins: Iterable[str] = (),
    ) -> Project:
        if not key.isalnum() or not key[0].isalpha() or key.upper() != key:
            raise ValueError(
                f"project key {key!r} must be upper-case letters and digits, starting with a letter"
            )
        if project_type not in ("service_desk", "software", "business"):
            raise ValueError("project_type must be service_desk, software or business")
        with self.lock:
            if key in self.projects:
                raise ValueError(f"project {key} already exists")
            service_desk = project_type == "service_desk"
            project = Project(
                id=self.next_id("project"),
                key=key,
                name=name,
                project_type=project_type,
                lead=lead or next(iter(self.users), ""),
                workflow=SERVICE_REQUEST_WORKFLOW if service_desk else SIMPLE_WORKFLOW,
                issue_type_ids=SERVICE_DESK_ISSUE_TYPES if service_desk else SOFTWARE_ISSUE_TYPES,
                admins=set(admins),
            )
            if service_desk:
                project.service_desk_id = self.next_id("servicedesk", 1)
                for entry in request_types:
                    rt_name, description = (entry, "") if isinstance(entry, str) else entry
                    rt = RequestType(
                        id=self.next_id("requesttype", 1),
                        name=rt_name,
                        description=description,
                        issue_type_id=SERVICE_DESK_ISSUE_TYPES[0],
                        service_desk_id=project.service_desk_id,
                        portal_id=project.service_desk_id,
                    )
                    project.request_types[rt.id] = rt
                self._ensure_jsm_fields()
            self.projects[key] = project
            return project

    def project(self, key_or_id: str) -> Project | None:
        if key_or_id in self.projects:
            return self.projects[key_or_id]
        return next((p for p in self.projects.values() if p.id == key_or_id), None)

    def _ensure_jsm_fields(self) -> None:
        """The fields JSM adds to a site when its first service project is created."""
        wanted = (
            ("request_type", "Request Type", SD + "vp-origin"),
            ("participants", "Request participants", SD + "sd-request-participants"),
            ("first_response", TIME_TO_FIRST_RESPONSE, SD + "sd-sla-field"),
            ("resolution_sla", TIME_TO_RESOLUTION, SD + "sd-sla-field"),
        )
        for role, name, type_key in wanted:
            if role not in self.jsm_fields:
                settable = role == "participants"
                field = self._new_custom_field(name, type_key, None, "", settable=settable, on_screen=True)
                self.jsm_fields[role] = field.id

    # fields --------------------------------------------------------------------------------------

    def create_custom_field(
        self,
        name: str,
        type_key: str,
        *,
        searcher_key: str | None = None,
        description: str = "",
        on_screen: bool = True,
    ) -> Field:
        """As POST /rest/api/3/field: Jira allows duplicate names, and adds a global default context."""
        field_type = CUSTOM_FIELD_TYPES.get(type_key)
        if not name.strip():
            raise field_errors({"name": "You must specify a name for the custom field."})
        if field_type is None or not field_type.creatable:
            raise field_errors({"type": f"The custom field type '{type_key}' is not valid."})
        if searcher_key is not None and searcher_key not in field_type.searchers:
            message = f"The searcher key '{searcher_key}' is not valid for custom field type '{type_key}'."
            raise field_errors({"searcherKey": message})
        with self.lock:
            return self._new_custom_field(name, type_key, searcher_key, description, on_screen=on_screen)

    def _new_custom_field(
        self,
        name: str,
        type_key: str,
        searcher_key: str | None,
        description: str,
        *,
        settable: bool = True,
        on_screen: bool,
    ) -> Field:
        field_type = CUSTOM_FIELD_TYPES[type_key]
        number = int(self.next_id("customfield"))
        field_id = f"customfield_{number}"
        field = Field(
            id=field_id,
            name=name,
            custom=True,
            kind=field_type.kind,
            schema=custom_field_schema(type_key, number),
            type_key=type_key,
            searcher_key=searcher_key or (field_type.searchers[0] if field_type.searchers else None),
            description=description,
            settable=settable and field_type.kind not in ("request_type", "sla"),
            on_screen=on_screen,
            clause_names=(f"cf[{number}]", name),
        )
        field.contexts.append(
            FieldContext(
                self.next_id("context"),
                f"Default Configuration Scheme for {name}",
                f"Default configuration scheme generated by Jira for {name}",
                [],
                [],
            )
        )
        self.fields[field_id] = field
        return field

    def custom_field(self, field_id: str) -> Field:
        field = self.fields.get(field_id)
        if field is None or not field.custom:
            raise not_found("The custom field was not found.")
        return field

    def add_context(
        self,
        field: Field,
        name: str,
        *,
        description: str = "",
        project_ids: Sequence[str] = (),
        issue_type_ids: Sequence[str] = (),
    ) -> FieldContext:
        with self.lock:
            for project_id in project_ids:
                if self.project(project_id) is None:
                    raise not_found(f"The project {project_id} was not found.")
            known_types = {t.id for t in ISSUE_TYPES}
            for type_id in issue_type_ids:
                if type_id not in known_types:
                    raise not_found(f"The issue type {type_id} was not found.")
            taken = {p for c in field.contexts for p in c.project_ids}
            clash = taken.intersection(project_ids)
            if clash:
                raise JiraError(
                    409, [f"Project {sorted(clash)[0]} is already used by another context of this field."]
                )
            if not project_ids and any(not c.project_ids for c in field.contexts):
                raise JiraError(409, ["The field already has a global context."])
            context = FieldContext(
                self.next_id("context"), name, description, list(project_ids), list(issue_type_ids)
            )
            field.contexts.append(context)
            return context

    def context(self, field: Field, context_id: str) -> FieldContext:
        for context in field.contexts:
            if context.id == context_id:
                return context
        raise not_found("The context was not found.")

    def add_options(
        self, field: Field, context: FieldContext, options: Sequence[dict[str, Any]]
    ) -> list[FieldOption]:
        if field.kind not in ("option", "options"):
            raise bad_request("The custom field doesn't support options.")
        with self.lock:
            existing = {o.value for o in context.options}
            created: list[FieldOption] = []
            for entry in options:
                value = str(entry.get("value", ""))
                if not value.strip():
                    raise bad_request("The option value must not be empty.")
                if value in existing:
                    raise bad_request(f"The option '{value}' already exists in this context.")
                existing.add(value)
                created.append(FieldOption(self.next_id("option"), value, bool(entry.get("disabled", False))))
            context.options.extend(created)
            return created

    def option_values(self, field: Field) -> dict[str, str]:
        return {o.id: o.value for c in field.contexts for o in c.options}

    # issues --------------------------------------------------------------------------------------

    def issue(self, id_or_key: str) -> Issue:
        found = self.issues.get(id_or_key.upper()) or self.issues_by_id.get(id_or_key)
        if found is None:
            raise not_found(ISSUE_NOT_FOUND)
        return found


def _account_id(email: str, account_type: str) -> str:
    """Stable ids shaped like Cloud's: 24 hex digits for staff, `qm:` ids for JSM portal customers."""
    digest = hashlib.sha256(email.lower().encode()).hexdigest()
    if account_type == "customer":
        return (
            f"qm:{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}:{digest[32:40]}"
        )
    if account_type == "app":
        return f"557058:{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
    return digest[:24]


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())
