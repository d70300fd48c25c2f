"""JSON shapes of Jira Service Management Cloud: the request-type field value and servicedeskapi DTOs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from simulators.jira.model import Comment, Issue, Project, RequestType, jsm_date
from simulators.jira.state import JiraState


class Renderer(Protocol):
    """What these shapes need of the platform renderer (simulators.jira.render.Renderer)."""

    state: JiraState

    @property
    def base(self) -> str: ...

    def avatars(self, kind: str, ident: str) -> dict[str, str]: ...


_CATEGORY = {"new": "NEW", "indeterminate": "INDETERMINATE", "done": "DONE"}


def status_changed_at(issue: Issue) -> int:
    for group in reversed(issue.changelog):
        if any(item.field_id == "status" for item in group.items):
            return group.created
    return int(issue.fields["created"])


def current_status(issue: Issue) -> dict[str, Any]:
    status = issue.project.workflow.status(issue.fields["status"])
    return {
        "status": status.name,
        "statusCategory": _CATEGORY[status.category.key],
        "statusDate": jsm_date(status_changed_at(issue)),
    }


def request_type(renderer: Renderer, rt: RequestType) -> dict[str, Any]:
    base = renderer.base
    return {
        "_expands": ["field"],
        "id": rt.id,
        "_links": {
            "self": f"{base}/rest/servicedeskapi/servicedesk/{rt.service_desk_id}/requesttype/{rt.id}"
        },
        "name": rt.name,
        "description": rt.description,
        "helpText": rt.help_text,
        "issueTypeId": rt.issue_type_id,
        "serviceDeskId": rt.service_desk_id,
        "portalId": rt.portal_id,
        "groupIds": [],
        "icon": {"id": "10527", "_links": {"iconUrls": renderer.avatars("requesttype", rt.id)}},
    }


def request_type_value(renderer: Renderer, issue: Issue) -> dict[str, Any]:
    """The value of JSM's "Request Type" custom field (com.atlassian.servicedesk:vp-origin)."""
    base = renderer.base
    rt = issue.project.request_types[issue.fields[renderer.state.jsm_fields["request_type"]]]
    return {
        "_links": {
            "jiraRest": f"{base}/rest/api/2/issue/{issue.id}",
            "web": f"{base}/servicedesk/customer/portal/{rt.portal_id}/{issue.key}",
            "agent": f"{base}/browse/{issue.key}",
            "self": f"{base}/rest/servicedeskapi/request/{issue.id}",
        },
        "requestType": request_type(renderer, rt),
        "currentStatus": current_status(issue),
    }


def user(renderer: Renderer, account_id: str | None) -> dict[str, Any] | None:
    found = renderer.state.users.get(account_id) if account_id else None
    if found is None:
        return None
    base = renderer.base
    return {
        "accountId": found.account_id,
        "emailAddress": found.email,
        "displayName": found.display_name,
        "active": found.active,
        "timeZone": found.time_zone,
        "_links": {
            "jiraRest": f"{base}/rest/api/2/user?accountId={found.account_id}",
            "avatarUrls": renderer.avatars("user", found.account_id),
            "self": f"{base}/rest/api/2/user?accountId={found.account_id}",
        },
    }


def comment(renderer: Renderer, item: Comment, issue: Issue) -> dict[str, Any]:
    return {
        "_expands": ["attachment", "renderedBody"],
        "id": item.id,
        "body": item.body.text,
        "public": item.public,
        "author": user(renderer, item.author),
        "created": jsm_date(item.created),
        "_links": {"self": f"{renderer.base}/rest/servicedeskapi/request/{issue.id}/comment/{item.id}"},
    }


def customer_request(renderer: Renderer, issue: Issue) -> dict[str, Any]:
    state = renderer.state
    rt_id = issue.fields.get(state.jsm_fields["request_type"])
    description = issue.fields.get("description")
    values = [{"fieldId": "summary", "label": "Summary", "value": issue.fields["summary"]}]
    if description is not None:
        values.append({"fieldId": "description", "label": "Description", "value": description.text})
    base = renderer.base
    return {
        "_expands": [
            "participant",
            "status",
            "sla",
            "requestType",
            "serviceDesk",
            "attachment",
            "action",
            "comment",
        ],
        "issueId": issue.id,
        "issueKey": issue.key,
        "requestTypeId": rt_id,
        "serviceDeskId": issue.project.service_desk_id,
        "createdDate": jsm_date(int(issue.fields["created"])),
        "reporter": user(renderer, issue.reporter),
        "requestFieldValues": values,
        "currentStatus": current_status(issue),
        "_links": {
            "jiraRest": f"{base}/rest/api/2/issue/{issue.id}",
            "web": f"{base}/servicedesk/customer/portal/{issue.project.service_desk_id}/{issue.key}",
            "agent": f"{base}/browse/{issue.key}",
            "self": f"{base}/rest/servicedeskapi/request/{issue.id}",
        },
    }


def service_desk(renderer: Renderer, project: Project) -> dict[str, Any]:
    return {
        "id": project.service_desk_id,
        "projectId": project.id,
        "projectName": project.name,
        "projectKey": project.key,
        "_links": {"self": f"{renderer.base}/rest/servicedeskapi/servicedesk/{project.service_desk_id}"},
    }


def page(values: Sequence[Any], start: int, limit: int, self_url: str) -> dict[str, Any]:
    """JSM's PagedDTO."""
    chunk = list(values[start : start + limit])
    return {
        "_expands": [],
        "size": len(chunk),
        "start": start,
        "limit": limit,
        "isLastPage": start + limit >= len(values),
        "values": chunk,
        "_links": {"self": self_url, "base": self_url.split("/rest/", 1)[0], "context": ""},
    }
