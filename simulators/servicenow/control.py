"""The control API under /_sim: drive the simulated instance from another process.

Unauthenticated and loopback-only, outside ServiceNow's paths: install the business rule, inject
faults, act as any user, move the clock, and list what happened.
"""

from __future__ import annotations

from typing import Any, cast

from flask import Blueprint, Response, current_app, request

from simulators.servicenow.http import CONTROL_PREFIX, respond

bp = Blueprint("servicenow_control", __name__, url_prefix=CONTROL_PREFIX)


def _sim() -> Any:
    return cast(Any, current_app.extensions["servicenow_simulator"])


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@bp.errorhandler(ValueError)
@bp.errorhandler(KeyError)
@bp.errorhandler(TypeError)
def _bad_input(error: Exception) -> Response:
    return respond({"error": str(error)}, 400)


@bp.get("/health")
def health() -> Response:
    return respond({"ok": True, "base_url": _sim().base_url})


@bp.post("/business-rule")
def install() -> Response:
    body = _body()
    registration = _sim().install_business_rule(str(body["url"]), body.get("secret"))
    return respond(registration.describe(), 201)


@bp.delete("/business-rule")
def remove() -> Response:
    _sim().remove_business_rule()
    return respond(None, 204)


@bp.get("/faults")
def list_faults() -> Response:
    return respond(_sim().faults.list())


@bp.post("/faults")
def add_fault() -> Response:
    body = _body()
    unknown = set(body) - {"method", "path", "status", "retry_after", "latency", "times", "reset", "body"}
    if unknown:
        raise ValueError(f"unknown fault options: {', '.join(sorted(unknown))}")
    return respond(_sim().faults.add(**body).describe(), 201)


@bp.delete("/faults")
def clear_faults() -> Response:
    _sim().faults.clear()
    return respond(None, 204)


@bp.get("/requests")
def list_requests() -> Response:
    return respond([r.to_dict() for r in _sim().requests[int(request.args.get("since", 0)) :]])


@bp.get("/violations")
def list_violations() -> Response:
    return respond([v.to_dict() for v in _sim().violations])


@bp.get("/deliveries")
def list_deliveries() -> Response:
    return respond([d.to_dict() for d in _sim().deliveries[int(request.args.get("since", 0)) :]])


@bp.post("/wait-idle")
def wait_idle() -> Response:
    return respond({"idle": _sim().wait_for_webhooks(float(_body().get("timeout", 10)))})


@bp.post("/clock")
def clock() -> Response:
    _sim().advance_clock(float(_body()["advance_seconds"]))
    return respond({"now": _sim().instance.now()})


@bp.post("/incidents")
def create_incident() -> Response:
    body = _body()
    key = _sim().create_incident(
        str(body["short_description"]), caller=str(body["caller"]), actor=body.get("actor")
    )
    return respond({"number": key}, 201)


@bp.post("/records/<number>/comments")
def comment(number: str) -> Response:
    body = _body()
    _sim().add_comment(
        number, str(body["text"]), author=str(body["author"]), public=bool(body.get("public", True))
    )
    return respond(None, 204)


@bp.post("/records/<number>/state")
def state(number: str) -> Response:
    body = _body()
    _sim().set_state(number, str(body["state"]), actor=str(body["actor"]))
    return respond(None, 204)


@bp.get("/records/<number>")
def record(number: str) -> Response:
    return respond({"record": _sim().record(number), "journal": _sim().journal(number)})
