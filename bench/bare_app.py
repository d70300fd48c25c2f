"""The baseline of the ingest benchmark: a Flask endpoint that only parses the JSON body."""

from __future__ import annotations

from flask import Flask, jsonify, request


def create() -> Flask:
    app = Flask("bare")

    @app.post("/webhooks/jira/<site>")
    def webhook(site: str):  # type: ignore[no-untyped-def]
        payload = request.get_json(force=True)
        return jsonify({"status": "accepted", "keys": len(payload)}), 202

    return app
