"""Ingest benchmark: signed Jira webhooks per second through the real intake, against a bare Flask
endpoint that only parses the same JSON, both under the connector's own web server (2 processes, as
`ela serve` runs it) on loopback, in one run.

    python bench/ingest_bench.py [--duration 10] [--runs 2] [--connections 8] [--payload FILE]
                                 [--postgres URL ...] [--json FILE]

The intake is measured on a SQLite file and on each PostgreSQL given with --postgres (its public
schema is dropped; the figures name its durability, read from the server: CI's throwaway one runs
with fsync=off). Each run measures the bare endpoint, then the intake on each database, so the ratio
compares runs made under the same load on the machine.

The load comes from wrk (Debian package `wrk`) when installed, else from a Python client (slower,
so it measures less of the server). Every request carries a new X-Atlassian-Webhook-Identifier, so
each one is a new delivery that must be stored before its 202. The client records the delivery key of
every 2xx answer (the intake names it in its body), and each one is then looked up in the store.
Targets (issue 11): at least 0.5 of bare on SQLite and on PostgreSQL with default durability, p99
under 20 ms. Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text

from bench.figures import (
    Figure,
    add_json_option,
    at_least,
    below,
    machine,
    machine_line,
    postgres_label,
    print_figures,
    write_json,
)

REPO = Path(__file__).resolve().parents[1]
SHARED_PAYLOAD = (
    REPO.parent / "shared/data/jira-webhooks/mattermost-plugin-jira__webhook-cloud-comment-created.json"
)
OWN_PAYLOAD = REPO / "tests/adapters/jira/fixtures/payloads/jsm-cloud-customer-comment.json"
SECRET = "bench-secret-0123456789"

CONFIG = """
database: {{url: "{url}"}}
logging: {{level: WARNING}}
sites:
  bench:
    platform: jira
    url: https://bench.atlassian.net
    auth: {{email: bot@example.com, api_token: bench-token-0123456789}}
    webhook: {{secret: {secret}}}
    fields: {{mood: Customer mood}}
"""

WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = io.open("{body}", "rb"):read("*a")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Hub-Signature"] = "{signature}"
local threads = {{}}
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end
local counter = 0
function request()
  counter = counter + 1
  -- wrk.format replaces wrk.headers with the table it is given: copy them in first.
  local headers = {{}}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["X-Atlassian-Webhook-Identifier"] = "{run}-" .. tid .. "-" .. counter
  return wrk.format(nil, nil, headers)
end
-- Each thread writes the delivery key of every 2xx answer to its own file, one a line.
local keys = nil
function response(status, headers, body)
  if status >= 200 and status < 300 and body then
    local key = string.match(body, '"delivery":%s*"([^"]+)"')
    if key then
      if not keys then
        keys = io.open("{keys}" .. tid .. ".txt", "w")
        keys:setvbuf("line")
      end
      keys:write(key, "\\n")
    end
  end
end
function done(summary, latency, requests)
  io.write(string.format('RESULT {{"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, '
    .. '"p50_us": %d, "p99_us": %d}}\\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_listening(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port}")


def start_server(app: str, port: int, env: dict[str, str], processes: int) -> subprocess.Popen[bytes]:
    """The app under the connector's own web server (bench/serve_app.py), as `ela serve` runs it."""
    command = [
        sys.executable,
        str(REPO / "bench" / "serve_app.py"),
        "--app",
        app,
        "--port",
        str(port),
        "--processes",
        str(processes),
    ]
    process = subprocess.Popen(command, env={**os.environ, **env})
    wait_listening(port)
    time.sleep(1.0)  # the socket listens before the web processes have imported the app
    return process


def run_wrk(
    port: int, body: Path, signature: str, run: str, duration: float, connections: int, tmp: Path
) -> dict:
    script = tmp / f"{run}.lua"
    keys = tmp / f"{run}-keys-"
    script.write_text(WRK_SCRIPT.format(body=body, signature=signature, run=run, keys=keys))
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{duration:.0f}s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/webhooks/jira/bench",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(row for row in out.splitlines() if row.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["ok"] = result["requests"] - result["non2xx"]
    result["keys"] = [k for f in sorted(tmp.glob(f"{run}-keys-*.txt")) for k in f.read_text().split()]
    return result


