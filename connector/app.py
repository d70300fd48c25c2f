"""The Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from connector.intake import Answer, Intake
from connector.metrics import Metrics
from connector.settings import Settings
from connector.store import Store
from connector.surveys.clock import SYSTEM_CLOCK, Clock
from connector.surveys.pages import AnswerPages

EXTENSION = "ela"


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


def create_app(settings: Settings, store: Store | None = None, clock: Clock = SYSTEM_CLOCK) -> Flask:
    """Build the web app. `store` defaults to one on settings.database (tests pass their own);
    `clock` is the time the survey pages read (tests move it)."""
    app = Flask("connector")
    # Werkzeug refuses a larger body while reading it (chunked uploads have no Content-Length to check).
    app.config["MAX_CONTENT_LENGTH"] = settings.server.max_body_bytes
    connector = Connector(settings, store or Store(settings.database.url))
    app.extensions[EXTENSION] = connector
    # The survey answer pages: /s/<token>, the one-click links customers get.
    pages = AnswerPages(settings, connector.store, clock)
    app.register_blueprint(pages.blueprint())
    app.wsgi_app = pages.wrap(app.wsgi_app)  # type: ignore[method-assign]

    @app.post("/webhooks/<platform>/<site>")
    def webhook(platform: str, site: str) -> Response:
        with connector.metrics.intake_seconds.labels(site=site).time():
            oversize = connector.intake.oversize(site, request.content_length)
            if oversize is not None:
                return _json(oversize)
            answer = connector.intake.receive(
                platform,
                site,
                headers=dict(request.headers.items()),
                body=request.get_data(cache=False),
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

    return app
