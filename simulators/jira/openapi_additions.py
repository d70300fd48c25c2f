"""Platform operations newer than the OpenAPI file we check against (Atlassian's 2022 definition).

Cloud has since replaced JQL search (GET/POST /rest/api/{2,3}/search, removed in 2025) with "enhanced
search" at /rest/api/3/search/jql, which current clients (atlassian-python-api with cloud=True) call.
Written down here from Atlassian's reference and checked the same way as the rest.
"""

from __future__ import annotations

from typing import Any


def _query(name: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": {"type": kind, **extra}}


PLATFORM_ADDITIONS: dict[str, Any] = {
    "openapi": "3.0.1",
    "info": {
        "title": "Jira Cloud platform REST API: operations added after the checked definition",
        "version": "1",
    },
    "paths": {
        "/rest/api/3/search/jql": {
            "get": {
                "operationId": "searchAndReconsileIssuesUsingJql",
                "parameters": [
                    _query("jql", "string"),
                    _query("nextPageToken", "string"),
                    _query("maxResults", "integer"),
                    _query("fields", "array", items={"type": "string"}),
                    _query("expand", "string"),
                    _query("properties", "array", items={"type": "string"}),
                    _query("fieldsByKeys", "boolean"),
                    _query("failFast", "boolean"),
                    _query("reconcileIssues", "array", items={"type": "integer"}),
                ],
            },
            "post": {
                "operationId": "searchAndReconsileIssuesUsingJqlPost",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/SearchAndReconcileRequestBean"}
                        }
                    },
                },
            },
        },
    },
    "components": {
        "schemas": {
            "SearchAndReconcileRequestBean": {
                "type": "object",
                "properties": {
                    "jql": {"type": "string"},
                    "nextPageToken": {"type": "string"},
                    "maxResults": {"type": "integer"},
                    "fields": {"type": "array", "items": {"type": "string"}},
                    "expand": {"type": "string"},
                    "properties": {"type": "array", "items": {"type": "string"}},
                    "fieldsByKeys": {"type": "boolean"},
                    "failFast": {"type": "boolean"},
                    "reconcileIssues": {"type": "array", "items": {"type": "integer"}},
                },
                "additionalProperties": False,
            }
        }
    },
}
