"""Survey dispatch benchmark: 10,000 due surveys sent as public comments to a Jira limited to 100
requests a second, as Jira Cloud limits its REST API.

    python bench/survey_bench.py [--surveys 10000] [--limit 100] [--workers 2] [--baseline 1000]
                                 [--postgres URL] [--json FILE]

The Jira simulator runs in its own process on loopback (`python -m simulators.jira --rate-limit`), a
token bucket answering 429 with Retry-After past the limit. The connector's store (SQLite in a
temporary file, or PostgreSQL with --postgres: its schema is dropped) gets one resolved ticket per
survey, taken through the pipeline, so each has a survey send due now. Then `--workers` real `ela
worker` processes start, each pacing its calls at its share of the limit
(`writeback.requests_per_second` = limit / workers): they fire the due sends (each queues its
comment in the outbox) and send the outbox, until every comment has landed.

Reported: surveys per second (from the first comment Jira took to the last, and over the whole run
with the workers' start-up), the requests per second as a share of the limit, and the 429s. The
baseline, in the same run, sends `--baseline` surveys without pacing (bursting, then waiting out
each 429's Retry-After), so the ratio shows what pacing buys. Figures, not pass/fail; on a machine
shared with other work, the load average printed beside them matters.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests
from sqlalchemy import create_engine, func, select, text

from adapters.events import EventKind, Person, StatusCategory, Ticket, TicketEvent, Transition
from bench.figures import Figure, add_json_option, machine, postgres_label, write_json
from connector.pipeline import Pipeline
from connector.processor import EventProcessor
from connector.settings import parse_settings
from connector.store import Store
from connector.store import events as event_store
from connector.store.models import OutboxAction, SurveySend, utcnow

REPO = Path(__file__).resolve().parents[1]
CONFIG = """
database: {{url: "{url}"}}
logging: {{level: ERROR}}
worker: {{poll_seconds: 0.05, batch_size: 100, lease_seconds: 300}}
writeback:
  flush_seconds: 0.05
  requests_per_second: {rate}
  lease_seconds: 300
  backoff_initial_seconds: 0.5
survey_pages: {{base_url: "https://ela.example.com", secret: bench-survey-secret-0123456789-0123}}
sites:
  bench:
    platform: jira
    url: {jira}
    auth: {{email: ela-connector@example.com, api_token: ela-admin-token}}
    webhook: {{secret: bench-webhook-secret-0123}}
surveys:
  - {{name: csat, kind: csat, timing: {{delay: 0s, reminders: 0}}, throttle: null}}
