"""The simulated Jira site behind its HTTP edge: what tests, the demo and the control API drive."""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulators.faults import FaultSet
from simulators.jira.fields import CF
from simulators.jira.http import Site
from simulators.jira.issues import IssueService
from simulators.jira.jsm_openapi import JSM_OPENAPI
from simulators.jira.model import Field, Project, RichText, User
from simulators.jira.openapi_additions import PLATFORM_ADDITIONS
from simulators.jira.payloads import build_payload
from simulators.jira.render import Renderer
from simulators.jira.seed import SEEDS, seed
from simulators.jira.state import DEFAULT_REQUEST_TYPES, JiraState, StateEvent
from simulators.jira.webhooks import DEFAULT_RETRY_DELAYS, jira_dispatcher
from simulators.openapi_check import ApiDefinition, OpenApiChecker, Violation
from simulators.ratelimit import TokenBucket
from simulators.recorder import RecordedRequest, RequestLog
from simulators.webhooks import Delivery, WebhookRegistration

ALL_EVENTS = (
    "jira:issue_created",
    "jira:issue_updated",
    "jira:issue_deleted",
    "comment_created",
    "comment_updated",
    "comment_deleted",
)


class Clock:
    """Wall-clock epoch milliseconds, plus an offset the demo and tests can move forward."""

    def __init__(self) -> None:
        self.offset_ms = 0

    def __call__(self) -> int:
        return int(time.time() * 1000) + self.offset_ms

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self.offset_ms += int(seconds * 1000)


