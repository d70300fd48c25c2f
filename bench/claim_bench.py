"""Claim benchmark: how long one worker's claim of due events takes as the backlog grows, and whether
webhooks keep being answered while claims run.

    python bench/claim_bench.py [--events 100000] [--tickets 50 10000] [--postgres URL ...] [--json FILE]

For each database (SQLite in a temporary file; each PostgreSQL given with --postgres, else
$ELA_TEST_POSTGRES_URL: its schema is dropped and rebuilt) and each ticket count, the backlog is written
straight into the store (events of 2 KB, spread over the tickets, each ticket's lane due), then a
worker claims a batch (100 events) again and again, settling each claim's lanes so the backlog stays
the same. Beside it, a client posts signed webhooks to the intake over loopback HTTP and records every
answer. The baseline is the same claim over a backlog of 100 events, in the same run: the ratio says
how much of the claim's time the backlog costs. Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests
from sqlalchemy import insert, text
from werkzeug.serving import make_server

from bench.figures import (
    Figure,
    add_json_option,
    machine,
    machine_line,
    postgres_label,
    write_json,
)
from connector.runtime import Runtime
from connector.settings import parse_settings
from connector.store import Store
from connector.store import events as event_store
from connector.store.models import EventRow, Lane, utcnow

SECRET = "bench-secret-0123456789"
CONFIG = """
database: {{url: "{url}"}}
logging: {{level: ERROR}}
sites:
  bench:
    platform: jira
    url: https://bench.atlassian.net
    auth: {{email: bot@example.com, api_token: bench-token-0123456789}}
    webhook: {{secret: {secret}}}
"""
PAYLOAD = (
    Path(__file__).resolve().parents[1]
    / "tests/adapters/jira/fixtures/payloads/jsm-cloud-customer-comment.json"
)
BATCH = 100
CLAIMS = 30


@dataclass
class Result:
    backend: str
    events: int
    tickets: int
    first_ms: float
    median_ms: float
    max_ms: float
    baseline_ms: float
    webhooks: int
    webhooks_2xx: int
    webhook_p99_ms: float


def fill(store: Store, events: int, tickets: int, payload_bytes: int) -> None:
    """`events` pending events round-robin over `tickets` tickets, with their lanes, in bulk."""
    now = utcnow()
    data = json.dumps({"pad": "x" * payload_bytes})
    rows = []
    with store.engine.begin() as connection:
        for n in range(events):
            rows.append(
                {
                    "platform": "jira",
                    "site": "backlog",
                    "event_id": f"backlog-{n}",
                    "kind": "commented",
                    "ticket_key": f"BL-{n % tickets + 1}",
                    "occurred_at": now,
                    "received_at": now,
                    "data": data,
                    "state": "pending",
                    "attempts": 0,
                }
            )
            if len(rows) == 5000:
                connection.execute(insert(EventRow), rows)
                rows = []
        if rows:
            connection.execute(insert(EventRow), rows)
        lanes = [
            {
                "queue": "events",
                "platform": "jira",
                "site": "backlog",
                "ticket_key": f"BL-{t + 1}",
                "state": "ready",
                "due_at": now - timedelta(seconds=tickets - t),
            }
            for t in range(min(tickets, events))
        ]
        for start in range(0, len(lanes), 5000):
            connection.execute(insert(Lane), lanes[start : start + 5000])
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


def claim_times(store: Store, claims: int) -> list[float]:
    """Milliseconds per claim of a batch; each claim's lanes are then let go (ready again, due later)."""
    times = []
    for n in range(claims):
        worker = f"bench-{n}"
        started = time.perf_counter()
        with store.session() as session:
            claimed = event_store.claim_events(session, worker, BATCH, timedelta(seconds=60))
        times.append((time.perf_counter() - started) * 1000)
        with store.session() as session:
            event_store.release_all(session, sorted({c.lane_id for c in claimed}), worker)
    return times


