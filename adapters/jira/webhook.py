"""Jira webhooks to TicketEvents, with no network I/O: bytes in, events out.

`ADAPTER.authenticate(request, auth)` checks the delivery's proof of origin; `ADAPTER.parse(request, site,
rules)` decodes the body and dispatches on `webhookEvent` through `HANDLERS`. An event Jira really sends
but the connector has no use for (listed in `IGNORED_EVENTS`, or any unknown name on a body that carries
Jira's `timestamp`) comes back as a ParseResult with an `ignored_reason`: the intake answers 200 and logs
it. A body that is not a Jira webhook at all raises PayloadRejected with the reason.

Every TicketEvent's `event_id` names the change itself (the issue, the changelog history, the comment and
its version: adapters.jira.ids), so retries, twin deliveries and polls of the same change share it; only
a delivery with nothing to name falls back to its delivery key (Jira's `X-Atlassian-Webhook-Identifier`,
which a retry repeats, else a SHA-256 of the raw body).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.base import InboundRequest, ParseResult, RoleRules, WebhookAuth
from adapters.errors import PayloadRejected
from adapters.events import Comment, EventKind, FieldChange, Ticket, TicketEvent, Transition
from adapters.jira import ids
from adapters.jira.auth import authenticate
from adapters.jira.changelog import (
    assignment_without_changelog,
    changelog_items,
    comment_kind,
    status_change,
    tracked_changes,
    untracked_fields,
)
from adapters.jira.comment import comment as read_comment
from adapters.jira.ticket import ticket as read_ticket
from adapters.jira.values import jira_datetime
from adapters.payload import JsonObject, decode, epoch_ms, ident, obj, text

DELIVERY_HEADER = "X-Atlassian-Webhook-Identifier"
RETRY_HEADER = "X-Atlassian-Webhook-Retry"
_IDENTIFIER = re.compile(r"[\x21-\x7e]{1,128}")
# PROJECT-123. Checked because the key travels on into REST paths when results are written back.
_ISSUE_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,254}-[0-9]{1,18}")
# Jira Server's comment self link: .../rest/api/2/issue/<issue id>/comment/<comment id>
_SERVER_COMMENT_SELF = re.compile(r"/rest/api/[0-9]+/issue/[0-9]+/comment/[0-9]+\Z")


def delivery_key(request: InboundRequest) -> str:
    identifier = request.headers.get(DELIVERY_HEADER, "").strip()
    if _IDENTIFIER.fullmatch(identifier):
        return identifier
    return "sha256-" + hashlib.sha256(request.body).hexdigest()


def retry_count(request: InboundRequest) -> int:
    """Jira Cloud numbers its re-sends of a delivery in this header (absent on the first attempt)."""
    value = request.headers.get(RETRY_HEADER, "").strip()
    return int(value) if value.isdigit() and len(value) < 6 else 0


@dataclass(frozen=True)
class _Delivery:
    payload: dict[str, Any]
    webhook_event: str
    site: str
    key: str
    rules: RoleRules
    retry_count: int = 0

    def issue(self) -> tuple[Ticket, JsonObject]:
        """The delivery's issue as a Ticket (and its raw object); every handled event has one."""
        issue = self.payload.get("issue")
        if issue is None:
            raise PayloadRejected(f"{self.webhook_event} without an 'issue'")
        if not isinstance(issue, dict):
            raise PayloadRejected(f"{self.webhook_event}: 'issue' is not an object")
        key = issue.get("key")
        if not isinstance(key, str) or not key:
            raise PayloadRejected(f"{self.webhook_event}: the issue has no 'key'")
        if not _ISSUE_KEY.fullmatch(key):
            raise PayloadRejected(f"{self.webhook_event}: issue key {key[:40]!r} is not a Jira issue key")
        if issue.get("fields") is not None and not isinstance(issue.get("fields"), dict):
            raise PayloadRejected(f"{self.webhook_event}: issue 'fields' is not an object")
        return read_ticket(key, issue, self.rules), issue

    def occurred_at(self, issue: JsonObject, comment: JsonObject | None = None) -> datetime:
        """Jira's `timestamp` (epoch ms) when present, else the comment's time, else the issue's."""
        when = (
            epoch_ms(self.payload.get("timestamp"))
            or jira_datetime((comment or {}).get("updated"))
            or jira_datetime((comment or {}).get("created"))
            or jira_datetime((obj(issue, "fields") or {}).get("updated"))
        )
        if when is None:
            raise PayloadRejected(f"{self.webhook_event}: no 'timestamp' and no comment or issue time")
        return when

    def event(
        self,
        kind: EventKind,
        ticket: Ticket,
        occurred_at: datetime,
        *,
        transition: Transition | None = None,
        comment: Comment | None = None,
        changes: Sequence[FieldChange] = (),
    ) -> TicketEvent:
        return TicketEvent(
            platform="jira",
            site=self.site,
            event_id=self._event_id(kind, ticket, comment),
            kind=kind,
            ticket=ticket,
            transition=transition,
            comment=comment,
            changes=tuple(changes),
            occurred_at=occurred_at,
            raw=self.payload,
        )

    def _event_id(self, kind: EventKind, ticket: Ticket, comment: Comment | None) -> str:
        """Keyed by what changed (adapters.jira.ids): a site that subscribes to both "Issue updated" and
        "Comment created" gets each new comment twice, with different delivery ids; a site polled as
        well gets every change again from the search. The store keeps the first and drops the twins."""
        return ids.event_id(
            self.site,
            kind,
            issue_id=ticket.id,
            history_id=ident(obj(self.payload, "changelog"), "id"),
            comment=comment,
            delivery_key=self.key,
        )

    def result(self, events: Sequence[TicketEvent]) -> ParseResult:
        return ParseResult(
            events=tuple(events),
            webhook_event=self.webhook_event,
            delivery_key=self.key,
            retry_count=self.retry_count,
        )

    def ignored(self, reason: str) -> ParseResult:
        return ParseResult(
            webhook_event=self.webhook_event,
            ignored_reason=reason,
            delivery_key=self.key,
            retry_count=self.retry_count,
        )


