"""The processes of the end-to-end benchmark, each its own OS process on loopback: the Jira simulator,
`ela serve --no-worker` (its web processes) and `ela worker`, on a SQLite file or a PostgreSQL
database; and what the benchmark reads back from them (the store, /proc).

Only processes started here are stopped here, by their own ids.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import Engine, create_engine, text

REPO = Path(__file__).resolve().parents[1]
SECRET = "bench-webhook-secret-0123456789"
SITE = "jira"
# The connector's own account on the simulator (simulators/jira/seed.py).
CONFIG = """
database: {{url: "{url}"}}
server: {{port: {port}}}
logging: {{level: WARNING}}
{extra}
sites:
  {site}:
    platform: jira
    url: {jira}
    auth: {{email: ela-connector@example.com, api_token: ela-admin-token}}
    webhook: {{secret: {secret}}}
    fields:
      mood: Customer mood
      mood_score: Customer mood score
      initial_mood: Initial customer mood
      mood_trend: Customer mood trend
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mib(pid: int) -> float | None:
    """Resident set size of a live process, from /proc (Linux); None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process, from /proc (Linux); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def reset_postgres(url: str) -> None:
    """An empty public schema: the benchmark's database must be one it may drop."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def wait_for(url: str, timeout: float, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer {url} within {timeout:.0f} s")


