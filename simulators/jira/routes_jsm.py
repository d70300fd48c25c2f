"""Jira Service Management routes (/rest/servicedeskapi): requests, their comments, participants, SLAs.

This is the API portal customers may use, on the requests they raised or take part in. Its errors have
their own shape ({"errorMessage", "i18nErrorMessage"}), so platform errors are translated on the way out.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, request

from simulators.jira import jsm_render
from simulators.jira.errors import JiraError, JsmError
from simulators.jira.http import actor, json_body, query_flag, query_int, respond, site
from simulators.jira.model import Issue, Project
from simulators.jira.sla import render_sla

bp = Blueprint("jira_jsm", __name__)
SD = "/rest/servicedeskapi"


def _jsm_errors(view: Callable[..., Response]) -> Callable[..., Response]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except JsmError:
            raise
        except JiraError as error:
            message = error.describe()
            raise JsmError(error.status, message, violation=error.violation) from error

    return wrapper


def _request(key: str) -> Issue:
    issue = site().state.issue(key)
    if not issue.project.is_service_desk:
        raise JsmError(404, "The request does not exist or is not a customer request.")
    if not site().issues.comments.can_view_request(actor(), issue):
        raise JsmError(403, "You do not have permission to view this request.")
    return issue


def _service_desk(service_desk_id: str) -> Project:
    for project in site().state.projects.values():
        if project.service_desk_id == str(service_desk_id):
            return project
    raise JsmError(404, f"Service desk {service_desk_id} does not exist.")


def _scalar_text(value: Any) -> str | None:
    """Jira's JSON binding turns any scalar into a string field (5 -> "5", true -> "true")."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _as_bool(value: Any, default: bool) -> bool:
    """...and reads "true"/"false" in any case as booleans."""
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _page(values: list[Any]) -> dict[str, Any]:
    return jsm_render.page(
        values, query_int("start", 0), query_int("limit", 50), site().state.base_url + request.path
    )


@bp.get(SD + "/servicedesk")
@_jsm_errors
def service_desks() -> Response:
    projects = [p for p in site().state.projects.values() if p.is_service_desk]
    return respond(_page([jsm_render.service_desk(site().renderer, p) for p in projects]))


@bp.get(SD + "/servicedesk/<service_desk_id>/requesttype")
@_jsm_errors
def request_types(service_desk_id: str) -> Response:
    project = _service_desk(service_desk_id)
    renderer = site().renderer
    return respond(_page([jsm_render.request_type(renderer, rt) for rt in project.request_types.values()]))


@bp.post(SD + "/request")
@_jsm_errors
def create_request() -> Response:
    body = json_body()
    project = _service_desk(str(body.get("serviceDeskId", "")))
    request_type_id = str(body.get("requestTypeId", ""))
    if request_type_id not in project.request_types:
        raise JsmError(
            400,
            f"The request type {request_type_id} does not exist in service desk {project.service_desk_id}.",
        )
    values = dict(body.get("requestFieldValues") or {})
    reporter = actor()
    on_behalf = body.get("raiseOnBehalfOf")
    if on_behalf:
        if reporter.is_customer:
            raise JsmError(403, "Customers cannot raise requests on behalf of others.")
        found = site().state.users.get(on_behalf) or site().state.user_by_email(on_behalf)
        if found is None:
            raise JsmError(400, f"The user '{on_behalf}' does not exist.")
        reporter = found
    description = values.pop("description", None)
    fields: dict[str, Any] = {
        "project": {"id": project.id},
        "issuetype": {"id": project.request_types[request_type_id].issue_type_id},
        **values,
    }
    adf = bool(body.get("isAdfRequest"))
    if description is not None:
        fields["description"] = description
    issues = site().issues
    issue = issues.create(
        reporter, fields, version=3 if adf else 2, request_type_id=request_type_id, as_request=True
    )
    participants = [str(p) for p in body.get("requestParticipants") or []]
    if participants:
        _add_participants(issue, participants)
    return respond(jsm_render.customer_request(site().renderer, issue), 201)


@bp.get(SD + "/request/<key>")
@_jsm_errors
def get_request(key: str) -> Response:
    return respond(jsm_render.customer_request(site().renderer, _request(key)))


@bp.get(SD + "/request/<key>/comment")
@_jsm_errors
def list_request_comments(key: str) -> Response:
    issue = _request(key)
    want_public = query_flag("public", True)
    want_internal = query_flag("internal", True) and not actor().is_customer
    shown = [c for c in issue.comments if (c.public and want_public) or (not c.public and want_internal)]
    renderer = site().renderer
    return respond(_page([jsm_render.comment(renderer, c, issue) for c in shown]))


@bp.post(SD + "/request/<key>/comment")
@_jsm_errors
def add_request_comment(key: str) -> Response:
    issue = _request(key)
    body = json_body()
    text = _scalar_text(body.get("body"))
    if text is None:
        raise JsmError(400, "The comment body is required.")
    comment = site().issues.comments.add_from_portal(actor(), issue, text, _as_bool(body.get("public"), True))
    return respond(jsm_render.comment(site().renderer, comment, issue), 201)


@bp.get(SD + "/request/<key>/comment/<comment_id>")
@_jsm_errors
def get_request_comment(key: str, comment_id: str) -> Response:
    issue = _request(key)
    comment = site().issues.comments.comment(issue, comment_id)
    if not comment.public and actor().is_customer:
        raise JsmError(404, f"Can not find a comment for the id: {comment_id}.")
    return respond(jsm_render.comment(site().renderer, comment, issue))


@bp.get(SD + "/request/<key>/participant")
@_jsm_errors
def list_participants(key: str) -> Response:
    issue = _request(key)
    ids = issue.fields.get(site().state.jsm_fields["participants"]) or []
    return respond(_page([jsm_render.user(site().renderer, a) for a in ids]))


@bp.post(SD + "/request/<key>/participant")
@_jsm_errors
def add_participants(key: str) -> Response:
    issue = _request(key)
    if actor().is_customer and actor().account_id != issue.reporter:
        raise JsmError(403, "Only the reporter can add participants to this request.")
    account_ids = [str(a) for a in json_body().get("accountIds") or []]
    _add_participants(issue, account_ids)
    ids = issue.fields.get(site().state.jsm_fields["participants"]) or []
    return respond(_page([jsm_render.user(site().renderer, a) for a in ids]))


def _add_participants(issue: Issue, account_ids: list[str]) -> None:
    site().issues.add_participants(actor(), issue, account_ids)


@bp.get(SD + "/request/<key>/sla")
@_jsm_errors
def list_slas(key: str) -> Response:
    issue = _request(key)
    if actor().is_customer:
        raise JsmError(403, "Customers cannot view SLA information.")
    now = site().state.now()
    return respond(_page([render_sla(s, issue, site().state.base_url, now) for s in issue.slas]))
