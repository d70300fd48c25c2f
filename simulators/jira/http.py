"""The HTTP edge: the Flask app, and what happens to every request before a route sees it.

In order: record it, check it against the API definitions (a violation is recorded and, by default,
answered as Jira would), apply an injected fault, then authenticate (Basic e-mail:API token, or Bearer).
Errors raised anywhere become Jira's JSON error shapes here.
"""

from __future__ import annotations

import json
import logging
import socket
import struct
import time
from dataclasses import dataclass
from typing import Any, cast

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from simulators.faults import FaultSet
from simulators.jira.errors import JiraError
from simulators.jira.issues import IssueService
from simulators.jira.model import User
from simulators.jira.render import Renderer
from simulators.jira.state import JiraState
from simulators.openapi_check import OpenApiChecker, Violation
from simulators.ratelimit import TokenBucket, retry_after_header
from simulators.recorder import RecordedRequest, RequestLog
from simulators.webhooks import WebhookDispatcher

CONTROL_PREFIX = "/_sim"
NOT_AUTHENTICATED = "Client must be authenticated to access this resource."
log = logging.getLogger("simulators.jira")


@dataclass
class Site:
    state: JiraState
    issues: IssueService
    renderer: Renderer
    dispatcher: WebhookDispatcher
    faults: FaultSet
    log: RequestLog
    checker: OpenApiChecker | None
    reject_violations: bool = True
    rate_limit: TokenBucket | None = None  # Jira Cloud's REST rate limit: 429 + Retry-After past it


def site() -> Site:
    return cast(Site, current_app.extensions["jira_sim"])


def actor() -> User:
    return cast(User, g.user)


def respond(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = b"" if data is None else json.dumps(data, separators=(",", ":")).encode()
    response = Response(body, status=status, headers=headers)
    if data is not None:
        response.content_type = "application/json;charset=UTF-8"
    return response


def json_body() -> dict[str, Any]:
    body = g.get("json")
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise JiraError(400, ["Request body must be a JSON object."], violation="invalid_body")
    return body


def query_flag(name: str, default: bool) -> bool:
    value = request.args.get(name)
    return default if value is None else value.lower() == "true"


def query_int(name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError:
        return default


def query_list(name: str) -> list[str] | None:
    values = request.args.getlist(name)
    return [part for value in values for part in value.split(",")] if values else None


def create_app(the_site: Site, blueprints: list[Any]) -> Flask:
    app = Flask("simulators.jira")
    app.extensions["jira_sim"] = the_site
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # Lets a deliberate ConnectionResetError reach the server, which then drops the connection quietly.
    app.config["PROPAGATE_EXCEPTIONS"] = True
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    app.before_request(_before)
    app.after_request(_after)
    app.teardown_request(_release)
    app.register_error_handler(JiraError, _jira_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
    return app


def _before() -> Response | None:
    if request.path.startswith(CONTROL_PREFIX):
        return None
    the_site = site()
    raw = request.get_data(cache=True)
    parsed = _parse_json(raw)
    g.json = parsed if parsed is not _MALFORMED else None
    g.record = RecordedRequest(
        method=request.method,
        path=request.path,
        query={key: request.args.getlist(key) for key in request.args},
        json=parsed if parsed is not _MALFORMED else raw.decode("utf-8", "replace"),
    )
    g.started = time.perf_counter()
    if the_site.checker is not None:
        result = the_site.checker.check(
            request.method, request.path, g.record.query, content_type=request.content_type, body=raw
        )
        if result.operation is not None:
            g.record.operation = result.operation.label
        for violation in result.violations:
            the_site.log.add_violation(violation)
        if result.violations and the_site.reject_violations:
            return respond({"errorMessages": [result.message], "errors": {}}, result.status)
    if parsed is _MALFORMED:
        raise JiraError(
            400, ["Unexpected character in the request body: it is not JSON."], violation="malformed_json"
        )
    if the_site.rate_limit is not None:
        wait = the_site.rate_limit.take()
        if wait is not None:
            g.record.fault = "rate-limit"
            return respond(
                {"errorMessages": ["Rate limit exceeded."], "errors": {}},
                429,
                {"Retry-After": retry_after_header(wait)},
            )
    fault = the_site.faults.take(request.method, request.path)
    if fault is not None:
        g.record.fault = fault.id
        if fault.latency:
            time.sleep(fault.latency)
        if fault.reset:
            _drop_connection()
        if fault.status is not None:
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(
                    int(fault.retry_after) if float(fault.retry_after).is_integer() else fault.retry_after
                )
            body = fault.body if fault.body is not None else _fault_body(fault.status)
            return respond(body, fault.status, headers)
    g.user = _authenticate(the_site.state)
    g.record.user = g.user.account_id
    # One request at a time changes or reads the site, as one Jira transaction would see it; injected
    # latency above is not held under the lock, so a slowed request does not stall the others.
    the_site.state.lock.acquire()
    g.locked_state = the_site.state
    return None


def _release(error: BaseException | None) -> None:
    state = g.pop("locked_state", None)
    if state is not None:
        state.lock.release()


_MALFORMED = object()


def _parse_json(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return _MALFORMED


def _fault_body(status: int) -> dict[str, Any]:
    if status == 429:
        return {"errorMessages": ["Rate limit exceeded."], "errors": {}}
    return {"errorMessages": [f"Service unavailable (injected fault, HTTP {status})."], "errors": {}}


def _drop_connection() -> None:
    """Ends the TCP connection without an answer; the client sees a reset or a closed connection."""
    sock = request.environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    raise ConnectionResetError("connection reset by injected fault")


def _authenticate(state: JiraState) -> User:
    header = request.headers.get("Authorization", "")
    user = None
    if request.authorization is not None and request.authorization.type == "basic":
        user = state.authenticate_basic(
            request.authorization.username or "", request.authorization.password or ""
        )
    elif header.lower().startswith("bearer "):
        user = state.authenticate_bearer(header[7:].strip())
    if user is None:
        raise JiraError(
            401, [NOT_AUTHENTICATED], headers={"WWW-Authenticate": 'Basic realm="protected-area"'}
        )
    return user


def _after(response: Response) -> Response:
    record = g.get("record")
    if record is not None and not request.path.startswith(CONTROL_PREFIX):
        record.status = response.status_code
        record.duration = time.perf_counter() - g.started
        site().log.add_request(record)
    return response


def record_violation(kind: str, detail: str) -> None:
    """Records a violation found by a route (the request is still answered)."""
    record = g.get("record")
    operation = record.operation if record is not None else None
    site().log.add_violation(Violation(kind, request.method, request.path, detail, operation))


def _jira_error(error: JiraError) -> Response:
    if error.violation:
        record_violation(error.violation, error.describe())
    return respond(error.body(), error.status, error.headers)


def _http_error(error: HTTPException) -> Response:
    if request.path.startswith(CONTROL_PREFIX):
        return respond({"error": error.description}, error.code or 500)
    if error.code in (404, 405):
        # The request passed the definition check (or none is loaded) but no route serves it.
        detail = f"the simulator does not implement {request.method} {request.path}"
        record_violation("not_implemented", detail)
        return respond({"errorMessages": [detail], "errors": {}}, 501)
    return respond({"errorMessages": [str(error.description)], "errors": {}}, error.code or 500)


def _unexpected(error: Exception) -> Response:
    if isinstance(error, ConnectionResetError):
        raise error
    log.exception("jira simulator failed on %s %s", request.method, request.path)
    return respond(
        {"errorMessages": [f"Internal server error: {type(error).__name__}: {error}"], "errors": {}}, 500
    )
