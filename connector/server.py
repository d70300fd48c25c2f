"""`ela serve`: gunicorn web processes for the webhook endpoint, and one worker process beside them."""

from __future__ import annotations

import logging
import subprocess
import sys
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from connector.app import create_app
from connector.logs import setup_logging
from connector.runtime import SchemaOutOfDate, ensure_schema
from connector.settings import Settings
from connector.store import Store

log = logging.getLogger("ela.server")


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        # Runs in each web process after the fork, so every process opens its own connections.
        setup_logging(self.settings.logging)
        return create_app(self.settings)


def serve(
    settings: Settings, config_path: str, *, host: str, port: int, workers: int, with_worker: bool
) -> None:
    setup_logging(settings.logging)
    store = Store(settings.database.url)
    try:
        ensure_schema(store)
    except SchemaOutOfDate as exc:
        log.error("serve.schema_out_of_date", extra={"context": {"error": str(exc)}})
        raise SystemExit(2) from exc
    finally:
        store.dispose()
    worker: subprocess.Popen[bytes] | None = None
    if with_worker:
        command = [sys.executable, "-m", "connector", "worker", "--config", config_path]
        worker = subprocess.Popen(command)  # noqa: S603 (our own interpreter and module)
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        # Senders give up on a delivery after some seconds (about 20 for the strictest): answer well
        # before, or it counts as failed.
        "timeout": 30,
        "graceful_timeout": 20,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
    }
    log.info(
        "serve.start", extra={"context": {"bind": options["bind"], "workers": workers, "worker": with_worker}}
    )
    try:
        _Gunicorn(settings, options).run()
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
