"""The Table API over HTTP: `GET/POST /api/now/table/<table>`, `GET/PATCH/PUT/DELETE
/api/now/table/<table>/<sys_id>`, with Basic or Bearer auth, table ACLs by role, paging through
`sysparm_limit` / `sysparm_offset` with a `Link` header and `X-Total-Count`, and injected faults.

Every request is recorded; what a client must not rely on (an unknown sysparm, a query the real
instance would silently misread) is recorded as a violation and still answered as ServiceNow would.
Errors come in ServiceNow's shape: `{"error": {"message", "detail"}, "status": "failure"}`.
"""

from __future__ import annotations

import json
import socket
import struct
import time
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from simulators.faults import FaultSet
from simulators.openapi_check import Violation
from simulators.recorder import RecordedRequest, RequestLog
from simulators.servicenow import query as encoded
from simulators.servicenow import render
from simulators.servicenow.schema import ACL
from simulators.servicenow.state import Instance, SnError

CONTROL_PREFIX = "/_sim"
SYSPARMS = frozenset(
    {
        "sysparm_query",
        "sysparm_display_value",
        "sysparm_exclude_reference_link",
        "sysparm_fields",
        "sysparm_limit",
        "sysparm_offset",
        "sysparm_suppress_pagination_header",
        "sysparm_view",
        "sysparm_query_category",
        "sysparm_query_no_domain",
        "sysparm_no_count",
        "sysparm_input_display_value",
        "sysparm_suppress_auto_sys_field",
    }
)
DEFAULT_LIMIT = 10_000

bp = Blueprint("servicenow_table", __name__)


@dataclass
class Site:
    instance: Instance
    faults: FaultSet
    log: RequestLog


def site() -> Site:
    return cast(Site, current_app.extensions["servicenow_sim"])