@dataclass
class Environment:
    """One simulated Jira, one store, the connector's web processes and (once started) one worker."""

    workdir: Path
    name: str
    database_url: str | None = None  # None: a SQLite file in workdir
    platform_limit: float | None = None  # the simulator's requests/s (429 past it), as Jira Cloud's
    config_extra: str = ""  # YAML sections to add (e.g. writeback), else every default applies
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    worker: subprocess.Popen[bytes] | None = None
    web: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.log = self.workdir / f"{self.name}.log"
        self.url = self.database_url or f"sqlite:///{self.workdir / (self.name + '.db')}"
        self.port = free_port()
        self.webhook_url = f"http://127.0.0.1:{self.port}/webhooks/jira/{SITE}"
        self.config = self.workdir / f"{self.name}.yaml"
        self._engine: Engine | None = None

    # processes ------------------------------------------------------------------------------------

    def _spawn(self, args: Sequence[str]) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, *args],
                cwd=REPO,
                env={**os.environ, "PYTHONPATH": str(REPO)},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        return process

    def _ela(self, *args: str) -> None:
        with self.log.open("ab") as out:
            subprocess.run(
                [sys.executable, "-m", "connector", *args, "--config", str(self.config)],
                cwd=REPO,
                env={**os.environ, "PYTHONPATH": str(REPO)},
                stdout=out,
                stderr=subprocess.STDOUT,
                check=True,
            )

    def start(self, *, worker: bool = True) -> None:
        """The simulator, the schema, the site's fields (`ela setup`), the web processes; the worker."""
        sim_port = free_port()
        simulator = self._spawn(["-m", "simulators.jira", "--port", str(sim_port), "--seed", "demo"])
        self.jira = f"http://127.0.0.1:{sim_port}"
        wait_for(self.jira + "/_sim/health", 30, simulator, "the Jira simulator")
        if self.database_url is not None:
            reset_postgres(self.database_url)
        self.config.write_text(
            CONFIG.format(
                url=self.url,
                port=self.port,
                extra=self.config_extra,
                site=SITE,
                jira=self.jira,
                secret=SECRET,
            )
        )
        self._ela("db", "upgrade")
        self._ela("setup")
        self.web = self._spawn(["-m", "connector", "serve", "--no-worker", "--config", str(self.config)])
        wait_for(f"http://127.0.0.1:{self.port}/healthz", 60, self.web, "ela serve")
        if self.platform_limit is not None:
            # Only now: `ela setup` makes its calls back to back and does not wait out a 429.
            requests.put(
                f"{self.jira}/_sim/rate-limit", json={"rate": self.platform_limit}, timeout=30
            ).raise_for_status()
        if worker:
            self.start_worker()
        self.clear_requests()

    def start_worker(self) -> None:
        self.worker = self._spawn(["-m", "connector", "worker", "--config", str(self.config)])

    def stop_worker(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            self.worker.send_signal(signal.SIGTERM)
            try:
                self.worker.wait(40)
            except subprocess.TimeoutExpired:
                self.worker.kill()
                self.worker.wait(10)

    def web_pids(self) -> list[int]:
        return children_of(self.web.pid) if self.web is not None else []

    def roles(self) -> dict[str, list[int]]:
        """The pids of each part: the web processes (children of `ela serve`), the worker, the simulator."""
        return {
            "web": self.web_pids(),
            "worker": [self.worker.pid] if self.worker is not None else [],
            "simulator": [self.processes[0].pid] if self.processes else [],
        }

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far by each part."""
        return {role: sum(cpu_seconds(pid) for pid in pids) for role, pids in self.roles().items()}

    def rss(self) -> dict[str, float | None]:
        """MiB resident: each web process, and the worker."""
        found: dict[str, float | None] = {
            f"web {n}": rss_mib(pid) for n, pid in enumerate(self.web_pids(), start=1)
        }
        if self.worker is not None:
            found["worker"] = rss_mib(self.worker.pid)
        return found

    def stop(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in reversed(self.processes):
            try:
                process.wait(40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        self.processes.clear()

    def __enter__(self) -> Environment:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # the simulator ---------------------------------------------------------------------------------

    def create_issues(self, count: int) -> list[tuple[str, str]]:
        """(key, id) of `count` new service-desk requests raised by a portal customer."""
        made: list[tuple[str, str]] = []
        while len(made) < count:
            chunk = min(5000, count - len(made))
            answer = requests.post(
                f"{self.jira}/_sim/issues",
                json={
                    "project": "SUP",
                    "summary": "VPN drops every hour",
                    "reporter": "casey@customer.example",
                    "count": chunk,
                },
                timeout=300,
            )
            answer.raise_for_status()
            body = answer.json()
            made.extend(zip(body["keys"], body["ids"], strict=True))
        return made

    def clear_requests(self) -> None:
        """Forget the simulator's recorded requests (not its state): a scenario counts only its own."""
        requests.post(f"{self.jira}/_sim/reset", json={}, timeout=30).raise_for_status()

    # the store -------------------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        # A plain engine, not the connector's Store: reading must not take the store's writer lock.
        if self._engine is None:
            self._engine = create_engine(self.url)
        return self._engine

    def scalar(self, sql: str, **params: object) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text(sql), params).scalar() or 0)

    def open_work(self) -> tuple[int, int]:
        """(events pending, outbox actions not yet sent or failed)."""
        pending = self.scalar("SELECT count(*) FROM events WHERE state = 'pending'")
        actions = self.scalar("SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')")
        return pending, actions

    def wait_idle(self, timeout: float) -> bool:
        """True once no event is pending and no action waits; polled, so it may end a moment late."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.open_work() == (0, 0):
                return True
            time.sleep(0.2)
        return False

    def wait_processed(self, timeout: float) -> float | None:
        """Seconds until no event is pending (the outbox may still hold writes); None on timeout."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.open_work()[0] == 0:
                return time.monotonic() - started
            time.sleep(0.2)
        return None

    def check_acknowledged(self, keys: Iterable[str]) -> dict[str, object]:
        """Each acknowledged delivery key, looked up one by one: stored, and its events processed."""
        wanted = sorted(set(keys))
        stored: set[str] = set()
        unprocessed: set[str] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                params = {f"k{n}": key for n, key in enumerate(chunk)}
                names = ", ".join(f":k{n}" for n in range(len(chunk)))
                rows = conn.execute(
                    text(
                        "SELECT d.delivery_key, e.state FROM deliveries d "
                        "LEFT JOIN events e ON e.delivery_id = d.id "
                        f"WHERE d.site = :site AND d.delivery_key IN ({names})"
                    ),
                    {"site": SITE, **params},
                )
                for key, state in rows:
                    stored.add(key)
                    if state != "done":
                        unprocessed.add(key)
        missing = [k for k in wanted if k not in stored]
        return {
            "acknowledged": len(wanted),
            "stored": len(stored),
            "processed": len(stored) - len(unprocessed),
            "missing": missing[:5],
            "unprocessed": sorted(unprocessed)[:5],
        }
