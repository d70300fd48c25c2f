"""Keeps the processes of `ela serve` running: restarts one that dies, with backoff, and stops them all
gracefully on SIGTERM.

A child that exits while it should be running is started again after 1, 2, 4 ... up to 60 seconds
(the delay resets once a child has run for a minute), so a crash loop neither spins the CPU nor gives
up; each restart is logged. Readiness (`/readyz`) and `ela_worker_heartbeat_age_seconds` tell, through
the worker's heartbeat in the database, whether a worker is really working.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

log = logging.getLogger("ela.supervisor")

MAX_BACKOFF = 60.0
STEADY = 60.0  # a child that ran this long has its backoff reset


@dataclass
class Child:
    name: str
    command: Sequence[str]
    pass_fds: tuple[int, ...] = ()
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    next_start: float = 0.0
    backoff: float = 1.0
    restarts: int = 0


@dataclass
class Supervisor:
    children: list[Child]
    env: Mapping[str, str]
    graceful_seconds: float = 20.0
    stopping: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        """Start the children and keep them running until `stopping` is set; then stop them."""
        try:
            while not self.stopping.is_set():
                now = time.monotonic()
                for child in self.children:
                    self._tend(child, now)
                self.stopping.wait(0.2)
        finally:
            self._stop_all()

    def _tend(self, child: Child, now: float) -> None:
        if child.process is None:
            if now >= child.next_start:
                self._start(child, now)
            return
        code = child.process.poll()
        if code is None:
            if now - child.started_at > STEADY:
                child.backoff = 1.0
            return
        child.process = None
        child.restarts += 1
        child.next_start = now + child.backoff
        log.error(
            "supervisor.child_exited",
            extra={
                "context": {
                    "child": child.name,
                    "exit": code,
                    "restart_in": child.backoff,
                    "restarts": child.restarts,
                }
            },
        )
        child.backoff = min(MAX_BACKOFF, child.backoff * 2)

    def _start(self, child: Child, now: float) -> None:
        child.process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            list(child.command), pass_fds=child.pass_fds, env=dict(self.env)
        )
        child.started_at = now
        log.info(
            "supervisor.child_started", extra={"context": {"child": child.name, "pid": child.process.pid}}
        )

    def _stop_all(self) -> None:
        running = [c for c in self.children if c.process is not None and c.process.poll() is None]
        for child in running:
            assert child.process is not None
            child.process.terminate()
        deadline = time.monotonic() + self.graceful_seconds
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("supervisor.child_killed", extra={"context": {"child": child.name}})
                child.process.kill()
                child.process.wait(5)