def run_python_client(
    port: int, body: bytes, signature: str, run: str, duration: float, connections: int
) -> dict:
    latencies: list[float] = []
    acked: list[str] = []
    counts = {"requests": 0, "non2xx": 0, "socket_errors": 0}
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def client(tid: int) -> None:
        n = 0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            n += 1
            key = f"{run}-{tid}-{n}"
            headers = {
                "Content-Type": "application/json",
                "X-Hub-Signature": signature,
                "X-Atlassian-Webhook-Identifier": key,
            }
            started = time.perf_counter()
            try:
                conn.request("POST", "/webhooks/jira/bench", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except OSError:
                with lock:
                    counts["socket_errors"] += 1
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            elapsed = time.perf_counter() - started
            with lock:
                counts["requests"] += 1
                counts["non2xx"] += not 200 <= status < 300
                latencies.append(elapsed)
                if 200 <= status < 300:
                    acked.append(key)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        **counts,
        "rps": counts["requests"] / wall,
        "ok": counts["requests"] - counts["non2xx"],
        "p50_us": statistics.median(latencies) * 1e6 if latencies else 0,
        "p99_us": latencies[max(0, math.ceil(len(latencies) * 0.99) - 1)] * 1e6 if latencies else 0,
        "keys": acked,
    }


def fresh_database(url: str) -> None:
    """An empty store at the current schema (what `ela db upgrade` makes)."""
    from connector.store import Store

    if not url.startswith("sqlite"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    store = Store(url)
    store.upgrade()
    store.dispose()


def stored_keys(url: str, keys: list[str]) -> int:
    """How many of these delivery keys the store holds, each looked up by itself."""
    engine = create_engine(url)
    found = 0
    try:
        with engine.connect() as conn:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                names = ", ".join(f":k{n}" for n in range(len(chunk)))
                found += int(
                    conn.execute(
                        text(
                            "SELECT count(*) FROM deliveries WHERE site = 'bench' "
                            f"AND delivery_key IN ({names})"
                        ),
                        {f"k{n}": key for n, key in enumerate(chunk)},
                    ).scalar()
                    or 0
                )
    finally:
        engine.dispose()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per endpoint and run")
    parser.add_argument(
        "--runs", type=int, default=2, help="runs of every endpoint (each: bare, then each database)"
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2, help="web processes, as server.workers")
    parser.add_argument("--payload", type=Path, help="a Jira webhook JSON file (default: a real ~5 KB one)")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        action="append",
        default=[],
        help="also the intake on this PostgreSQL (its schema is dropped); may be given more than once",
    )
    add_json_option(parser)
    args = parser.parse_args(argv)
    payload = args.payload or (SHARED_PAYLOAD if SHARED_PAYLOAD.exists() else OWN_PAYLOAD)
    body = payload.read_bytes()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    use_wrk = shutil.which("wrk") is not None
    before = machine(args.postgres[0] if args.postgres else None)
    print(machine_line(before), flush=True)

    with tempfile.TemporaryDirectory(prefix="ela-bench-") as tmp_name:
        tmp = Path(tmp_name)
        body_file = tmp / "body.json"
        body_file.write_bytes(body)
        targets: list[tuple[str, str, str, dict[str, str]]] = [
            ("bare Flask, parse only", "", "bench.bare_app:create", {})
        ]
        for label, url in [("SQLite", f"sqlite:///{tmp / 'ela.db'}")] + [
            (postgres_label(u), u) for u in args.postgres
        ]:
            config = tmp / f"ela-{len(targets)}.yaml"
            config.write_text(CONFIG.format(url=url, secret=SECRET))
            targets.append((f"intake on {label}", url, "connector.wsgi:create", {"ELA_CONFIG": str(config)}))

        def load(port: int, run: str, seconds: float) -> dict:
            if use_wrk:
                return run_wrk(port, body_file, signature, run, seconds, args.connections, tmp)
            return run_python_client(port, body, signature, run, seconds, args.connections)

        results: dict[str, list[dict]] = {name: [] for name, *_ in targets}
        for run in range(args.runs):
            for name, url, app, env in targets:
                print(f"  run {run + 1} of {args.runs}: {name}", file=sys.stderr, flush=True)
                if url:
                    fresh_database(url)
                port = free_port()
                server = start_server(app, port, env, args.processes)
                try:
                    load(port, f"warm-{run}-{port}", 2)
                    result = load(port, f"run-{run}-{port}", args.duration)
                finally:
                    server.terminate()
                    server.wait(timeout=30)
                if url:
                    result["stored"] = stored_keys(url, result["keys"])
                results[name].append(result)

    print(
        f"payload: {payload.name} ({len(body)} bytes); {args.processes} web processes "
        "(the connector's web server, 8 threads) on 127.0.0.1; "
        f"load: {'wrk -t 2' if use_wrk else 'python client'} -c {args.connections}, "
        f"{args.duration:.0f} s per endpoint after 2 s warm-up, {args.runs} runs; "
        f"{os.cpu_count()} cores shared with the load",
        flush=True,
    )
    print(f"{'endpoint':48} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'sock err':>8}")
    for name, runs in results.items():
        for r in runs:
            print(
                f"{name:48} {r['rps']:9.0f} {r['p50_us'] / 1000:8.2f} {r['p99_us'] / 1000:8.2f} "
                f"{r['non2xx']:8d} {r['socket_errors']:8d}"
            )
    figures = ingest_figures(results, use_wrk, args.connections)
    print_figures(figures)
    write_json(
        args.json_path,
        "ingest",
        figures,
        before,
        results={
            name: [{k: v for k, v in r.items() if k != "keys"} for r in runs]
            for name, runs in results.items()
        },
    )
    return 0


