"""Platform REST routes for issues, comments, changelogs, transitions, search and users (v2 and v3).

v2 and v3 take the same operations; they differ in rich text, which v3 reads and writes as ADF.
Portal customers hold no Jira licence: reads answer 404 (Jira does not reveal what they cannot see),
writes 403.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from simulators.jira.errors import ISSUE_NOT_FOUND, JiraError, not_found
from simulators.jira.http import (
    actor,
    json_body,
    query_flag,
    query_int,
    query_list,
    record_violation,
    respond,
    site,
)
from simulators.jira.issues import require_agent
from simulators.jira.jql import search
from simulators.jira.model import Issue, jira_time

bp = Blueprint("jira_platform", __name__)
API = "/rest/api/<any('2','3'):version>"


def _visible_issue(key: str) -> Issue:
    if actor().is_customer:
        raise not_found(ISSUE_NOT_FOUND)
    return site().state.issue(key)


@bp.get(API + "/myself")
def myself(version: str) -> Response:
    body = site().renderer.user(actor().account_id, int(version)) or {}
    body.update(
        {"locale": "en_US", "groups": {"size": 0, "items": []}, "applicationRoles": {"size": 0, "items": []}}
    )
    return respond(body)


@bp.get(API + "/serverInfo")
def server_info(version: str) -> Response:
    now = site().state.now()
    return respond(
        {
            "baseUrl": site().state.base_url,
            "version": "1001.0.0-SNAPSHOT",
            "versionNumbers": [1001, 0, 0],
            "deploymentType": "Cloud",
            "buildNumber": 100000,
            "serverTime": jira_time(now),
            "serverTitle": "Jira",
        }
    )


@bp.get(API + "/user")
def get_user(version: str) -> Response:
    require_agent(actor())
    body = site().renderer.user(request.args.get("accountId"), int(version))
    if body is None:
        raise not_found("Specified user does not exist or you do not have required permissions")
    return respond(body)


@bp.post(API + "/issue")
def create_issue(version: str) -> Response:
    body = json_body()
    fields = body.get("fields")
    if not isinstance(fields, dict):
        raise JiraError(
            400, [], {"project": "Specify a valid project ID or key", "issuetype": "Specify an issue type"}
        )
    issue = site().issues.create(actor(), fields, version=int(version), update=body.get("update"))
    base = site().state.base_url
    return respond(
        {"id": issue.id, "key": issue.key, "self": f"{base}/rest/api/{version}/issue/{issue.id}"}, 201
    )


@bp.get(API + "/issue/<key>")
def get_issue(version: str, key: str) -> Response:
    issue = _visible_issue(key)
    expand = query_list("expand") or []
    return respond(site().renderer.issue(issue, int(version), wanted=query_list("fields"), expand=expand))


@bp.put(API + "/issue/<key>")
def edit_issue(version: str, key: str) -> Response:
    the_site = site()
    require_agent(actor(), "You do not have permission to edit issues in this project.")
    issue = the_site.state.issue(key)
    body = json_body()
    fields = body.get("fields") or {}
    update = body.get("update")
    the_site.issues.edit(
        actor(),
        issue,
        fields,
        update,
        version=int(version),
        notify_users=query_flag("notifyUsers", True),
        override_screen_security=query_flag("overrideScreenSecurity", False),
    )
    return respond(None, 204)


@bp.delete(API + "/issue/<key>")
def delete_issue(version: str, key: str) -> Response:
    require_agent(actor(), "You do not have permission to delete issues in this project.")
    site().issues.delete(actor(), site().state.issue(key))
    return respond(None, 204)


# comments ----------------------------------------------------------------------------------------


@bp.get(API + "/issue/<key>/comment")
def list_comments(version: str, key: str) -> Response:
    issue = _visible_issue(key)
    start, limit = query_int("startAt", 0), query_int("maxResults", 50)
    comments = list(issue.comments)
    if request.args.get("orderBy", "created").startswith("-"):
        comments.reverse()
    chunk = [site().renderer.comment(c, issue, int(version)) for c in comments[start : start + limit]]
    return respond({"startAt": start, "maxResults": limit, "total": len(comments), "comments": chunk})


@bp.post(API + "/issue/<key>/comment")
def add_comment(version: str, key: str) -> Response:
    the_site = site()
    require_agent(actor(), "You do not have permission to comment on this issue.")
    issue = the_site.state.issue(key)
    body = json_body()
    comments = the_site.issues.comments
    text = comments.parse_body(body.get("body"), int(version))
    properties = body.get("properties") or []
    comment = comments.add(
        actor(),
        issue,
        text,
        public=comments.is_public(properties),
        visibility=body.get("visibility"),
        properties=properties,
    )
    return respond(the_site.renderer.comment(comment, issue, int(version)), 201)


@bp.get(API + "/issue/<key>/comment/<comment_id>")
def get_comment(version: str, key: str, comment_id: str) -> Response:
    issue = _visible_issue(key)
    comment = site().issues.comments.comment(issue, comment_id)
    return respond(site().renderer.comment(comment, issue, int(version)))


@bp.put(API + "/issue/<key>/comment/<comment_id>")
def edit_comment(version: str, key: str, comment_id: str) -> Response:
    the_site = site()
    require_agent(actor(), "You do not have permission to edit this comment.")
    issue = the_site.state.issue(key)
    body = json_body()
    comments = the_site.issues.comments
    text = comments.parse_body(body.get("body"), int(version))
    comment = comments.edit(actor(), issue, comment_id, text, visibility=body.get("visibility"))
    return respond(the_site.renderer.comment(comment, issue, int(version)))


@bp.delete(API + "/issue/<key>/comment/<comment_id>")
def delete_comment(version: str, key: str, comment_id: str) -> Response:
    require_agent(actor(), "You do not have permission to delete this comment.")
    issue = site().state.issue(key)
    site().issues.comments.delete(actor(), issue, comment_id)
    return respond(None, 204)


# changelog and transitions -----------------------------------------------------------------------


@bp.get(API + "/issue/<key>/changelog")
def changelog(version: str, key: str) -> Response:
    issue = _visible_issue(key)
    start, limit = query_int("startAt", 0), query_int("maxResults", 100)
    groups = issue.changelog[start : start + limit]
    base = site().state.base_url
    return respond(
        {
            "self": f"{base}/rest/api/{version}/issue/{key}/changelog?maxResults={limit}&startAt={start}",
            "maxResults": limit,
            "startAt": start,
            "total": len(issue.changelog),
            "isLast": start + limit >= len(issue.changelog),
            "values": [site().renderer.change_group(g, int(version)) for g in groups],
        }
    )


@bp.get(API + "/issue/<key>/transitions")
def list_transitions(version: str, key: str) -> Response:
    issue = _visible_issue(key)
    available = issue.project.workflow.available(issue.fields["status"])
    wanted = request.args.get("transitionId")
    if wanted is not None:
        available = [t for t in available if t.id == wanted]
    rendered = [site().renderer.transition(t, issue, int(version)) for t in available]
    return respond({"expand": "transitions", "transitions": rendered})


@bp.post(API + "/issue/<key>/transitions")
def do_transition(version: str, key: str) -> Response:
    require_agent(actor(), "You do not have permission to transition this issue.")
    issue = site().state.issue(key)
    body = json_body()
    site().issues.transition(
        actor(),
        issue,
        body.get("transition"),
        body.get("fields") or {},
        body.get("update"),
        version=int(version),
    )
    return respond(None, 204)


# search ------------------------------------------------------------------------------------------

REMOVED_SEARCH = (
    "Atlassian removed {method} {path} from Jira Cloud in 2025; use /rest/api/3/search/jql "
    "(served here for older clients)."
)
UNBOUNDED = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."


def _search_parameters() -> dict[str, Any]:
    if request.method == "POST":
        return json_body()
    params: dict[str, Any] = {key: request.args.get(key) for key in request.args}
    for key in ("fields", "properties"):
        if key in params:
            params[key] = query_list(key)
    return params


@bp.route(API + "/search", methods=["GET", "POST"])
def search_issues(version: str) -> Response:
    record_violation("removed_from_cloud", REMOVED_SEARCH.format(method=request.method, path=request.path))
    params = _search_parameters()
    start, limit = int(params.get("startAt") or 0), min(int(params.get("maxResults") or 50), 100)
    expand = params.get("expand") or []
    expand = expand.split(",") if isinstance(expand, str) else expand
    found = [] if actor().is_customer else search(site().state, str(params.get("jql") or ""))
    wanted = params.get("fields") or ["*navigable"]
    renderer = site().renderer
    issues = [
        renderer.issue(i, int(version), wanted=wanted, expand=expand) for i in found[start : start + limit]
    ]
    return respond(
        {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": limit,
            "total": len(found),
            "issues": issues,
        }
    )


@bp.route("/rest/api/<any('2','3'):version>/search/jql", methods=["GET", "POST"])
def enhanced_search(version: str) -> Response:
    """Cloud's current search: bounded JQL only, token paging, and only issue ids unless `fields`."""
    params = _search_parameters()
    jql = str(params.get("jql") or "")
    if not jql.strip() or jql.strip().lower().startswith("order by"):
        raise JiraError(400, [UNBOUNDED])
    token = str(params.get("nextPageToken") or "")
    start = int(token) if token.isdigit() else 0
    limit = min(int(params.get("maxResults") or 50), 5000)
    found = [] if actor().is_customer else search(site().state, jql)
    chunk = found[start : start + limit]
    wanted = params.get("fields")
    expand = str(params.get("expand") or "").split(",")
    renderer = site().renderer
    if wanted:
        issues = [renderer.issue(i, int(version), wanted=wanted, expand=expand) for i in chunk]
    else:
        issues = [{"id": i.id} for i in chunk]
    body: dict[str, Any] = {"issues": issues, "isLast": start + limit >= len(found)}
    if not body["isLast"]:
        body["nextPageToken"] = str(start + limit)
    return respond(body)
