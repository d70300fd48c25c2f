"""A stateful Jira Cloud (with Jira Service Management) on loopback, for the demo, tests and benchmarks.

In-process::

    with JiraSimulator(openapi_spec=path) as sim:          # path None: no API-definition checking
        sim.register_webhook("http://127.0.0.1:9000/hook", events=["*"], secret="s3cret")
        key = sim.create_issue("SUP", "Printer on fire", reporter="casey@customer.example")
        ...                                                 # the code under test talks to sim.base_url
        assert sim.issue(key).fields["customfield_10050"] == 0.4 and not sim.violations

As a process: ``python -m simulators.jira --port 8081 --seed demo`` (control API under /_sim).
"""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from simulators.jira import control as jira_control
from simulators.jira import routes as jira_routes
from simulators.jira import routes_fields as jira_routes_fields
from simulators.jira import routes_jsm as jira_routes_jsm
from simulators.jira.driver import SiteDriver
from simulators.jira.http import create_app


class _QuietHandler(WSGIRequestHandler):
    """Serves without a log line per request (the request log is `sim.requests`)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


class JiraSimulator(SiteDriver):
    """The site, served over HTTP on loopback (`start()`, or use it as a context manager)."""

    def __init__(
        self, openapi_spec: Path | str | None = None, *, log_requests: bool = False, **options: Any
    ) -> None:
        super().__init__(openapi_spec, **options)
        self.app = create_app(
            self.site, [jira_routes.bp, jira_routes_fields.bp, jira_routes_jsm.bp, jira_control.bp]
        )
        self.app.extensions["jira_simulator"] = self
        self._log_requests = log_requests
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        if self._server is not None:
            raise RuntimeError("the simulator is already running")
        handler = WSGIRequestHandler if self._log_requests else _QuietHandler
        self._server = make_server(host, port, self.app, threaded=True, request_handler=handler)
        self.site.state.base_url = f"http://{host}:{self._server.server_port}"
        self.dispatcher.start()
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="jira-sim-http",
            daemon=True,
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.dispatcher.stop()

    def __enter__(self) -> JiraSimulator:
        if self._server is None:
            self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
