"""What tests of any platform's webhooks need: a loopback receiver that records what a simulator sends.

with WebhookReceiver() as hook:
    sim.register_webhook(hook.url, events=["*"], secret="s")
    ...
    assert hook.wait_for(3)
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class ReceivedWebhook:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int
    at: float

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == lowered), None)

    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    """A loopback HTTP server that records every POST. `script` gives the statuses to answer, in order
    (then `default_status`); `delay` slows each answer down, e.g. to provoke a sender's timeout."""

    def __init__(self, script: Iterable[int] = (), *, default_status: int = 200, delay: float = 0.0) -> None:
        self._script = list(script)
        self.default_status = default_status
        self.delay = delay
        self.received: list[ReceivedWebhook] = []
        self._cond = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/webhook"

    def answer_next(self, *statuses: int) -> None:
        """Queues statuses to answer the next deliveries with (e.g. 503 once)."""
        with self._cond:
            self._script.extend(statuses)

    def start(self) -> str:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="webhook-receiver",
            daemon=True,
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> WebhookReceiver:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_for(
        self, count: int, timeout: float = 10.0, where: Callable[[ReceivedWebhook], bool] | None = None
    ) -> bool:
        """True once `count` deliveries (matching `where`, if given) have arrived."""

        def enough() -> bool:
            return len([r for r in self.received if where is None or where(r)]) >= count

        with self._cond:
            return self._cond.wait_for(enough, timeout=timeout)

    def events(self) -> list[str]:
        with self._cond:
            return [r.json().get("webhookEvent", "") for r in self.received]

    def _record(self, path: str, headers: dict[str, str], body: bytes) -> int:
        with self._cond:
            status = self._script.pop(0) if self._script else self.default_status
            self.received.append(ReceivedWebhook(path, headers, body, status, time.time()))
            self._cond.notify_all()
            return status

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = receiver._record(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler
