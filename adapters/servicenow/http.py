"""The Table API of one ServiceNow instance, over plain requests on the shared one-attempt transport.

pysnow, the usual Python client of the Table API, is not used: it fights a client whose caller owns retries,
writes with PATCH and reads every page:
- its `update()` reads the record, then PUTs it: two calls per write, and PUT where the Table API
  offers PATCH for a partial update;
- it reads one page: nothing follows the `Link` header, so a poll would silently stop at its limit;
- it sends every sysparm on every call, booleans as Python writes them ("False"), with its own single
  timeout of 60 s;
- its last release is from 2020, and it pulls in python-magic, ijson, pytz and six for none of that.
What it would still give, building `/api/now/table/<table>` URLs and reading `result`, is a few lines
here. Retries, backoff and Retry-After stay with the outbox and the poll job; this client makes one
attempt and maps every failure onto a WriteError (adapters.http).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from adapters.errors import PermanentWriteError, TransientWriteError, WriteError
from adapters.http import BODY_EXCERPT, error_for_status, excerpt, one_attempt_session, transport_errors
from adapters.servicenow.values import SYS_ID, result

log = logging.getLogger(__name__)

_TABLE = re.compile(r"[a-z][a-z0-9_]{0,79}")
MAX_PAGE = 10_000  # the Table API's own ceiling on sysparm_limit


def servicenow_error_text(response: requests.Response) -> str:
    """ServiceNow's words from an error body: {"error": {"message": ..., "detail": ...}, "status":
    "failure"}; anything else (a proxy's HTML page, the instance's hibernation page) as an excerpt."""
    try:
        body = response.json()
    except ValueError:
        return excerpt(response)
    error = body.get("error") if isinstance(body, Mapping) else None
    if isinstance(error, Mapping):
        parts = [str(error[k]) for k in ("message", "detail") if isinstance(error.get(k), str) and error[k]]
        if parts:
            return ": ".join(parts)
    return json.dumps(body)[:BODY_EXCERPT]


def check_table(table: str) -> str:
    if not isinstance(table, str) or not _TABLE.fullmatch(table):
        raise PermanentWriteError(f"{table!r} is not a ServiceNow table name")
    return table


def check_sys_id(sys_id: str) -> str:
    if not isinstance(sys_id, str) or not SYS_ID.fullmatch(sys_id):
        raise PermanentWriteError(f"{sys_id!r} is not a ServiceNow sys_id")
    return sys_id


class TableApi:
    """`call()` makes one request and returns the decoded body; `records()` follows the `Link` header
    through every page of a query."""

    def __init__(
        self,
        url: str,
        *,
        user: str,
        password: str | None = None,
        oauth_token: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        session: requests.Session | None = None,
    ) -> None:
        if (password is None) == (oauth_token is None):
            raise ValueError("give exactly one of password (Basic auth) or oauth_token (Bearer)")
        self.url = url.rstrip("/")
        self.user = user
        self.session = one_attempt_session(self.url, connect_timeout, read_timeout, session)
        if password is not None:
            self.session.auth = (user, password)
        else:
            self.session.headers["Authorization"] = f"Bearer {oauth_token}"
        self.session.headers.update({"Accept": "application/json", "Content-Type": "application/json"})
        self._oauth = oauth_token is not None

    def __repr__(self) -> str:  # never show the session's auth
        return f"TableApi({self.url!r}, user={self.user!r})"

    def path(self, table: str, sys_id: str | None = None) -> str:
        base = f"/api/now/table/{check_table(table)}"
        return base if sys_id is None else f"{base}/{check_sys_id(sys_id)}"

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
        response = self._send(method, self.url + path, action=action, params=params, body=body)
        if response.status_code >= 300:
            raise self._error(response, action, forbidden_hint)
        return self._json(response, action)

    def records(
        self,
        table: str,
        *,
        query: str,
        fields: list[str] | None = None,
        display_value: str = "false",
        page_size: int = 100,
        max_pages: int | None = None,
        action: str,
        forbidden_hint: str = "",
    ) -> Iterator[list[dict[str, Any]]]:
        """The pages of a query, in order. The next page is the `Link` header's rel="next": ServiceNow
        builds it with the right offset; a page without one is the last. `max_pages` stops early."""
        params = {
            "sysparm_query": query,
            "sysparm_limit": str(min(page_size, MAX_PAGE)),
            "sysparm_display_value": display_value,
            "sysparm_exclude_reference_link": "true",
        }
        if fields:
            params["sysparm_fields"] = ",".join(fields)
        url: str | None = self.url + self.path(table)
        query_params: Mapping[str, str] | None = params
        pages = 0
        while url is not None:
            response = self._send("GET", url, action=action, params=query_params)
            if response.status_code >= 300:
                raise self._error(response, action, forbidden_hint)
            found = result(self._json(response, action))
            if not isinstance(found, list):
                raise PermanentWriteError(f"{action}: ServiceNow's answer has no 'result' list")
            yield [r for r in found if isinstance(r, dict)]
            pages += 1
            if max_pages is not None and pages >= max_pages:
                return
            url, query_params = self._next(response, action)

    def _next(self, response: requests.Response, action: str) -> tuple[str | None, Mapping[str, str] | None]:
        link = response.links.get("next", {}).get("url")
        if not link:
            return None, None
        # Followed only on the instance itself: the Authorization header must not go anywhere else.
        target, ours = urlsplit(link), urlsplit(self.url)
        if (target.scheme, target.netloc) != (ours.scheme, ours.netloc):
            raise PermanentWriteError(f"{action}: the next page's link points away from {self.url}")
        params = {k: v[-1] for k, v in parse_qs(target.query, keep_blank_values=True).items()}
        return f"{ours.scheme}://{ours.netloc}{target.path}", params

    def _send(
        self,
        method: str,
        url: str,
        *,
        action: str,
        params: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> requests.Response:
        try:
            with transport_errors(action, "ServiceNow", self.url):
                response = self.session.request(
                    method,
                    url,
                    params=dict(params) if params else None,
                    data=None if body is None else json.dumps(body),
                    # A redirect is the instance's login page or a renamed instance, never an answer;
                    # following it would drop the Authorization header on another host.
                    allow_redirects=False,
                )
        except requests.RequestException as exc:  # invalid URL and the like
            raise PermanentWriteError(f"{action}: {exc}") from exc
        log.debug(
            "servicenow.call",
            extra={"method": method, "path": urlsplit(url).path, "status": response.status_code},
        )
        return response

    def _json(self, response: requests.Response, action: str) -> Any:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            # A 200 that is not JSON: a hibernating developer instance answers with its wake-up page.
            got = response.headers.get("Content-Type", "no content type")
            raise TransientWriteError(f"{action}: expected JSON from ServiceNow, got {got}") from exc

    def _error(self, response: requests.Response, action: str, forbidden_hint: str) -> WriteError:
        credentials = "the OAuth token" if self._oauth else f"the user name ({self.user}) and password"
        return error_for_status(
            response,
            action=action,
            platform="ServiceNow",
            site_url=self.url,
            said=servicenow_error_text(response),
            credentials=credentials,
            forbidden_hint=forbidden_hint,
        )
