"""`ela serve`: web processes for the webhooks and a worker process, kept running by a supervisor.

The listening socket is bound here, once, and handed to every web process (`ela web --fd N`), so they
share one port without SO_REUSEPORT tricks, and a restarted web process takes up the same socket. The
web processes count intake metrics into one directory (prometheus_client's multiprocess mode), so
`/metrics` adds up every process's counts whichever process answers the scrape.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
from types import FrameType

from connector.logs import setup_logging
from connector.runtime import SchemaOutOfDate, ensure_schema
from connector.settings import Settings
from connector.store import Store
from connector.supervisor import Child, Supervisor
from connector.web import listening_socket

log = logging.getLogger("ela.server")

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


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
    listener = listening_socket(host, port)
    listener.set_inheritable(True)
    metrics_dir = tempfile.mkdtemp(prefix="ela-metrics-")
    env = {**os.environ, MULTIPROCESS_DIR: metrics_dir}
    python = [sys.executable, "-m", "connector"]
    children = [
        Child(
            f"web-{n}",
            [*python, "web", "--config", config_path, "--fd", str(listener.fileno())],
            pass_fds=(listener.fileno(),),
        )
        for n in range(1, workers + 1)
    ]
    if with_worker:
        children.append(Child("worker", [*python, "worker", "--config", config_path]))
    supervisor = Supervisor(children, env, graceful_seconds=settings.server.graceful_seconds)

    def stop(signum: int, frame: FrameType | None) -> None:
        supervisor.stopping.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    metrics_thread = _metrics_listener(settings, env)
    log.info(
        "serve.start",
        extra={
            "context": {
                "bind": f"{host}:{listener.getsockname()[1]}",
                "workers": workers,
                "worker": with_worker,
            }
        },
    )
    try:
        supervisor.run()
    finally:
        listener.close()
        if metrics_thread is not None:
            metrics_thread.stopping.set()
        shutil.rmtree(metrics_dir, ignore_errors=True)
        log.info("serve.stopped")


def _metrics_listener(settings: Settings, env: dict[str, str]) -> MetricsThread | None:
    """`/metrics` on its own port (`metrics.port`), served by the supervisor, when one is configured."""
    if settings.metrics.port is None:
        return None
    os.environ[MULTIPROCESS_DIR] = env[MULTIPROCESS_DIR]
    thread = MetricsThread(settings)
    thread.start()
    return thread


class MetricsThread(threading.Thread):
    def __init__(self, settings: Settings) -> None:
        super().__init__(name="metrics", daemon=True)
        from connector.metrics import metrics_app
        from connector.web import WebServer

        self.settings = settings
        sock = listening_socket(settings.metrics.host, settings.metrics.port or 0)
        self.web = WebServer(metrics_app(settings), sock, settings.server)
        self.stopping = self.web.stopping

    def run(self) -> None:
        self.web.serve()
