"""Field configuration routes: list fields, create custom fields, their contexts and select options.

Creating and configuring fields needs the Administer Jira permission, as in Cloud.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from simulators.jira.errors import JiraError, forbidden
from simulators.jira.http import actor, json_body, query_flag, query_int, query_list, respond, site
from simulators.jira.issues import require_agent
from simulators.jira.model import FieldContext, FieldOption

bp = Blueprint("jira_fields", __name__)
API = "/rest/api/<any('2','3'):version>"
NEEDS_ADMIN = "Only Jira administrators can access custom field configuration."


def _require_admin() -> None:
    if not actor().admin:
        raise forbidden(NEEDS_ADMIN)


def _page(values: list[Any], start: int, limit: int) -> dict[str, Any]:
    chunk = values[start : start + limit]
    return {
        "maxResults": limit,
        "startAt": start,
        "total": len(values),
        "isLast": start + limit >= len(values),
        "values": chunk,
    }


def _context(context: FieldContext) -> dict[str, Any]:
    return {
        "id": context.id,
        "name": context.name,
        "description": context.description,
        "isGlobalContext": not context.project_ids,
        "isAnyIssueType": not context.issue_type_ids,
    }


def _option(option: FieldOption) -> dict[str, Any]:
    return {"id": option.id, "value": option.value, "disabled": option.disabled}


@bp.get(API + "/field")
def list_fields(version: str) -> Response:
    require_agent(actor())
    renderer = site().renderer
    return respond([renderer.field(f) for f in site().state.fields.values()])


@bp.post(API + "/field")
def create_field(version: str) -> Response:
    _require_admin()
    body = json_body()
    name, type_key = body.get("name"), body.get("type")
    if not isinstance(name, str | int | float) or not isinstance(type_key, str):
        raise JiraError(
            400, [], {"name": "A custom field needs a name and a type."}, violation="invalid_body"
        )
    searcher = body.get("searcherKey")
    field = site().state.create_custom_field(
        str(name),
        type_key,
        searcher_key=searcher if isinstance(searcher, str) else None,
        description=str(body.get("description") or ""),
    )
    return respond(site().renderer.field(field), 201)


@bp.get(API + "/field/<field_id>/context")
def list_contexts(version: str, field_id: str) -> Response:
    _require_admin()
    field = site().state.custom_field(field_id)
    contexts = field.contexts
    wanted_ids = query_list("contextId")
    if wanted_ids:
        contexts = [c for c in contexts if c.id in wanted_ids]
    if request.args.get("isGlobalContext") is not None:
        wanted = query_flag("isGlobalContext", False)
        contexts = [c for c in contexts if (not c.project_ids) == wanted]
    if request.args.get("isAnyIssueType") is not None:
        wanted = query_flag("isAnyIssueType", False)
        contexts = [c for c in contexts if (not c.issue_type_ids) == wanted]
    values = [_context(c) for c in contexts]
    return respond(_page(values, query_int("startAt", 0), query_int("maxResults", 50)))


@bp.post(API + "/field/<field_id>/context")
def create_context(version: str, field_id: str) -> Response:
    _require_admin()
    state = site().state
    field = state.custom_field(field_id)
    body = json_body()
    context = state.add_context(
        field,
        str(body.get("name", "")),
        description=str(body.get("description") or ""),
        project_ids=[str(p) for p in body.get("projectIds") or []],
        issue_type_ids=[str(t) for t in body.get("issueTypeIds") or []],
    )
    return respond(
        {
            "id": context.id,
            "name": context.name,
            "description": context.description,
            "projectIds": context.project_ids,
            "issueTypeIds": context.issue_type_ids,
        },
        201,
    )


@bp.get(API + "/field/<field_id>/context/<context_id>/option")
def list_options(version: str, field_id: str, context_id: str) -> Response:
    _require_admin()
    state = site().state
    field = state.custom_field(field_id)
    context = state.context(field, context_id)
    if field.kind not in ("option", "options"):
        raise JiraError(400, ["The custom field doesn't support options."])
    options = context.options
    wanted = request.args.get("optionId")
    if wanted is not None:
        options = [o for o in options if o.id == wanted]
    values = [_option(o) for o in options]
    return respond(_page(values, query_int("startAt", 0), query_int("maxResults", 100)))


@bp.post(API + "/field/<field_id>/context/<context_id>/option")
def create_options(version: str, field_id: str, context_id: str) -> Response:
    _require_admin()
    state = site().state
    field = state.custom_field(field_id)
    context = state.context(field, context_id)
    options = json_body().get("options") or []
    if not isinstance(options, list) or not all(isinstance(o, dict) for o in options):
        raise JiraError(400, ["options must be a list of objects."], violation="invalid_body")
    created = state.add_options(field, context, options)
    return respond({"options": [_option(o) for o in created]})