class Poster(threading.Thread):
    """Signed webhooks, one after another, each a new delivery; records status and latency."""

    def __init__(self, url: str, body: bytes) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.body = body
        self.signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        self.answers: list[tuple[int, float]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        session = requests.Session()
        n = 0
        while not self.stopping.is_set():
            n += 1
            headers = {
                "Content-Type": "application/json",
                "X-Hub-Signature": self.signature,
                "X-Atlassian-Webhook-Identifier": f"bench-{id(self)}-{n}",
            }
            started = time.perf_counter()
            try:
                status = session.post(self.url, data=self.body, headers=headers, timeout=60).status_code
            except requests.RequestException:
                status = 0
            self.answers.append((status, (time.perf_counter() - started) * 1000))


def reset_postgres(url: str) -> None:
    store = Store(url)
    with store.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    store.dispose()


def measure(backend: str, url: str, events: int, tickets: int, payload_bytes: int) -> Result:
    if not url.startswith("sqlite"):
        reset_postgres(url)
    settings = parse_settings(CONFIG.format(url=url, secret=SECRET), env={})
    migrating = Store(url)
    migrating.upgrade()  # what `ela db upgrade` does
    migrating.dispose()
    runtime = Runtime(settings)
    store = runtime.store
    fill(store, 100, min(tickets, 100), payload_bytes)
    baseline = statistics.median(claim_times(store, CLAIMS))
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM events"))
        connection.execute(text("DELETE FROM lanes"))
    print(f"  {backend}: {events:,} events on {tickets:,} tickets ...", file=sys.stderr, flush=True)
    fill(store, events, tickets, payload_bytes)
    # werkzeug logs every request it serves: thousands of lines that would bury the figures
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, runtime.app(), threaded=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    poster = Poster(f"http://127.0.0.1:{server.server_port}/webhooks/jira/bench", PAYLOAD.read_bytes())
    poster.start()
    time.sleep(0.5)
    times = claim_times(store, CLAIMS)
    poster.stopping.set()
    poster.join(60)
    server.shutdown()
    server.server_close()
    runtime.close()
    answers = poster.answers
    latencies = sorted(ms for _, ms in answers)
    return Result(
        backend=backend,
        events=events,
        tickets=tickets,
        first_ms=times[0],
        median_ms=statistics.median(times),
        max_ms=max(times),
        baseline_ms=baseline,
        webhooks=len(answers),
        webhooks_2xx=sum(1 for status, _ in answers if 200 <= status < 300),
        webhook_p99_ms=latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan"),
    )


def claim_figures(results: list[Result]) -> list[Figure]:
    """One row per database and backlog: the claim's median against the same claim over 100 events,
    and the webhooks answered meanwhile (every one of them should be a 2xx)."""
    return [
        Figure(
            "claim",
            f"one claim of {BATCH} over {r.events:,} events on {r.tickets:,} tickets, median of {CLAIMS} "
            f"({r.backend})",
            r.median_ms,
            "ms",
            target="webhooks meanwhile all 2xx",
            note=f"first {r.first_ms:.1f} ms, max {r.max_ms:.1f} ms; webhooks meanwhile {r.webhooks_2xx:,} "
            f"of {r.webhooks:,} 2xx, p99 {r.webhook_p99_ms:.1f} ms",
            baseline=f"{r.median_ms / r.baseline_ms:.2f} of one over 100 events ({r.baseline_ms:.1f} ms)",
            met=r.webhooks > 0 and r.webhooks_2xx == r.webhooks,
        )
        for r in results
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000, help="pending events in the backlog")
    parser.add_argument(
        "--tickets", type=int, nargs="+", default=[50, 10_000], help="ticket counts they are spread over"
    )
    parser.add_argument("--payload-bytes", type=int, default=2048, help="size of each event's data")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        action="append",
        default=[],
        help="a PostgreSQL whose schema may be dropped; more than once for several "
        "(default: $ELA_TEST_POSTGRES_URL)",
    )
    add_json_option(parser)
    args = parser.parse_args(argv)
    if not args.postgres and os.environ.get("ELA_TEST_POSTGRES_URL"):
        args.postgres = [os.environ["ELA_TEST_POSTGRES_URL"]]
    before = machine(args.postgres[0] if args.postgres else None)
    print(machine_line(before), flush=True)
    backends: list[tuple[str, str | None]] = [("SQLite", None)]
    backends += [(postgres_label(url), url) for url in args.postgres]
    results = []
    with tempfile.TemporaryDirectory(prefix="ela-claim-bench-") as tmp:
        for backend, url in backends:
            for tickets in args.tickets:
                db_url = url or f"sqlite:///{tmp}/claim-{tickets}.db"
                results.append(measure(backend, db_url, args.events, tickets, args.payload_bytes))
    print(f"one claim of {BATCH} events ({CLAIMS} claims each; baseline: the same claim over 100 events)")
    print(
        f"{'database':36} {'events':>8} {'tickets':>8} {'first ms':>9} {'median ms':>10} {'max ms':>8}"
        f" {'baseline ms':>12} {'ratio':>6} {'webhooks':>9} {'2xx':>6} {'p99 ms':>7}"
    )
    for r in results:
        print(
            f"{r.backend:36} {r.events:>8,} {r.tickets:>8,} {r.first_ms:>9.2f} {r.median_ms:>10.2f}"
            f" {r.max_ms:>8.2f} {r.baseline_ms:>12.2f} {r.median_ms / r.baseline_ms:>6.2f}"
            f" {r.webhooks:>9,} {r.webhooks_2xx:>6,} {r.webhook_p99_ms:>7.1f}"
        )
    if not args.postgres:
        print("(PostgreSQL skipped: give --postgres URL or set ELA_TEST_POSTGRES_URL)")
    figures = claim_figures(results)
    write_json(args.json_path, "claim", figures, before)
    return 0


if __name__ == "__main__":
    sys.exit(main())