"""
CUSTOMER = "casey@customer.example"


@dataclass
class Result:
    label: str
    surveys: int
    landed: int
    steady_seconds: float  # first comment Jira took to the last
    total_seconds: float  # workers started to the last comment landed
    refused: int
    worker_cpu: float  # CPU seconds the workers used
    simulator_cpu: float  # CPU seconds the simulator used while they ran

    @property
    def per_second(self) -> float:
        return (self.landed - 1) / self.steady_seconds if self.steady_seconds else 0.0

    def share(self, limit: float) -> float:
        return self.per_second / limit


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def resolved(key: str, n: int) -> TicketEvent:
    person = Person(id=f"casey-{n % 500}", name="Casey Customer", email=f"casey{n % 500}@customer.example")
    ticket = Ticket(
        key=key,
        project="SUP",
        summary=f"Request {n}",
        status="Resolved",
        status_category=StatusCategory.done,
        requester=person,
    )
    return TicketEvent(
        platform="jira",
        site="bench",
        event_id=f"resolved-{key}",
        kind=EventKind.transitioned,
        ticket=ticket,
        transition=Transition(
            from_status="In progress", to_status="Resolved", to_category=StatusCategory.done
        ),
        occurred_at=utcnow(),
    )


def start_simulator(limit: float) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators.jira", "--port", str(port), "--rate-limit", str(limit)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if requests.get(url + "/_sim/health", timeout=1).ok:
                return process, url
        except requests.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError("the Jira simulator did not start")


def run(
    label: str, surveys: int, limit: float, rate: float, workers: int, url: str | None, workdir: Path
) -> Result:
    sim, jira = start_simulator(limit)
    control = requests.Session()
    running: list[subprocess.Popen[bytes]] = []
    try:
        keys = [
            control.post(
                f"{jira}/_sim/issues",
                json={"project": "SUP", "summary": f"Request {n}", "reporter": CUSTOMER},
                timeout=10,
            ).json()["key"]
            for n in range(surveys)
        ]
        if url is None:
            db = f"sqlite:///{workdir / (label.replace(' ', '-') + '.db')}"
        else:
            fresh_postgres(url)
            db = url
        config = workdir / f"{label.replace(' ', '-')}.yaml"
        config.write_text(CONFIG.format(url=db, rate=rate / workers, jira=jira))
        settings = parse_settings(config.read_text(), env={})
        store = Store(db)
        store.upgrade()
        for start in range(0, surveys, 500):
            with store.session() as session:
                chunk = tuple(resolved(k, start + i) for i, k in enumerate(keys[start : start + 500]))
                event_store.store_delivery(
                    session,
                    platform="jira",
                    site="bench",
                    delivery_key=f"bench-{start}",
                    webhook_event="bench",
                    body=b"{}",
                    events=chunk,
                )
        processor = EventProcessor(settings, store, Pipeline(settings, settings.sentiment.build()), "setup")
        processor.drain(max_rounds=100_000)
        with store.session() as session:
            scheduled = session.scalar(
                select(func.count()).select_from(SurveySend).where(SurveySend.state == "scheduled")
            )
        assert scheduled == surveys, f"{scheduled} sends scheduled of {surveys}"
        control.post(f"{jira}/_sim/reset", json={}, timeout=10)  # forget the set-up's requests

        sim_cpu_before = cpu_seconds(sim.pid)
        started = time.monotonic()
        running = [
            subprocess.Popen(
                [sys.executable, "-m", "connector", "worker", "--config", str(config)],
                cwd=REPO,
                env={**os.environ, "PYTHONPATH": str(REPO)},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        deadline = started + surveys / min(limit, rate) * 4 + 120
        landed = 0
        while time.monotonic() < deadline:
            with store.session() as session:
                landed = (
                    session.scalar(
                        select(func.count()).select_from(OutboxAction).where(OutboxAction.state == "done")
                    )
                    or 0
                )
            if landed >= surveys:
                break
            time.sleep(0.2)
        total = time.monotonic() - started
        worker_cpu = sum(cpu_seconds(p.pid) for p in running)
        simulator_cpu = cpu_seconds(sim.pid) - sim_cpu_before
        store.dispose()
        calls = control.get(f"{jira}/_sim/requests", timeout=60).json()
        posts = sorted(
            r["at"]
            for r in calls
            if r["method"] == "POST" and r["path"].endswith("/comment") and r["status"] == 201
        )
        refused = sum(1 for r in calls if r["status"] == 429)
        steady = posts[-1] - posts[0] if len(posts) > 1 else 0.0
        return Result(label, surveys, len(posts), steady, total, refused, worker_cpu, simulator_cpu)
    finally:
        for process in running:
            process.send_signal(signal.SIGTERM)
        for process in running:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        sim.terminate()
        sim.wait(10)


def survey_figures(name: str, results: list[Result], limit: float, workers: int) -> list[Figure]:
    figures = []
    unpaced = results[0] if len(results) == 2 else None
    for result in results:
        landed = max(1, result.landed)
        what = f"{result.label}: {result.surveys:,} surveys, {workers} workers, Jira limited to {limit:g}/s"
        base = ""
        if result is not results[0] or unpaced is None:
            base = f"{result.share(limit):.2f} of the limit"
            if unpaced is not None and unpaced.per_second:
                base += f"; {result.per_second / unpaced.per_second:.1f}x unpaced"
        figures.append(
            Figure(
                "survey",
                f"{what}: surveys/s",
                result.per_second,
                "/s",
                note=f"{result.landed:,} landed, {result.refused} answered 429; "
                f"workers {result.worker_cpu * 1000 / landed:.1f} ms CPU per survey",
                baseline=base,
            )
        )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--surveys", type=int, default=10_000)
    parser.add_argument("--limit", type=float, default=100.0, help="the simulated Jira's requests/s")
    parser.add_argument("--workers", type=int, default=2, help="`ela worker` processes")
    parser.add_argument(
        "--baseline", type=int, default=1_000, help="surveys of the unpaced baseline (0: none)"
    )
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL whose schema may be dropped")
    add_json_option(parser)
    args = parser.parse_args(argv)
    before = machine(args.postgres)
    figures: list[Figure] = []
    backends: list[tuple[str, str | None]] = [("SQLite", None)]
    if args.postgres:
        backends = [(postgres_label(args.postgres), args.postgres)]
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory(prefix="ela-survey-bench-") as tmp:
        for name, url in backends:
            results = []
            if args.baseline:
                results.append(
                    run(f"{name} unpaced", args.baseline, args.limit, 100_000.0, args.workers, url, Path(tmp))
                )
            results.append(
                run(f"{name} paced", args.surveys, args.limit, args.limit, args.workers, url, Path(tmp))
            )
            for result in results:
                share = result.share(args.limit)
                with_start = result.landed / result.total_seconds
                print(
                    f"{result.label:18} {result.landed:6}/{result.surveys} surveys: "
                    f"{result.per_second:6.1f}/s ({share:5.1%} of the {args.limit:g} requests/s limit) "
                    f"from the first comment to the last; {with_start:6.1f}/s with start-up; "
                    f"{result.refused} answered 429",
                    flush=True,
                )
                landed = max(1, result.landed)
                cores = os.cpu_count() or 1
                ceiling = cores / ((result.worker_cpu + result.simulator_cpu) / landed)
                print(
                    f"{'':18} CPU per survey: workers {result.worker_cpu * 1000 / landed:.1f} ms, simulator "
                    f"{result.simulator_cpu * 1000 / landed:.1f} ms: {cores} idle cores would carry about "
                    f"{ceiling:.0f} surveys/s",
                    flush=True,
                )
            if len(results) == 2 and results[0].per_second:
                ratio = results[1].per_second / results[0].per_second
                print(f"{name}: paced / unpaced surveys per second = {ratio:.2f}")
            figures += survey_figures(name, results, args.limit, args.workers)
    print(f"load average after: {os.getloadavg()[0]:.1f}", flush=True)
    write_json(args.json_path, "survey", figures, before)
    return 0


if __name__ == "__main__":
    sys.exit(main())
