"""The Table API of one ServiceNow instance, through pysnow, on the shared one-attempt transport.

What pysnow does here: a `pysnow.Client` on our session sets the JSON headers and builds each
`/api/now/table/<table>[/<sys_id>]` URL, checking its path; every request goes out through one of its
`Resource`s (`get`, `create`, `request`); its `ParamsBuilder` checks the type of each sysparm; its
`QueryBuilder` writes every encoded query (adapters.servicenow.queries); its `Response` reads the
`result` out of each answer, one record or a list.

pysnow makes no retry, and that stays so: the caller (the outbox, the poll job) owns retries, backoff
and Retry-After, and a retry hidden down here would send a write twice whose first outcome the outbox
must reconcile. So this client makes one attempt per call and maps every failure onto a WriteError
through adapters.http, as the Jira client does. Where pysnow's own way is wrong for that, or for the
Table API, it is replaced:
- `Resource.update()` reads the record, then PUTs it: two calls (the read can fail after the caller
  has decided to write) and a full replace. A write is one PATCH of the changed columns, sent through
  `Resource.request()`.
- `Resource.get()` reads one page, and nothing in pysnow follows the `Link` header: `records()` asks
  for each next page at the offset the answer's rel="next" link names, until an answer has none.
- `ParamsBuilder.as_dict()` sends every sysparm on every call, defaults included (`sysparm_limit=10000`
  and an empty `sysparm_query` on a PATCH), booleans as Python spells them (`False`) where the API
  documents `true` / `false`. `Sysparms` sends only the sysparms that differ from the API's defaults,
  booleans as documented.
- its one 60 s timeout: each resource gets our (connect, read) pair instead, which the transport
  adapter mounted on the session enforces on every request anyway.
- it lets requests follow redirects and leaves a 4xx / 5xx to `raise_for_status()`, an HTTPError
  that says neither what ServiceNow said nor when to come back. A response hook on the session sees
  each answer first and turns anything but a 2xx into the WriteError for its status, so a redirect
  is never followed: from the Table API it is a single sign-on login page or a renamed instance,
  never an answer, and requests would turn a redirected PATCH into a GET (on 302 and 303) and
  return the page it landed on.
- a resource's sysparms are shared by all its requests and keep what the last one set (pysnow copies
  them shallowly: rbw/pysnow issue 195), so one resource used from two threads can send one call's
  query with the other's fields. A resource is made for each call and never kept.
pysnow's import-time warning about python-magic is handled in adapters.servicenow.pysnow_import.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qs, urlsplit

import requests
from requests.utils import parse_header_links

from adapters.errors import PermanentWriteError, TransientWriteError, WriteError
from adapters.http import BODY_EXCERPT, error_for_status, excerpt, one_attempt_session, transport_errors
from adapters.servicenow.pysnow_import import (
    Client,
    MultipleResults,
    NoResults,
    ParamsBuilder,
    PysnowException,
    QueryBuilder,
    Resource,
    Response,
)
from adapters.servicenow.queries import Query
from adapters.servicenow.values import SYS_ID

log = logging.getLogger(__name__)

_TABLE = re.compile(r"[a-z][a-z0-9_]{0,79}")
MAX_PAGE = 10_000  # the Table API's default sysparm_limit, and as many as one page should hold
DisplayValue = bool | Literal["all"]
_T = TypeVar("_T")

# What the Table API assumes for a sysparm it is not sent (its documented defaults). pysnow's
# ParamsBuilder starts from the same values, and sends them all.
TABLE_API_DEFAULTS: dict[str, object] = {
    "sysparm_query": "",
    "sysparm_limit": MAX_PAGE,
    "sysparm_offset": 0,
    "sysparm_display_value": False,
    "sysparm_exclude_reference_link": False,
    "sysparm_suppress_pagination_header": False,
    "sysparm_view": "",
    "sysparm_fields": "",
}


class Sysparms(ParamsBuilder):
    """pysnow's sysparms, type-checked by its setters, sent as the Table API spells them: only those
    that differ from the API's defaults, booleans as `true` / `false`, never an empty value."""

    def as_dict(self) -> dict[str, Any]:
        sent: dict[str, Any] = {}
        for name, chosen in super().as_dict().items():
            default = TABLE_API_DEFAULTS.get(name)
            if chosen is None or chosen in ("", []) or (type(chosen) is type(default) and chosen == default):
                continue
            sent[name] = ("true" if chosen else "false") if isinstance(chosen, bool) else str(chosen)
        return sent


