"""A PostgreSQL server of the test's own, on loopback, that the test may stop and start (the shared
server of ELA_TEST_POSTGRES_URL must not be restarted under other tests)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
    return found[-1] if found and (found[-1] / "pg_ctl").exists() else None


@dataclass
class PostgresServer:
    bindir: Path
    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://ela@127.0.0.1:{self.port}/ela"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True)

    def start(self) -> None:
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.data / "server.log"),
            "-w",
            "-o",
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.data}",
            "start",
        )

    def stop(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            self.stop()
        shutil.rmtree(self.data, ignore_errors=True)


def new_server() -> PostgresServer:
    """A new cluster in a directory of its own under /tmp (pytest's are private to root, and the
    server must run as the postgres user when the tests run as root). `remove()` deletes it."""
    bindir = postgres_bin()
    assert bindir is not None
    data = Path(tempfile.mkdtemp(prefix="ela-test-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = PostgresServer(bindir, data, port)
    server._run(str(bindir / "initdb"), "-D", str(data), "-U", "ela", "--auth=trust", "-E", "UTF8")
    server.start()
    server._run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "ela", "ela")
    return server
