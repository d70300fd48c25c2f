"""One HTTP call to a Jira site, on the shared one-attempt transport (adapters.http).

Built on atlassian-python-api's `Jira` client, used only for its session set-up (Basic or Bearer auth)
and URL building. Three of its defaults are wrong for a writer whose caller (the outbox) owns retries
and durable state, so they are switched off here:

- `retry_with_header=True` makes `request()` sleep for a 429's Retry-After (up to 30 minutes) and
  send the request again, inside our call. We want the 429 itself, with its Retry-After.
- Its `timeout` is cast to `int` and is one number: no separate connect / read timeouts, and 0.5 s
  becomes 0. The timeouts are applied by the transport adapter mounted on the session instead.
- Outside advanced mode it raises `requests.HTTPError` with Jira's `errors` values joined *without*
  their field ids ("Field ... cannot be set" loses "customfield_10099"), and some helpers re-wrap that
  in `atlassian.errors.ApiError` subclasses. We ask for the raw response (advanced mode) and map the
  status and body ourselves, in one place.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Mapping
from typing import Any

import requests
from atlassian import Jira
from atlassian.errors import ApiError

from adapters.errors import PermanentWriteError, TransientWriteError, WriteError
from adapters.http import (
    BODY_EXCERPT,
    error_for_status,
    excerpt,
    one_attempt_session,
    transport_errors,
)

log = logging.getLogger(__name__)

# An issue key (PROJ-123) or a numeric issue id. Anything else would be spliced into a URL path.
_ISSUE_REF = re.compile(r"^(?:[A-Za-z][A-Za-z0-9_]*-[1-9][0-9]*|[1-9][0-9]*)$")


def check_issue_ref(ticket_key: str) -> str:
    """The key or id, unchanged, if it is safe to put in a URL path; PermanentWriteError otherwise."""
    if not isinstance(ticket_key, str) or not _ISSUE_REF.match(ticket_key):
        raise PermanentWriteError(f"{ticket_key!r} is not a Jira issue key (PROJ-123) or issue id")
    return ticket_key


def jira_error_text(response: requests.Response) -> str:
    """Jira's own words from an error body, whichever of its error shapes it used.

    Platform API: {"errorMessages": [...], "errors": {"customfield_10099": "..."}}; the field id is
    kept in front of each `errors` entry because it says *which* field failed. Service desk API:
    {"errorMessage": "...", "i18nErrorMessage": {...}}. Anything else (an HTML page from a proxy or a
    login redirect) is cut to a short excerpt.
    """
    try:
        body = response.json()
    except ValueError:
        return excerpt(response)
    parts: list[str] = []
    if isinstance(body, dict):
        messages = body.get("errorMessages")
        if isinstance(messages, list):
            parts.extend(str(m) for m in messages if m)
        errors = body.get("errors")
        if isinstance(errors, dict):
            parts.extend(f"{field}: {message}" for field, message in errors.items())
        for key in ("errorMessage", "message"):
            if isinstance(body.get(key), str) and body[key]:
                parts.append(body[key])
    return "; ".join(parts) if parts else json.dumps(body)[:BODY_EXCERPT]


class JiraHttp:
    """A Jira site reached over one requests.Session: `call()` makes one attempt and returns the
    decoded JSON body (None when empty), or raises a WriteError subclass."""

    def __init__(
        self,
        url: str,
        *,
        cloud: bool,
        api_version: str,
        basic: tuple[str, str] | None = None,
        bearer: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 20.0,
        session: requests.Session | None = None,
    ) -> None:
        if (basic is None) == (bearer is None):
            raise ValueError(
                "give exactly one of basic (e-mail/user, token) or bearer (personal access token)"
            )
        self.url = url.rstrip("/")
        self.cloud = cloud
        self.api_version = api_version
        self.session = one_attempt_session(self.url, connect_timeout, read_timeout, session)
        self._client = Jira(
            url=self.url,
            username=basic[0] if basic else None,
            password=basic[1] if basic else None,
            token=bearer,
            cloud=cloud,
            api_version=api_version,
            session=self.session,
            advanced_mode=True,
            backoff_and_retry=False,
            retry_with_header=False,
            # Only a fallback: the mounted adapter overrides it with (connect, read) on every call.
            timeout=math.ceil(read_timeout),
        )

    def __repr__(self) -> str:  # never show the session's auth
        return f"JiraHttp({self.url!r}, cloud={self.cloud}, api_version={self.api_version!r})"

    def api(self, resource: str, version: str | None = None) -> str:
        """The path of a platform REST resource: rest/api/{version}/{resource}."""
        return f"rest/api/{version or self.api_version}/{resource.lstrip('/')}"

    def call(
        self,
        method: str,
        path: str,
        *,
        action: str,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        forbidden_hint: str = "",
    ) -> Any:
        """One request. `action` names what we were doing, for error messages ("write fields on
        SD-12"); `forbidden_hint` says what to check when Jira answers 403."""
        try:
            with transport_errors(action, "Jira", self.url):
                response = self._client.request(
                    method,
                    path=path,
                    params=dict(params) if params else None,
                    data=body,
                    advanced_mode=True,
                    # A redirect would silently turn a PUT into a GET (requests rewrites the method on
                    # 301/302/303) and drop the Authorization header on another host.
                    allow_redirects=False,
                )
        except requests.HTTPError as exc:  # atlassian-python-api raises this outside advanced mode
            if exc.response is None:
                raise TransientWriteError(f"{action}: {exc}") from exc
            response = exc.response
        except ApiError as exc:  # atlassian-python-api's own wrappers (ApiNotFoundError, ...)
            raise PermanentWriteError(f"{action}: {exc}") from exc
        except requests.RequestException as exc:  # invalid URL, too many redirects, ...
            raise PermanentWriteError(f"{action}: {exc}") from exc
        log.debug("jira.call", extra={"method": method, "path": path, "status": response.status_code})
        if response.status_code >= 300:
            raise self._error(response, action, forbidden_hint)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            # A 2xx that is not JSON comes from something in front of Jira (a proxy's maintenance
            # page), not from Jira: worth another try later.
            got = response.headers.get("Content-Type", "no content type")
            raise TransientWriteError(f"{action}: expected JSON from Jira, got {got}") from exc

    def _error(self, response: requests.Response, action: str, forbidden_hint: str) -> WriteError:
        credentials = (
            "the e-mail address and API token (Jira Cloud)"
            if self.cloud
            else "the personal access token or user/password (Data Center)"
        )
        return error_for_status(
            response,
            action=action,
            platform="Jira",
            site_url=self.url,
            said=jira_error_text(response),
            credentials=credentials,
            forbidden_hint=forbidden_hint,
        )
