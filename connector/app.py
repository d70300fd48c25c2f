"""The Flask application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from connector.intake import Answer, Intake
from connector.metrics import Metrics, authorized
from connector.openapi import document
from connector.settings import Settings
from connector.store import Store, workers
from connector.store.models import utcnow
from connector.surveys.clock import SYSTEM_CLOCK, Clock
from connector.surveys.pages import AnswerPages

EXTENSION = "ela"
log = logging.getLogger("ela.app")


class Connector:
    """What the routes need, attached to the app as `app.extensions["ela"]`."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.metrics = Metrics(store)
        self.intake = Intake(settings, store, self.metrics)

    def worker_beat(self) -> float | None:
        """Seconds since any worker's last heartbeat (None: no worker ever beat)."""
        with self.store.session() as session:
            beat = workers.freshest_beat(session)
        return None if beat is None else (utcnow() - beat).total_seconds()


def _json(answer: Answer) -> Response:
    response = jsonify(answer.body)
    response.status_code = answer.status
    response.headers.update(answer.headers)
    return response


def _read_body(limit: int) -> bytes:
    """The body, read until its end or one byte past `limit`. A chunked body has no Content-Length to
    check first, and one read of a chunked stream may return less than asked: an over-long body must
    be seen whole to be refused whole, never cut at the limit and taken."""
    stream = request.environ["wsgi.input"] if request.content_length is None else request.stream
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        part = stream.read(min(65536, limit + 1 - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def create_app(settings: Settings, store: Store | None = None, clock: Clock = SYSTEM_CLOCK) -> Flask:
    """Build the web app. `store` defaults to one on settings.database (tests pass their own);
    `clock` is the time the survey pages read (tests move it)."""
    app = Flask("connector")
    # Not MAX_CONTENT_LENGTH: Werkzeug would cut a chunked body at the limit instead of refusing it.
    connector = Connector(settings, store or Store(settings.database.url))
    app.extensions[EXTENSION] = connector
    # The survey answer pages: /s/<token>, the one-click links customers get.
    pages = AnswerPages(settings, connector.store, clock)
    app.register_blueprint(pages.blueprint())
    app.wsgi_app = pages.wrap(app.wsgi_app)  # type: ignore[method-assign]

    @app.post("/webhooks/<platform>/<site>")
    def webhook(platform: str, site: str) -> Response:
        intake = connector.intake
        with connector.metrics.intake_seconds.labels(site=intake.site_label(site)).time():
            oversize = intake.oversize(site, request.content_length)
            if oversize is not None:
                return _json(oversize)
            body = _read_body(settings.server.max_body_bytes)
            oversize = intake.oversize(site, len(body))
            if oversize is not None:
                return _json(oversize)
            answer = intake.receive(
                platform,
                site,
                headers=dict(request.headers.items()),
                body=body,
                query=request.args.to_dict(),
                content_type=request.content_type,
            )
        return _json(answer)

    described = document(metrics=settings.metrics.port is None)

    @app.get("/openapi.json")
    def openapi() -> Response:
        return jsonify(described)

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify({"status": "ok"})

    @app.get("/readyz")
    def readyz() -> Response | tuple[Response, int]:
        try:
            connector.store.ping()
            beat = connector.worker_beat()
        except Exception as exc:
            return jsonify({"status": "unavailable", "database": type(exc).__name__}), 503
        body: dict[str, Any] = {"status": "ready", "database": "ok"}
        if settings.server.ready_requires_worker:
            stale = settings.server.worker_stale_seconds
            if beat is None or beat > stale:
                seen = "never" if beat is None else f"{beat:.0f} s ago"
                body.update(
                    status="unavailable", worker=f"no worker heartbeat within {stale:.0f} s (last: {seen})"
                )
                return jsonify(body), 503
            body["worker"] = "ok"
        return jsonify(body)

    if settings.metrics.port is None:  # else `ela serve` serves them on their own port

        @app.get("/metrics")
        def metrics() -> Response | tuple[Response, int]:
            token = settings.metrics.token
            if not authorized(
                token.get_secret_value() if token else None, request.headers.get("Authorization")
            ):
                return jsonify({"error": "unauthorized", "message": "metrics need their bearer token"}), 401
            return Response(connector.metrics.render(), mimetype="text/plain; version=0.0.4")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response, int]:
        code = (exc.name or "error").lower().replace(" ", "_")
        body: dict[str, Any] = {"error": code, "message": exc.description}
        return jsonify(body), exc.code or 500

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[Response, int]:
        # Logged through our own logger (one JSON line, like every other), not Flask's plain text.
        log.exception(
            "request.failed", extra={"context": {"path": request.path[:200], "method": request.method}}
        )
        return jsonify({"error": "internal_error", "message": "internal error"}), 500

    return app
