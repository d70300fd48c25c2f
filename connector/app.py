"""The Flask application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from connector.intake import Answer, Intake
from connector.metrics import Metrics
from connector.settings import Settings
from connector.store import Store

EXTENSION = "ela"
log = logging.getLogger("ela.app")


class Connector:
    """What the routes need, attached to the app as `app.extensions["ela"]`."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.metrics = Metrics(store)
        self.intake = Intake(settings, store, self.metrics)


def _json(answer: Answer) -> Response:
    response = jsonify(answer.body)
    response.status_code = answer.status
    response.headers.update(answer.headers)
    return response


def create_app(settings: Settings, store: Store | None = None) -> Flask:
    """Build the web app. `store` defaults to one on settings.database (tests pass their own)."""
    app = Flask("connector")
    # Werkzeug refuses a larger body while reading it (chunked uploads have no Content-Length to check).
    app.config["MAX_CONTENT_LENGTH"] = settings.server.max_body_bytes
    connector = Connector(settings, store or Store(settings.database.url))
    app.extensions[EXTENSION] = connector

    @app.post("/webhooks/<platform>/<site>")
    def webhook(platform: str, site: str) -> Response:
        intake = connector.intake
        with connector.metrics.intake_seconds.labels(site=intake.site_label(site)).time():
            oversize = intake.oversize(site, request.content_length)
            if oversize is not None:
                return _json(oversize)
            # Read one byte past the limit: a chunked body has no Content-Length to check first, and
            # must be refused whole, never cut at the limit and taken.
            body = request.stream.read(settings.server.max_body_bytes + 1)
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

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify({"status": "ok"})

    @app.get("/readyz")
    def readyz() -> Response | tuple[Response, int]:
        try:
            connector.store.ping()
        except Exception as exc:
            return jsonify({"status": "unavailable", "database": type(exc).__name__}), 503
        return jsonify({"status": "ready", "database": "ok"})

    @app.get("/metrics")
    def metrics() -> Response:
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
