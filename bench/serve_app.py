"""Serve a WSGI app the way `ela serve` serves the connector: one listening socket, several processes
running connector.web.WebServer on it. The ingest benchmark serves its baseline and the intake alike,
so that the ratio compares the apps, not the servers.

    python bench/serve_app.py --app bench.bare_app:create --port 8090 --processes 2
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from connector.settings import ServerSettings  # noqa: E402
from connector.web import WebServer, listening_socket  # noqa: E402


def child(app_ref: str, fd: int, threads: int) -> None:
    import socket

    module, _, factory = app_ref.partition(":")
    app = getattr(importlib.import_module(module), factory)()
    server = WebServer(app, socket.socket(fileno=fd), ServerSettings(threads=threads))
    server.stop_on_signals()
    server.serve()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", required=True)
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--fd", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fd is not None:
        child(args.app, args.fd, args.threads)
        return
    sock = listening_socket("127.0.0.1", args.port)
    sock.set_inheritable(True)
    command = [
        sys.executable,
        __file__,
        "--app",
        args.app,
        "--fd",
        str(sock.fileno()),
        "--threads",
        str(args.threads),
    ]
    children = [
        subprocess.Popen(command, pass_fds=(sock.fileno(),), env={**os.environ, "PYTHONPATH": str(REPO)})
        for _ in range(args.processes)
    ]

    def stop(signum: int, frame: object) -> None:
        for process in children:
            process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for process in children:
        process.wait()


if __name__ == "__main__":
    main()
