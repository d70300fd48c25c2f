"""Jira's error answers, raised anywhere in the simulator and turned into JSON at the HTTP edge.

The platform API answers `{"errorMessages": [...], "errors": {field: message}}`; the JSM API answers
`{"errorMessage": "...", "i18nErrorMessage": {...}}`. `violation` names the kind of contract breach
when the request was wrong in shape (not merely refused by the site's state), so it is recorded.
"""

from __future__ import annotations

from typing import Any

ISSUE_NOT_FOUND = "Issue does not exist or you do not have permission to see it."


class JiraError(Exception):
    def __init__(
        self,
        status: int,
        messages: list[str] | None = None,
        errors: dict[str, str] | None = None,
        *,
        violation: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.messages = messages or []
        self.errors = errors or {}
        self.violation = violation
        self.headers = headers or {}
        super().__init__(self.describe())

    def describe(self) -> str:
        parts = [*self.messages, *(f"{key}: {value}" for key, value in self.errors.items())]
        return "; ".join(parts) or f"HTTP {self.status}"

    def body(self) -> dict[str, Any]:
        return {"errorMessages": self.messages, "errors": self.errors}


class JsmError(JiraError):
    """An error from /rest/servicedeskapi, which has its own error shape."""

    def __init__(self, status: int, message: str, *, violation: str | None = None, key: str = "") -> None:
        super().__init__(status, [message], violation=violation)
        self.i18n_key = key or "sd.api.error"

    def body(self) -> dict[str, Any]:
        return {
            "errorMessage": self.messages[0],
            "i18nErrorMessage": {"i18nKey": self.i18n_key, "parameters": []},
        }


def not_found(message: str = ISSUE_NOT_FOUND) -> JiraError:
    return JiraError(404, [message])


def forbidden(message: str) -> JiraError:
    return JiraError(403, [message])


def bad_request(message: str, *, violation: str | None = None) -> JiraError:
    return JiraError(400, [message], violation=violation)


def field_errors(errors: dict[str, str], *, violation: str | None = None) -> JiraError:
    return JiraError(400, [], errors, violation=violation)
