"""One web process: the connector's Flask app served by waitress on a listening socket.

Why waitress: a slow or malicious client that sends its headers or body a few bytes at a time must not
hold up anyone else. gunicorn's sync and threaded workers give each connection a process or a thread
while it trickles in, so as many slow sockets as workers stop all intake (measured: a valid delivery
waited 31 s behind two). waitress reads and buffers each request in its I/O loop and hands only
complete requests to its threads; a connection idle for `server.channel_timeout` is dropped.

Stopping (SIGTERM): the listening socket closes at once, requests already received are answered, for up
to `server.graceful_seconds`, then the process exits.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any

from waitress.server import create_server

from connector.settings import ServerSettings

log = logging.getLogger("ela.web")


WsgiApp = Callable[..., Iterable[bytes]]


class WebServer:
    def __init__(self, app: WsgiApp, listener: socket.socket, settings: ServerSettings) -> None:
        self.map: dict[int, Any] = {}
        self.settings = settings
        self.server = create_server(
            app,
            map=self.map,
            sockets=[listener],
            threads=settings.threads,
            connection_limit=settings.connection_limit,
            channel_timeout=settings.channel_timeout,
            # Larger bodies are refused by waitress before they reach the app (the app checks too).
            max_request_body_size=settings.max_body_bytes + 1,
            asyncore_use_poll=True,  # select() cannot watch more than 1,024 sockets
            expose_tracebacks=False,
            ident="ela-connector",
            clear_untrusted_proxy_headers=True,
        )
        self.listeners = [dispatcher for dispatcher in self.map.values() if dispatcher.accepting]
        self.stopping = threading.Event()

    def serve(self) -> None:
        """Serve until `stopping` is set, then drain gracefully."""
        loop = self.server.asyncore.loop
        while not self.stopping.is_set():
            loop(timeout=0.5, map=self.map, use_poll=True, count=1)
        for listener in self.listeners:
            # No new connections; the ones open finish what they sent. (Not listener.close(): that
            # also closes the server's trigger, which the request threads still pull.)
            listener.accepting = False
            listener.del_channel()
            listener.socket.close()
        deadline = time.monotonic() + self.settings.graceful_seconds
        while time.monotonic() < deadline and any(_busy(channel) for channel in list(self.map.values())):
            loop(timeout=0.1, map=self.map, use_poll=True, count=1)
        self.server.task_dispatcher.shutdown(cancel_pending=True, timeout=1)
        self.server.asyncore.close_all(self.map)  # the connections left, and the server's trigger

    def stop_on_signals(self) -> None:
        def stop(signum: int, frame: FrameType | None) -> None:
            log.info("web.stopping", extra={"context": {"signal": signal.Signals(signum).name}})
            self.stopping.set()

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, stop)


def _busy(channel: Any) -> bool:
    """A connection with a request being handled, or an answer not yet sent."""
    return bool(getattr(channel, "requests", None)) or bool(getattr(channel, "total_outbufs_len", 0))


def listening_socket(host: str, port: int, backlog: int = 2048) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    return sock