class _Refused(Exception):
    """An answer that was not a 2xx, on its way from the response hook to the WriteError mapping."""

    def __init__(self, response: requests.Response) -> None:
        super().__init__(response.status_code)
        self.response = response


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
    """`records()` reads every page of a query; `record()`, `patch()` and `create()` are one request
    each. All return the records as dicts, or raise a WriteError."""

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
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query:
            raise ValueError(f"{url!r}: give the instance's address only, e.g. https://acme.service-now.com")
        self.user = user
        self.timeouts = (connect_timeout, read_timeout)
        self.session = one_attempt_session(self.url, connect_timeout, read_timeout, session)
        if password is not None:
            self.session.auth = (user, password)
        else:
            self.session.headers["Authorization"] = f"Bearer {oauth_token}"
        self.session.hooks["response"].append(self._answered)
        self._oauth = oauth_token is not None
        # The client adds its headers (JSON both ways) to our session and sends nothing itself; each
        # resource it makes starts from a deep copy of these sysparms.
        self._client = Client(host=parts.netloc, use_ssl=parts.scheme == "https", session=self.session)
        self._client.parameters = Sysparms()

    def __repr__(self) -> str:  # never show the session's auth
        return f"TableApi({self.url!r}, user={self.user!r})"

    # the calls -------------------------------------------------------------------------------------

    def records(
        self,
        table: str,
        *,
        query: Query,
        fields: list[str] | None = None,
        display_value: DisplayValue = False,
        page_size: int = 100,
        max_pages: int | None = None,
        action: str,
        forbidden_hint: str = "",
    ) -> Iterator[list[dict[str, Any]]]:
        """The pages of a query, in order; `max_pages` stops early.

        The next page is the one the `Link` header's rel="next" names, at the offset it names: the
        instance drops from a page the rows an ACL hides from the user, so a short page need not be
        the last, and only the instance knows where the next one starts. A page without that link
        is the last."""
        if not isinstance(query, QueryBuilder):  # a string pasted together would bypass queries.py
            raise TypeError(f"{action}: give a query from adapters.servicenow.queries, not {query!r}")
        limit = min(page_size, MAX_PAGE)
        offset = 0
        pages = 0
        while True:
            get = partial(
                self._resource(table).get,
                query=query,
                limit=limit,
                offset=offset,
                fields=list(fields or []),
                display_value=display_value,
                exclude_reference_link=True,
            )
            answer = self._send(get, action, forbidden_hint)
            found = self._decode(answer, answer.all, action)
            yield [r for r in found if isinstance(r, dict)]
            pages += 1
            if max_pages is not None and pages >= max_pages:
                return
            following = self._next_offset(answer.headers, offset, action)
            if following is None:
                return
            offset = following

    def record(
        self, table: str, sys_id: str, *, fields: list[str], action: str, forbidden_hint: str = ""
    ) -> dict[str, Any]:
        """One record by sys_id: GET /table/<table>/<sys_id>."""
        resource = self._resource(table, fields=fields)
        path = "/" + check_sys_id(sys_id)
        answer = self._send(lambda: resource.request("GET", path_append=path), action, forbidden_hint)
        return self._one(answer, action)

    def patch(
        self,
        table: str,
        sys_id: str,
        body: Mapping[str, str],
        *,
        fields: list[str],
        action: str,
        forbidden_hint: str = "",
    ) -> dict[str, Any]:
        """One PATCH of the columns in `body`; the record comes back with `fields`.

        Not `Resource.update()`: that reads the record first and then PUTs it, two calls (the first of
        which may fail after the caller has decided to write) and a full replace of the record."""
        resource = self._resource(table, fields=fields)
        path = "/" + check_sys_id(sys_id)
        data = json.dumps(dict(body))
        answer = self._send(
            lambda: resource.request("PATCH", path_append=path, data=data), action, forbidden_hint
        )
        return self._one(answer, action)

    def create(
        self, table: str, body: Mapping[str, str], *, action: str, forbidden_hint: str = ""
    ) -> dict[str, Any]:
        """One POST /table/<table>: pysnow's `Resource.create()` is that call exactly."""
        resource = self._resource(table)
        answer = self._send(lambda: resource.create(dict(body)), action, forbidden_hint)
        return self._one(answer, action)

    # the parts -------------------------------------------------------------------------------------

    def _resource(self, table: str, *, fields: list[str] | None = None) -> Resource:
        """A new resource for one call (see issue 195 above: a kept one would carry its sysparms)."""
        resource = self._client.resource(api_path=f"/table/{check_table(table)}", timeout=self.timeouts)
        if fields:
            resource.parameters.fields = list(dict.fromkeys(fields))
            resource.parameters.exclude_reference_link = True
        return resource

    def _send(self, send: Callable[[], _T], action: str, forbidden_hint: str) -> _T:
        """One request, through pysnow; every way it can fail as a WriteError."""
        try:
            with transport_errors(action, "ServiceNow", self.url):
                return send()
        except _Refused as refused:
            raise self._error(refused.response, action, forbidden_hint) from None
        except requests.RequestException as exc:  # an invalid URL and the like
            raise PermanentWriteError(f"{action}: {exc}") from exc
        except PysnowException as exc:  # a path or a sysparm pysnow refuses to send
            raise PermanentWriteError(f"{action}: {type(exc).__name__}: {exc}") from exc

    def _answered(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """The session's response hook: every answer from the instance, before requests would follow a
        redirect and before pysnow reads the body."""
        if not response.url.startswith(self.url + "/"):
            return  # a caller's session, on another host: not ours to judge
        log.debug(
            "servicenow.call",
            extra={
                "method": response.request.method,
                "path": urlsplit(response.url).path,
                "status": response.status_code,
            },
        )
        if response.status_code >= 300:
            _ = response.content  # read here, where a body cut short is still a transport error
            raise _Refused(response)

    def _decode(self, answer: Response, read: Callable[[], _T], action: str) -> _T:
        """pysnow's reading of a 2xx answer's `result` (`read` is the answer's all or one), its
        failures as WriteErrors."""
        try:
            return read()
        except ValueError as exc:
            # A 200 that is not JSON: a hibernating developer instance answers with its wake-up page.
            got = answer.headers.get("Content-Type", "no content type")
            raise TransientWriteError(f"{action}: expected JSON from ServiceNow, got {got}") from exc
        except (NoResults, MultipleResults):
            raise  # for _one to say
        except (PysnowException, AttributeError) as exc:
            # MissingResult: JSON without `result`; EmptyContent: a GET answered 202 with nothing;
            # AttributeError: JSON that is not an object.
            raise PermanentWriteError(f"{action}: ServiceNow's answer has no 'result' ({exc})") from exc

    def _one(self, answer: Response, action: str) -> dict[str, Any]:
        try:
            found = self._decode(answer, answer.one, action)
        except (NoResults, MultipleResults) as exc:
            raise PermanentWriteError(f"{action}: ServiceNow's answer has no single record ({exc})") from exc
        if not isinstance(found, dict):
            raise PermanentWriteError(f"{action}: ServiceNow's answer has no record")
        return found

    def _next_offset(self, headers: Mapping[str, str], offset: int, action: str) -> int | None:
        links = parse_header_links(headers.get("Link") or "")
        link = next((entry.get("url") for entry in links if entry.get("rel") == "next"), None)
        if not link:
            return None
        target, ours = urlsplit(link), urlsplit(self.url)
        if (target.scheme, target.netloc) != (ours.scheme, ours.netloc):
            raise PermanentWriteError(f"{action}: the next page's link points away from {self.url}")
        named = parse_qs(target.query).get("sysparm_offset", [])
        try:
            following = int(named[-1])
        except (IndexError, ValueError):
            raise PermanentWriteError(f"{action}: the next page's link names no offset ({link})") from None
        if following <= offset:
            raise PermanentWriteError(
                f"{action}: the next page's link goes back to offset {following} from {offset}"
            )
        return following

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