def _issue_created(delivery: _Delivery) -> ParseResult:
    ticket, issue = delivery.issue()
    return delivery.result([delivery.event(EventKind.created, ticket, delivery.occurred_at(issue))])


def _issue_deleted(delivery: _Delivery) -> ParseResult:
    ticket, issue = delivery.issue()
    return delivery.result([delivery.event(EventKind.deleted, ticket, delivery.occurred_at(issue))])


def _issue_updated(delivery: _Delivery) -> ParseResult:
    ticket, issue = delivery.issue()
    payload = delivery.payload
    event_type = text(payload, "issue_event_type_name")
    items = changelog_items(payload)
    raw_comment = obj(payload, "comment")
    events = []

    moved = status_change(items)
    if moved is not None:
        from_status, to_status = moved
        transition = Transition(
            from_status=from_status,
            to_status=to_status,
            # The changelog names statuses only; the issue carries the category of the one it is in now.
            to_category=ticket.status_category if ticket.status == to_status else None,
        )
        events.append(
            delivery.event(EventKind.transitioned, ticket, delivery.occurred_at(issue), transition=transition)
        )

    changes = tracked_changes(items)
    assigned = assignment_without_changelog(event_type, items, ticket)
    if assigned is not None:
        changes.append(assigned)
    if changes:
        events.append(delivery.event(EventKind.updated, ticket, delivery.occurred_at(issue), changes=changes))

    kind = comment_kind(event_type, raw_comment)
    if kind is not None and raw_comment is not None:
        comment = read_comment(raw_comment, ticket, delivery.rules)
        occurred_at = delivery.occurred_at(issue, raw_comment)
        events.append(delivery.event(kind, ticket, occurred_at, comment=comment))

    if events:
        return delivery.result(events)
    return delivery.ignored(_why_nothing(event_type, items))


def _why_nothing(event_type: str | None, items: list[JsonObject]) -> str:
    if event_type == "issue_comment_deleted":
        # Jira Server's issue_comment_deleted update carries no comment at all.
        return "issue_comment_deleted without the comment: nothing identifies which comment was deleted"
    untracked = untracked_fields(items)
    if untracked:
        shown = ", ".join(untracked[:8]) + (", ..." if len(untracked) > 8 else "")
        return f"only untracked fields changed: {shown}"
    named = event_type or "absent"
    return f"no changelog and no comment (issue_event_type_name: {named}): nothing tracked changed"


# The issue_event_type_name of the jira:issue_updated delivery Jira Server sends beside each comment event.
_SERVER_UPDATE_TYPES = {
    EventKind.commented: "issue_commented",
    EventKind.comment_edited: "issue_comment_edited",
    EventKind.comment_deleted: "issue_comment_deleted",
}