def respond(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = b"" if data is None else json.dumps(data, separators=(",", ":")).encode()
    response = Response(body, status=status, headers=headers)
    if data is not None:
        response.content_type = "application/json;charset=UTF-8"
    return response


def error_body(message: str, detail: str = "") -> dict[str, Any]:
    return {"error": {"message": message, "detail": detail}, "status": "failure"}


def violation(kind: str, detail: str) -> None:
    site().log.add_violation(Violation(kind, request.method, request.path, detail))


def _flag(name: str, default: str = "false") -> str:
    return (request.args.get(name) or default).strip().lower()


def _user_roles() -> set[str]:
    return cast(set[str], g.roles)


def _check_access(table: str, write: bool) -> None:
    roles = _user_roles()
    if "admin" in roles:
        return
    read_roles, write_roles = ACL.get(table, (frozenset(), frozenset()))
    allowed = write_roles if write else read_roles
    if not roles & allowed:
        raise SnError(
            403, "User Not Authorized", f"{'Write' if write else 'Read'} access to {table} is denied"
        )


def _render(table: str, stored: dict[str, str]) -> dict[str, Any]:
    fields = [f for f in (request.args.get("sysparm_fields") or "").split(",") if f]
    display = _flag("sysparm_display_value")
    if display not in ("true", "false", "all"):
        violation("invalid_parameter", f"sysparm_display_value={display!r}")
        display = "false"
    return render.record(
        site().instance,
        table,
        stored,
        display_value=display,
        fields=fields or None,
        exclude_reference_link=_flag("sysparm_exclude_reference_link") == "true",
        zone=g.zone,
    )


def _body() -> dict[str, Any]:
    try:
        body = json.loads(request.get_data() or b"{}")
    except ValueError:
        raise SnError(400, "Exception while reading request", "The payload is not valid JSON.") from None
    if not isinstance(body, dict):
        raise SnError(400, "Exception while reading request", "The payload is not a JSON object.")
    return body


@bp.get("/api/now/table/<table>")
def list_records(table: str) -> Response:
    instance = site().instance
    with instance.lock:
        records = instance.table(table)
        _check_access(table, write=False)
        columns = instance.columns[table]
        parsed = encoded.parse(request.args.get("sysparm_query", ""), columns)
        for problem in parsed.problems:
            violation("unsupported_query", problem)
        found = encoded.ordered([r for r in records.values() if parsed.matches(r)], parsed, columns)
        try:
            limit = int(request.args.get("sysparm_limit", DEFAULT_LIMIT))
            offset = int(request.args.get("sysparm_offset", 0))
        except ValueError:
            raise SnError(400, "Invalid sysparm_limit or sysparm_offset", "they must be integers") from None
        if limit < 1 or offset < 0:
            raise SnError(400, "Invalid sysparm_limit or sysparm_offset", "limit >= 1, offset >= 0")
        page = [_render(table, r) for r in found[offset : offset + limit]]
    headers = {"X-Total-Count": str(len(found))}
    if _flag("sysparm_suppress_pagination_header") != "true":
        headers["Link"] = _links(table, len(found), limit, offset)
    return respond({"result": page}, headers=headers)


def _links(table: str, total: int, limit: int, offset: int) -> str:
    params = {k: v for k, v in request.args.items() if k not in ("sysparm_offset", "sysparm_limit")}
    base = f"{site().instance.base_url}/api/now/table/{table}"

    def url(at: int) -> str:
        return f"{base}?{urlencode({**params, 'sysparm_limit': limit, 'sysparm_offset': at})}"

    last = max(0, ((total - 1) // limit) * limit) if total else 0
    links = [f'<{url(0)}>;rel="first"']
    if offset > 0:
        links.append(f'<{url(max(0, offset - limit))}>;rel="prev"')
    if offset + limit < total:
        links.append(f'<{url(offset + limit)}>;rel="next"')
    links.append(f'<{url(last)}>;rel="last"')
    return ",".join(links)


@bp.post("/api/now/table/<table>")
def create_record(table: str) -> Response:
    instance = site().instance
    with instance.lock:
        instance.table(table)
        _check_access(table, write=True)
        stored = instance.insert(table, _body(), user=g.user_name)
        return respond({"result": _render(table, stored)}, 201)


@bp.get("/api/now/table/<table>/<sys_id>")
def get_record(table: str, sys_id: str) -> Response:
    instance = site().instance
    with instance.lock:
        instance.table(table)
        _check_access(table, write=False)
        return respond({"result": _render(table, instance.get(table, sys_id))})


@bp.route("/api/now/table/<table>/<sys_id>", methods=["PATCH", "PUT"])
def update_record(table: str, sys_id: str) -> Response:
    instance = site().instance
    with instance.lock:
        instance.table(table)
        _check_access(table, write=True)
        stored = instance.update(table, sys_id, _body(), user=g.user_name)
        return respond({"result": _render(table, stored)})


@bp.delete("/api/now/table/<table>/<sys_id>")
def delete_record(table: str, sys_id: str) -> Response:
    instance = site().instance
    with instance.lock:
        instance.table(table)
        _check_access(table, write=True)
        instance.delete(table, sys_id, user=g.user_name)
    return respond(None, 204)


# the edge --------------------------------------------------------------------------------------


def create_app(the_site: Site, blueprints: list[Blueprint]) -> Flask:
    app = Flask("simulators.servicenow")
    app.extensions["servicenow_sim"] = the_site
    app.config["PROPAGATE_EXCEPTIONS"] = True
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    app.before_request(_before)
    app.after_request(_after)
    app.register_error_handler(SnError, _sn_error)
    app.register_error_handler(HTTPException, _http_error)
    return app


def _before() -> Response | None:
    if request.path.startswith(CONTROL_PREFIX):
        return None
    the_site = site()
    raw = request.get_data(cache=True)
    try:
        parsed: Any = json.loads(raw) if raw.strip() else None
    except ValueError:
        parsed = raw.decode("utf-8", "replace")
    g.record = RecordedRequest(
        method=request.method,
        path=request.path,
        query={key: request.args.getlist(key) for key in request.args},
        json=parsed,
    )
    g.started = time.perf_counter()
    unknown = sorted(k for k in request.args if k not in SYSPARMS)
    if unknown:
        violation("unknown_parameter", f"the Table API has no parameter {', '.join(unknown)}")
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
                headers["Retry-After"] = str(int(fault.retry_after))
            message = "Too many requests" if fault.status == 429 else f"Injected fault (HTTP {fault.status})"
            return respond(
                fault.body if fault.body is not None else error_body(message), fault.status, headers
            )
    user_name = _authenticate(the_site.instance)
    if user_name is None:
        return respond(
            error_body("User Not Authenticated", "Required to provide Auth information"),
            401,
            {"WWW-Authenticate": 'Basic realm="Service-now"'},
        )
    g.user_name = user_name
    g.record.user = user_name
    g.roles = the_site.instance.roles_of(user_name)
    g.zone = (the_site.instance.user(user_name) or {}).get("time_zone") or "UTC"
    return None


def _drop_connection() -> None:
    """Ends the TCP connection without an answer (the client sees a reset)."""
    sock = request.environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    raise ConnectionResetError("connection reset by injected fault")


def _authenticate(instance: Instance) -> str | None:
    header = request.headers.get("Authorization", "")
    if request.authorization is not None and request.authorization.type == "basic":
        name, password = request.authorization.username or "", request.authorization.password or ""
        return name if name and instance.passwords.get(name) == password else None
    if header.lower().startswith("bearer "):
        return instance.tokens.get(header[7:].strip())
    return None


def _after(response: Response) -> Response:
    record = g.get("record")
    if record is not None:
        record.status = response.status_code
        record.duration = time.perf_counter() - g.started
        site().log.add_request(record)
    return response


def _sn_error(error: SnError) -> Response:
    if error.violation:
        violation(error.violation, error.detail or error.message)
    return respond(error_body(error.message, error.detail), error.status)


def _http_error(error: HTTPException) -> Response:
    if request.path.startswith(CONTROL_PREFIX):
        return respond({"error": error.description}, error.code or 500)
    if error.code in (404, 405):
        violation("not_implemented", f"the simulator does not implement {request.method} {request.path}")
        return respond(error_body("Requested URI does not represent any resource", request.path), 400)
    return respond(error_body(str(error.description)), error.code or 500)
