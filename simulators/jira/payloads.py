"""Webhook bodies in the shapes Jira Cloud sends (see ../shared/data/jira-webhooks for real ones).

Issue events carry the whole issue as REST v2 renders it (rich text as strings), the acting `user`, and
for updates a `changelog` of {field, fieldtype, fieldId, from, fromString, to, toString}. Comment events
carry the comment (string body, `jsdPublic`) and a short issue with six fields, and no `user`.
"""

from __future__ import annotations

from typing import Any

from simulators.jira.render import Renderer
from simulators.jira.state import StateEvent

_BRIEF_FIELDS = ("summary", "issuetype", "project", "assignee", "priority", "status")


def build_payload(renderer: Renderer, event: StateEvent) -> dict[str, Any]:
    if event.name.startswith("comment_"):
        return _comment_payload(renderer, event)
    # Cloud leaves comments out of issue events' fields (they have their own events), except on delete.
    wanted = None if event.name == "jira:issue_deleted" else ["*all", "-comment"]
    issue = renderer.issue(event.issue, 2, wanted=wanted)
    issue.pop("expand", None)
    payload: dict[str, Any] = {
        "timestamp": event.timestamp,
        "webhookEvent": event.name,
        "issue_event_type_name": event.event_type,
        "user": renderer.user(event.actor.account_id),
        "issue": issue,
    }
    if event.changelog is not None:
        payload["changelog"] = {
            "id": event.changelog.id,
            "items": [item.to_dict() for item in event.changelog.items],
        }
    if event.comment is not None:
        payload["comment"] = renderer.comment(event.comment, event.issue, 2)
    return payload


def _comment_payload(renderer: Renderer, event: StateEvent) -> dict[str, Any]:
    assert event.comment is not None
    brief = renderer.issue(event.issue, 2, wanted=_BRIEF_FIELDS)
    return {
        "timestamp": event.timestamp,
        "webhookEvent": event.name,
        "comment": renderer.comment(event.comment, event.issue, 2),
        "issue": {"id": brief["id"], "self": brief["self"], "key": brief["key"], "fields": brief["fields"]},
    }
