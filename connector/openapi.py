"""The connector's own HTTP API, described in OpenAPI 3.1 and served at /openapi.json.

What a platform sends (its webhook payloads) is the platform's format, checked by its adapter: here
the body is any JSON object, and the answers are the connector's.
"""

from __future__ import annotations

from typing import Any

from connector import __version__

_ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def document(*, metrics: bool) -> dict[str, Any]:
    """The description of what this app serves (`metrics`: whether /metrics is served here)."""
    paths: dict[str, Any] = {
        "/webhooks/{platform}/{site}": {
            "post": {
                "summary": "Receive a platform's webhook delivery",
                "description": (
                    "Verified (signature or token), parsed, stored, then answered: 202 means stored. "
                    "A retried delivery changes nothing. An unknown site is answered like a wrong proof."
                ),
                "parameters": [
                    {"name": "platform", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "site", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "token", "in": "query", "required": False, "schema": {"type": "string"}},
                    {
                        "name": "X-Hub-Signature",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string"},
                    },
                    {"name": "X-ELA-Token", "in": "header", "required": False, "schema": {"type": "string"}},
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "responses": {
                    "200": {
                        "description": "A real event the connector does not use",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ignored"}}},
                    },
                    "202": {
                        "description": "Stored (or stored before: a retry)",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Stored"}}},
                    },
                    "400": _error("Not a payload of this platform, or values it cannot store"),
                    "401": _error("No such site, or the proof of origin is missing or wrong"),
                    "413": _error("The body is over server.max_body_bytes"),
                    "415": _error("Not application/json"),
                    "503": _error("Could not be stored now: the platform should retry"),
                },
            }
        },
        "/healthz": {
            "get": {
                "summary": "The process is up",
                "responses": {
                    "200": {
                        "description": "Up",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        "/readyz": {
            "get": {
                "summary": "The database answers, and (server.ready_requires_worker) a worker beats",
                "responses": {
                    "200": {
                        "description": "Ready",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ready"}}},
                    },
                    "503": {
                        "description": "Not ready, and why",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ready"}}},
                    },
                },
            }
        },
        "/openapi.json": {
            "get": {
                "summary": "This description",
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }
    if metrics:
        paths["/metrics"] = {
            "get": {
                "summary": "Prometheus metrics (with metrics.token: a bearer token)",
                "responses": {
                    "200": {
                        "description": "Text exposition format",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                    "401": _error("metrics.token is set and was not given"),
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": "ELA Connector", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": {
                "Error": _ERROR,
                "Stored": {
                    "type": "object",
                    "required": ["status", "delivery", "events"],
                    "properties": {
                        "status": {"enum": ["accepted", "duplicate", "conflict"]},
                        "delivery": {"type": "string"},
                        "events": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "Ignored": {
                    "type": "object",
                    "required": ["status", "reason"],
                    "properties": {"status": {"const": "ignored"}, "reason": {"type": "string"}},
                },
                "Ready": {
                    "type": "object",
                    "required": ["status"],
                    "properties": {
                        "status": {"enum": ["ready", "unavailable"]},
                        "database": {"type": "string"},
                        "worker": {"type": "string"},
                    },
                },
            }
        },
    }
