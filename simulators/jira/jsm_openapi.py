"""The Jira Service Management Cloud REST operations the simulator supports, as an OpenAPI 3.0 document.

Atlassian publishes the JSM API separately from the platform definition we check against, so the
operations we serve are written down here from its reference (developer.atlassian.com/cloud/jira/
service-desk/rest/) and checked the same way. Request bodies are closed (`additionalProperties: false`):
an unknown property is a client mistake (e.g. `internal` instead of `public`) that JSM silently ignores.
"""

from __future__ import annotations

from typing import Any


def _query(name: str, kind: str, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": kind, **extra}
    return {"name": name, "in": "query", "schema": schema}


def _path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _json_body(ref: str) -> dict[str, Any]:
    return {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


_PAGE = [_query("start", "integer"), _query("limit", "integer")]
_EXPAND = _query("expand", "array", items={"type": "string"})

JSM_OPENAPI: dict[str, Any] = {
    "openapi": "3.0.1",
    "info": {
        "title": "Jira Service Management Cloud REST API (subset served by the simulator)",
        "version": "1",
    },
    "paths": {
        "/rest/servicedeskapi/servicedesk": {
            "get": {"operationId": "getServiceDesks", "parameters": [*_PAGE]},
        },
        "/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype": {
            "get": {
                "operationId": "getRequestTypes",
                "parameters": [
                    _path("serviceDeskId"),
                    *_PAGE,
                    _query("searchQuery", "string"),
                    _query("groupId", "integer"),
                    _EXPAND,
                ],
            },
        },
        "/rest/servicedeskapi/request": {
            "post": {"operationId": "createCustomerRequest", "requestBody": _json_body("RequestCreateDTO")},
        },
        "/rest/servicedeskapi/request/{issueIdOrKey}": {
            "get": {
                "operationId": "getCustomerRequestByIdOrKey",
                "parameters": [_path("issueIdOrKey"), _EXPAND],
            },
        },
        "/rest/servicedeskapi/request/{issueIdOrKey}/comment": {
            "get": {
                "operationId": "getRequestComments",
                "parameters": [
                    _path("issueIdOrKey"),
                    _query("public", "boolean"),
                    _query("internal", "boolean"),
                    *_PAGE,
                    _EXPAND,
                ],
            },
            "post": {
                "operationId": "createRequestComment",
                "parameters": [_path("issueIdOrKey")],
                "requestBody": _json_body("CommentCreateDTO"),
            },
        },
        "/rest/servicedeskapi/request/{issueIdOrKey}/comment/{commentId}": {
            "get": {
                "operationId": "getRequestCommentById",
                "parameters": [_path("issueIdOrKey"), _path("commentId"), _EXPAND],
            },
        },
        "/rest/servicedeskapi/request/{issueIdOrKey}/participant": {
            "get": {"operationId": "getRequestParticipants", "parameters": [_path("issueIdOrKey"), *_PAGE]},
            "post": {
                "operationId": "addRequestParticipants",
                "parameters": [_path("issueIdOrKey")],
                "requestBody": _json_body("RequestParticipantUpdateDTO"),
            },
        },
        "/rest/servicedeskapi/request/{issueIdOrKey}/sla": {
            "get": {"operationId": "getSlaInformation", "parameters": [_path("issueIdOrKey"), *_PAGE]},
        },
    },
    "components": {
        "schemas": {
            "CommentCreateDTO": {
                "type": "object",
                "properties": {"body": {"type": "string"}, "public": {"type": "boolean"}},
                "additionalProperties": False,
            },
            "RequestCreateDTO": {
                "type": "object",
                "properties": {
                    "serviceDeskId": {"type": "string"},
                    "requestTypeId": {"type": "string"},
                    "requestFieldValues": {"type": "object"},
                    "requestParticipants": {"type": "array", "items": {"type": "string"}},
                    "raiseOnBehalfOf": {"type": "string"},
                    "channel": {"type": "string"},
                    "isAdfRequest": {"type": "boolean"},
                },
                "additionalProperties": False,
            },
            "RequestParticipantUpdateDTO": {
                "type": "object",
                "properties": {
                    "accountIds": {"type": "array", "items": {"type": "string"}},
                    "usernames": {"type": "array", "items": {"type": "string"}},
                },
                "additionalProperties": False,
            },
        }
    },
}
