"""A throwaway PostgreSQL cluster for the benchmarks, started with the server's own initdb and pg_ctl
in a temporary directory and removed afterwards: with default durability (every commit flushed to
disk, as in production), or with fsync=off as CI's `.ci/postgres.sh` runs it.

    python bench/pg_cluster.py --durable     # starts one, prints its URL, stops it on Ctrl-C

Needs Debian's server package (`apt-get install postgresql`: /usr/lib/postgresql/<version>/bin). As
root, initdb refuses to run: the cluster then runs as the `postgres` system user.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from types import TracebackType


def server_bin() -> Path | None:
    """The newest installed server's bin directory; None when no server is installed."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in p.parent.name.split(".")]
    )
    return found[-1] if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """`with Cluster(durable=True) as url:` a new, empty database `ela_bench` on loopback."""

    def __init__(self, *, durable: bool) -> None:
        self.durable = durable
        self.data: Path | None = None
        self.port = _free_port()

    def _run(self, *command: str) -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [*as_postgres, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def start(self) -> str:
        binaries = server_bin()
        if binaries is None:
            raise RuntimeError("no PostgreSQL server installed (apt-get install postgresql)")
        self.data = Path(tempfile.mkdtemp(prefix="ela-bench-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres")
        self._run(str(binaries / "initdb"), "-D", str(self.data), "-U", "ela", "--auth=trust", "-E", "UTF8")
        options = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.data}"
        if not self.durable:
            options += " -c fsync=off"
        try:
            self._run(
                str(binaries / "pg_ctl"), "-D", str(self.data), "-l", str(self.data / "server.log"), "-w",
                "-o", options, "start",
            )  # fmt: skip
        except subprocess.CalledProcessError:
            print((self.data / "server.log").read_text(errors="replace"), file=sys.stderr)
            raise
        self._run(
            str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "ela", "ela_bench"
        )
        return f"postgresql://ela@127.0.0.1:{self.port}/ela_bench"

    def stop(self) -> None:
        binaries = server_bin()
        if self.data is None or binaries is None:
            return
        try:
            self._run(str(binaries / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.data, ignore_errors=True)
            self.data = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--durable", action="store_true", help="default durability (else fsync=off)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with Cluster(durable=args.durable) as url:
        print(url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