@dataclass(frozen=True)
class IssueView:
    """An issue as it stands: v2 field values keyed by field id (custom fields too), comments (with
    `jsdPublic`), and changelog histories."""

    id: str
    key: str
    fields: dict[str, Any]
    comments: list[dict[str, Any]]
    changelog: list[dict[str, Any]]

    @property
    def status(self) -> str:
        return str(self.fields["status"]["name"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.key,
            "fields": self.fields,
            "comments": self.comments,
            "changelog": self.changelog,
        }


class SiteDriver:
    """The simulated site and everything a test or the control API does to it, without the HTTP server:
    its state, webhooks, records and faults; users, projects, fields, issues and comments made as any
    user would."""

    def __init__(
        self,
        openapi_spec: Path | str | None = None,
        *,
        seed: str = "demo",
        reject_violations: bool = True,
        webhook_time_scale: float = 1.0,
        webhook_retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        webhook_timeout: tuple[float, float] = (5.0, 20.0),
        webhook_workers: int = 2,
        comment_issue_updated: bool = True,
        auto_transitions: bool = True,
        request_log_limit: int = 100_000,
        rate_limit: float | None = None,
        rate_burst: float | None = None,
    ) -> None:
        if seed not in SEEDS:
            raise ValueError(f"unknown seed {seed!r}; choose one of {', '.join(SEEDS)}")
        self.seed_name = seed
        self.clock = Clock()
        self.faults = FaultSet()
        self.dispatcher = jira_dispatcher(
            time_scale=webhook_time_scale,
            retry_delays=tuple(webhook_retry_delays),
            timeout=webhook_timeout,
            workers=webhook_workers,
        )
        self._options = {"comment_issue_updated": comment_issue_updated, "auto_transitions": auto_transitions}
        checker = None
        if openapi_spec is not None:
            platform = ApiDefinition.from_file(
                Path(openapi_spec), name="Jira Cloud platform REST API", prefixes=("/rest/api/",)
            )
            additions, jsm = _own_definitions()
            checker = OpenApiChecker([additions, platform, jsm])
        state, issues, renderer = self._new_state()
        self.site = Site(
            state,
            issues,
            renderer,
            self.dispatcher,
            self.faults,
            RequestLog(request_log_limit),
            checker,
            reject_violations,
            # requests/s over every REST call (the control API under /_sim is not limited)
            TokenBucket(rate_limit, rate_burst) if rate_limit is not None else None,
        )

    def _new_state(self) -> tuple[JiraState, IssueService, Renderer]:
        state = JiraState(self.clock)
        issues = IssueService(state, **self._options)
        renderer = Renderer(state)
        state.listeners.append(lambda event: self._on_event(renderer, event))
        seed(state, self.seed_name)
        return state, issues, renderer

    def _on_event(self, renderer: Renderer, event: StateEvent) -> None:
        if self.dispatcher.wants(event.name):
            payload = build_payload(renderer, event)
            self.dispatcher.publish(event.name, payload, lane=event.issue.id, issue_key=event.issue.key)

    @property
    def base_url(self) -> str:
        return self.site.state.base_url

    # records -------------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.site.log.requests()

    @property
    def violations(self) -> list[Violation]:
        return self.site.log.violations()

    @property
    def deliveries(self) -> list[Delivery]:
        return self.dispatcher.deliveries()

    def clear_records(self) -> None:
        """Forgets recorded requests, violations and deliveries (not the site's state)."""
        self.site.log.clear()
        self.dispatcher.clear()

    def wait_for_webhooks(self, timeout: float = 10.0) -> bool:
        """True once every queued webhook delivery has succeeded or been given up."""
        return self.dispatcher.wait_idle(timeout)

    def reset(self, *, state: bool = False) -> None:
        """Clears records and faults; with `state=True` also rebuilds the site from its seed."""
        self.clear_records()
        self.faults.clear()
        if state:
            base_url = self.base_url
            new_state, issues, renderer = self._new_state()
            new_state.base_url = base_url
            self.site.state, self.site.issues, self.site.renderer = new_state, issues, renderer

    def advance_clock(self, seconds: float) -> None:
        self.clock.advance(seconds)

    # site set-up ---------------------------------------------------------------------------------

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
    ) -> User:
        """A user who can log in with Basic `email:api_token` (a token is generated when none is given)."""
        return self.site.state.add_user(
            display_name,
            email,
            account_type=account_type,
            admin=admin,
            api_token=api_token or secrets.token_urlsafe(18),
            pat=pat,
            account_id=account_id,
        )

    def user(self, email_or_id: str) -> User:
        state = self.site.state
        found = state.users.get(email_or_id) or state.user_by_email(email_or_id)
        if found is None:
            raise KeyError(f"no user {email_or_id}")
        return found

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
        lead_id = self.user(lead).account_id if lead else None
        admin_ids = [self.user(a).account_id for a in admins]
        return self.site.state.create_project(
            key, name, project_type=project_type, lead=lead_id, request_types=request_types, admins=admin_ids
        )

    def create_custom_field(
        self,
        name: str,
        field_type: str,
        *,
        searcher_key: str | None = None,
        options: Sequence[str] = (),
        on_screen: bool = True,
    ) -> Field:
        """`field_type` may be short (`select`, `float`, `textfield`, ...) or a full type key. Options go
        into the field's default global context. `on_screen=False` makes REST writes fail as when the
        field is not on the project's edit screen."""
        state = self.site.state
        type_key = field_type if ":" in field_type else CF + field_type
        if searcher_key and ":" not in searcher_key:
            searcher_key = CF + searcher_key
        field = state.create_custom_field(name, type_key, searcher_key=searcher_key, on_screen=on_screen)
        if options:
            state.add_options(field, field.contexts[0], [{"value": value} for value in options])
        return field

    # issues --------------------------------------------------------------------------------------

    def _actor(self, who: str | User | None) -> User:
        if isinstance(who, User):
            return who
        if who is not None:
            return self.user(who)
        admin = next(
            (u for u in self.site.state.users.values() if u.admin and u.account_type == "atlassian"), None
        )
        if admin is None:
            raise ValueError("no admin user to act as; pass an actor")
        return admin

    def create_issue(
        self,
        project: str,
        summary: str,
        *,
        reporter: str | User | None = None,
        request_type: str | None = None,
        description: str | None = None,
        issue_type: str | None = None,
        fields: dict[str, Any] | None = None,
        participants: Iterable[str] = (),
    ) -> str:
        """Creates an issue as `reporter` (e-mail or account id; default the admin), as a customer raising
        it on the portal would for a service desk. Emits jira:issue_created. Returns the key."""
        state = self.site.state
        the_project = state.project(project)
        if the_project is None:
            raise KeyError(f"no project {project}")
        request_type_id = None
        if the_project.is_service_desk:
            wanted = request_type or next(iter(the_project.request_types.values())).name
            found = [rt for rt in the_project.request_types.values() if wanted in (rt.id, rt.name)]
            if not found:
                raise KeyError(f"no request type {wanted} in {project}")
            request_type_id = found[0].id
        type_name = issue_type or ("Service Request" if the_project.is_service_desk else "Task")
        all_fields: dict[str, Any] = {
            "project": {"key": the_project.key},
            "issuetype": {"name": type_name},
            "summary": summary,
            **(fields or {}),
        }
        if description is not None:
            all_fields["description"] = description
        actor = self._actor(reporter)
        issues = self.site.issues
        issue = issues.create(actor, all_fields, version=2, request_type_id=request_type_id, as_request=True)
        if participants:
            issues.add_participants(actor, issue, [self.user(p).account_id for p in participants])
        return issue.key

    def add_comment(
        self, key: str, body: str, *, author: str | User | None = None, public: bool = True
    ) -> str:
        """A comment as `author` would write it (a customer on the portal, an agent in Jira)."""
        issue = self.site.state.issue(key)
        comment = self.site.issues.comments.add(self._actor(author), issue, RichText(body), public=public)
        return comment.id

    def transition(self, key: str, status: str, *, actor: str | User | None = None) -> None:
        """Moves the issue along the workflow to the named status, if a transition leads there."""
        issue = self.site.state.issue(key)
        workflow = issue.project.workflow
        target = workflow.status_named(status)
        if target is None:
            raise KeyError(f"no status {status} in {issue.project.key}'s workflow")
        available = [t for t in workflow.available(issue.fields["status"]) if t.to == target.id]
        if not available:
            raise ValueError(f"{key} cannot move to {status} from its current status")
        self.site.issues.transition(self._actor(actor), issue, {"id": available[0].id}, {}, None, version=2)

    def issue(self, key: str) -> IssueView:
        state = self.site.state
        with state.lock:
            snapshot = self.site.renderer.snapshot(state.issue(key))
        return IssueView(**snapshot)

    def register_webhook(
        self, url: str, events: Iterable[str] = ALL_EVENTS, secret: str | None = None, name: str = ""
    ) -> WebhookRegistration:
        """An admin webhook for these events ('*' for all); signed with X-Hub-Signature when `secret`."""
        return self.dispatcher.register(url, events, secret, name)


@functools.cache
def _own_definitions() -> tuple[ApiDefinition, ApiDefinition]:
    """The definitions kept in this package: platform additions (listed before the platform file so
    their paths match first) and the JSM operations."""
    additions = ApiDefinition(
        PLATFORM_ADDITIONS, name="Jira Cloud platform REST API (additions)", prefixes=("/rest/api/",)
    )
    jsm = ApiDefinition(
        JSM_OPENAPI, name="Jira Service Management REST API", prefixes=("/rest/servicedeskapi/",)
    )
    return additions, jsm