def _comment_handler(kind: EventKind) -> Callable[[_Delivery], ParseResult]:
    def handle(delivery: _Delivery) -> ParseResult:
        raw_comment = obj(delivery.payload, "comment")
        if "issue" not in delivery.payload and _server_comment_without_issue(raw_comment):
            return delivery.ignored(
                f"Jira Server/Data Center {delivery.webhook_event} carries no issue, so it names no ticket; "
                f"the same change arrives as jira:issue_updated ({_SERVER_UPDATE_TYPES[kind]})"
            )
        ticket, issue = delivery.issue()
        if raw_comment is None:
            raise PayloadRejected(f"{delivery.webhook_event} without a 'comment' object")
        comment = read_comment(raw_comment, ticket, delivery.rules)
        occurred_at = delivery.occurred_at(issue, raw_comment)
        return delivery.result([delivery.event(kind, ticket, occurred_at, comment=comment)])

    return handle


def _server_comment_without_issue(raw_comment: JsonObject | None) -> bool:
    """Jira Server and Data Center send comment_created / _updated / _deleted with the comment alone: no
    issue, only the issue id inside the comment's `self` link. A real event, but not one a ticket can be
    found by; recognised by that link so that other issue-less bodies are still rejected."""
    link = text(raw_comment, "self")
    return link is not None and _SERVER_COMMENT_SELF.search(link) is not None


HANDLERS: dict[str, Callable[[_Delivery], ParseResult]] = {
    "jira:issue_created": _issue_created,
    "jira:issue_updated": _issue_updated,
    "jira:issue_deleted": _issue_deleted,
    "comment_created": _comment_handler(EventKind.commented),
    "comment_updated": _comment_handler(EventKind.comment_edited),
    "comment_deleted": _comment_handler(EventKind.comment_deleted),
}
SUPPORTED_EVENTS = frozenset(HANDLERS)

# Events Jira sends that carry nothing about a ticket's conversation or lifecycle.
IGNORED_EVENTS = frozenset(
    {
        "worklog_created",
        "worklog_updated",
        "worklog_deleted",
        "jira:worklog_updated",  # Jira Server's name for a worklog change
        "attachment_created",
        "attachment_deleted",
        "issuelink_created",
        "issuelink_deleted",
        "issue_property_set",
        "issue_property_deleted",
        "issuetype_created",
        "issuetype_updated",
        "issuetype_deleted",
        "project_created",
        "project_updated",
        "project_deleted",
        "project_soft_deleted",
        "project_restored_deleted",
        "project_archived",
        "project_restored_archived",
        "jira:version_created",
        "jira:version_updated",
        "jira:version_deleted",
        "jira:version_released",
        "jira:version_unreleased",
        "jira:version_moved",
        "jira:version_merged",
        "filter_created",
        "filter_updated",
        "filter_deleted",
        "user_created",
        "user_updated",
        "user_deleted",
        "option_voting_changed",
        "option_watching_changed",
        "option_unassigned_issues_changed",
        "option_subtasks_changed",
        "option_attachments_changed",
        "option_issuelinks_changed",
        "option_timetracking_changed",
        "option_timetracking_provider_changed",
        "sprint_created",
        "sprint_updated",
        "sprint_deleted",
        "sprint_started",
        "sprint_closed",
        "board_created",
        "board_updated",
        "board_deleted",
        "board_configuration_changed",
    }
)


def parse(request: InboundRequest, site: str, rules: RoleRules) -> ParseResult:
    payload = decode(request.body, "Jira")
    name = payload.get("webhookEvent")
    if not isinstance(name, str) or not name:
        raise PayloadRejected("not a Jira webhook: no 'webhookEvent' string")
    handler = HANDLERS.get(name)
    if handler is not None:
        return handler(_Delivery(payload, name, site, delivery_key(request), rules, retry_count(request)))
    if name in IGNORED_EVENTS:
        return ParseResult(
            webhook_event=name, ignored_reason=f"{name}: a Jira event the connector does not use"
        )
    # Jira adds events over time; one it sends that we have never heard of is still Jira's if the body
    # has Jira's epoch-millisecond `timestamp`, and is answered like any other event we do not use.
    if epoch_ms(payload.get("timestamp")) is not None:
        return ParseResult(
            webhook_event=name[:100], ignored_reason=f"{name[:100]}: a Jira event with no handler"
        )
    raise PayloadRejected(f"not a Jira webhook: unknown webhookEvent {name[:64]!r} and no 'timestamp'")


class JiraAdapter:
    """The Adapter for Jira Cloud, Jira Data Center and Jira Service Management."""

    platform = "jira"
    known_events = SUPPORTED_EVENTS | IGNORED_EVENTS  # the event names metrics may carry

    def authenticate(self, request: InboundRequest, auth: WebhookAuth) -> None:
        authenticate(request, auth)

    def parse(self, request: InboundRequest, site: str, rules: RoleRules) -> ParseResult:
        return parse(request, site, rules)


ADAPTER = JiraAdapter()