def ingest_figures(results: dict[str, list[dict]], use_wrk: bool, connections: int) -> list[Figure]:
    """Per database: req/s of each run with its ratio to the bare run beside it, p99, every 2xx
    stored. The targets hold for SQLite and PostgreSQL with default durability; a server with fsync
    off (CI's) is shown beside them without one."""
    bare, *intakes = results
    client = f"{'wrk' if use_wrk else 'python client'}, {connections} connections"
    figures = [
        Figure(
            "ingest",
            f"{bare}: req/s ({client})",
            " / ".join(f"{r['rps']:,.0f}" for r in results[bare]),
            note="p99 " + " / ".join(f"{r['p99_us'] / 1000:.1f}" for r in results[bare]) + " ms",
            baseline="1 (the baseline)",
        )
    ]
    for name in intakes:
        runs = results[name]
        ratios = [r["rps"] / b["rps"] for r, b in zip(runs, results[bare], strict=True)]
        p99s = [r["p99_us"] / 1000 for r in runs]
        targeted = "fsync=off" not in name and "synchronous_commit=off" not in name
        figures.append(
            Figure(
                "ingest",
                f"{name}: req/s ({client})",
                " / ".join(f"{r['rps']:,.0f}" for r in runs),
                target=">= 0.5 of bare" if targeted else "",
                baseline=" / ".join(f"{x:.2f}" for x in ratios) + " of bare",
                met=all(at_least(x, 0.5) for x in ratios) if targeted else None,
            )
        )
        figures.append(
            Figure(
                "ingest",
                f"{name}: p99 of the 2xx",
                " / ".join(f"{x:.1f}" for x in p99s) + " ms",
                target="< 20 ms" if targeted else "",
                met=all(below(x, 20.0) for x in p99s) if targeted else None,
            )
        )
        acked = sum(len(r["keys"]) for r in runs)
        stored = sum(r.get("stored", 0) for r in runs)
        answered = sum(r["ok"] for r in runs)
        figures.append(
            Figure(
                "ingest",
                f"{name}: 2xx deliveries stored, each looked up by its key",
                f"{stored:,} of {acked:,}",
                target="all",
                note="" if acked == answered else f"{answered:,} 2xx counted by the client",
                met=stored == acked and acked == answered,
            )
        )
    return figures


if __name__ == "__main__":
    sys.exit(main())
