"""The control API under /_sim: drive the simulator from another process (benchmarks, manual demos).

Deliberately outside Jira's paths, unauthenticated and loopback-only: it registers webhooks, injects
faults, creates issues and comments as any seeded user, moves the clock, and lists what happened.
"""

from __future__ import annotations

from typing import Any, cast

from flask import Blueprint, Response, current_app, request

from simulators.jira.driver import SiteDriver
from simulators.jira.errors import JiraError
from simulators.jira.http import CONTROL_PREFIX, respond
from simulators.ratelimit import TokenBucket

bp = Blueprint("jira_control", __name__, url_prefix=CONTROL_PREFIX)


def _sim() -> SiteDriver:
    return cast("SiteDriver", current_app.extensions["jira_simulator"])


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@bp.errorhandler(ValueError)
@bp.errorhandler(KeyError)
@bp.errorhandler(TypeError)
def _bad_input(error: Exception) -> Response:
    return respond({"error": str(error)}, 400)


@bp.errorhandler(JiraError)
def _jira_error(error: JiraError) -> Response:
    return respond({"error": error.describe(), "status": error.status}, error.status)


@bp.get("/health")
def health() -> Response:
    return respond({"ok": True, "base_url": _sim().base_url})


@bp.get("/users")
def users() -> Response:
    return respond(
        [
            {
                "accountId": u.account_id,
                "displayName": u.display_name,
                "email": u.email,
                "accountType": u.account_type,
                "admin": u.admin,
                "apiToken": u.api_token,
                "pat": u.pat,
            }
            for u in _sim().site.state.users.values()
        ]
    )


@bp.post("/users")
def add_user() -> Response:
    body = _body()
    user = _sim().add_user(
        str(body["display_name"]),
        str(body["email"]),
        account_type=str(body.get("account_type", "atlassian")),
        admin=bool(body.get("admin", False)),
        api_token=body.get("api_token"),
        pat=body.get("pat"),
    )
    return respond({"accountId": user.account_id, "apiToken": user.api_token}, 201)


@bp.get("/webhooks")
def list_webhooks() -> Response:
    return respond([r.describe() for r in _sim().dispatcher.registrations()])


@bp.post("/webhooks")
def register_webhook() -> Response:
    body = _body()
    registration = _sim().register_webhook(
        str(body["url"]),
        events=body.get("events") or ["*"],
        secret=body.get("secret"),
        name=str(body.get("name", "")),
    )
    return respond(registration.describe(), 201)


@bp.delete("/webhooks/<int:webhook_id>")
def unregister_webhook(webhook_id: int) -> Response:
    found = _sim().dispatcher.unregister(webhook_id)
    return respond(None, 204 if found else 404)


@bp.get("/faults")
def list_faults() -> Response:
    return respond(_sim().faults.list())


@bp.post("/faults")
def add_fault() -> Response:
    body = _body()
    allowed = {"method", "path", "status", "retry_after", "latency", "times", "reset", "body"}
    unknown = set(body) - allowed
    if unknown:
        raise ValueError(f"unknown fault options: {', '.join(sorted(unknown))}")
    rule = _sim().faults.add(**body)
    return respond(rule.describe(), 201)


@bp.delete("/faults")
def clear_faults() -> Response:
    _sim().faults.clear()
    return respond(None, 204)


@bp.delete("/faults/<int:rule_id>")
def remove_fault(rule_id: int) -> Response:
    return respond(None, 204 if _sim().faults.remove(rule_id) else 404)


@bp.put("/rate-limit")
def set_rate_limit() -> Response:
    """{"rate": requests/s, "burst": optional} limits the REST API from now on; {"rate": null} lifts
    it. A benchmark sets up its site (many calls in a row) before it turns Jira Cloud's limit on."""
    body = _body()
    unknown = set(body) - {"rate", "burst"}
    if unknown or "rate" not in body:
        raise ValueError('give {"rate": requests per second or null, "burst": optional}')
    rate, burst = body["rate"], body.get("burst")
    for name, value in (("rate", rate), ("burst", burst)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ValueError(f"{name} must be a number or null")
    site = _sim().site
    site.rate_limit = None if rate is None else TokenBucket(float(rate), burst)
    return respond({"rate": rate, "burst": site.rate_limit.burst if site.rate_limit else None})


@bp.get("/requests")
def list_requests() -> Response:
    since = int(request.args.get("since", 0))
    return respond([r.to_dict() for r in _sim().requests[since:]])


@bp.get("/violations")
def list_violations() -> Response:
    return respond([v.to_dict() for v in _sim().violations])


@bp.get("/deliveries")
def list_deliveries() -> Response:
    since = int(request.args.get("since", 0))
    return respond([d.to_dict() for d in _sim().deliveries[since:]])


@bp.post("/wait-idle")
def wait_idle() -> Response:
    timeout = float(_body().get("timeout", 10))
    return respond({"idle": _sim().wait_for_webhooks(timeout)})


@bp.post("/reset")
def reset() -> Response:
    _sim().reset(state=bool(_body().get("state", False)))
    return respond(None, 204)


@bp.post("/clock")
def advance_clock() -> Response:
    _sim().advance_clock(float(_body()["advance_seconds"]))
    return respond({"now": _sim().site.state.now()})


@bp.get("/issues/<key>")
def get_issue(key: str) -> Response:
    return respond(_sim().issue(key).to_dict())


MAX_ISSUES_AT_ONCE = 10_000


@bp.post("/issues")
def create_issue() -> Response:
    """One issue: {"key", "id"}. With `count`, that many alike (a benchmark's set-up of thousands of
    tickets, without a round trip each): {"keys": [...], "ids": [...]}, in creation order."""
    body = _body()
    count = body.get("count")
    if count is not None and (
        not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_ISSUES_AT_ONCE
    ):
        raise ValueError(f"count must be a whole number from 1 to {MAX_ISSUES_AT_ONCE}")
    sim = _sim()
    keys = [
        sim.create_issue(
            str(body["project"]),
            str(body["summary"]),
            reporter=body.get("reporter"),
            request_type=body.get("request_type"),
            description=body.get("description"),
            fields=body.get("fields"),
            participants=body.get("participants") or (),
        )
        for _ in range(count or 1)
    ]
    with sim.site.state.lock:
        ids = [sim.site.state.issue(key).id for key in keys]
    if count is None:
        return respond({"key": keys[0], "id": ids[0]}, 201)
    return respond({"keys": keys, "ids": ids}, 201)


@bp.post("/issues/<key>/comments")
def add_comment(key: str) -> Response:
    body = _body()
    comment_id = _sim().add_comment(
        key, str(body["body"]), author=body.get("author"), public=bool(body.get("public", True))
    )
    return respond({"id": comment_id}, 201)


@bp.post("/issues/<key>/transitions")
def transition(key: str) -> Response:
    body = _body()
    _sim().transition(key, str(body["status"]), actor=body.get("actor"))
    return respond(None, 204)
