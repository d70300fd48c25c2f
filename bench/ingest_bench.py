"""Ingest benchmark: signed Jira webhooks per second through the real intake, against a bare Flask
endpoint that only parses the same JSON, both under the connector's own web server (2 processes, as
`ela serve` runs it) on loopback, in one run.

    python bench/ingest_bench.py [--duration 10] [--connections 8] [--payload FILE]

The load comes from wrk (Debian package `wrk`) when installed, else from a Python client (slower,
so it measures less of the server). Every request carries a new X-Atlassian-Webhook-Identifier, so
each one is a new delivery that must be stored before its 202; the run ends by counting the stored
rows against the 2xx answers. Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_PAYLOAD = (
    REPO.parent / "shared/data/jira-webhooks/mattermost-plugin-jira__webhook-cloud-comment-created.json"
)
OWN_PAYLOAD = REPO / "tests/adapters/jira/fixtures/payloads/jsm-cloud-customer-comment.json"
SECRET = "bench-secret-0123456789"

CONFIG = """
database: {{url: "sqlite:///{db}"}}
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
    script.write_text(WRK_SCRIPT.format(body=body, signature=signature, run=run))
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
    return result


def run_python_client(
    port: int, body: bytes, signature: str, run: str, duration: float, connections: int
) -> dict:
    latencies: list[float] = []
    counts = {"requests": 0, "non2xx": 0, "socket_errors": 0}
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def client(tid: int) -> None:
        n = 0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            n += 1
            headers = {
                "Content-Type": "application/json",
                "X-Hub-Signature": signature,
                "X-Atlassian-Webhook-Identifier": f"{run}-{tid}-{n}",
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
        "p99_us": latencies[int(len(latencies) * 0.99) - 1] * 1e6 if latencies else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2, help="web processes, as server.workers")
    parser.add_argument("--payload", type=Path, help="a Jira webhook JSON file (default: a real ~5 KB one)")
    args = parser.parse_args()
    payload = args.payload or (SHARED_PAYLOAD if SHARED_PAYLOAD.exists() else OWN_PAYLOAD)
    body = payload.read_bytes()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    use_wrk = shutil.which("wrk") is not None

    with tempfile.TemporaryDirectory(prefix="ela-bench-") as tmp_name:
        tmp = Path(tmp_name)
        db = tmp / "ela.db"
        config = tmp / "ela.yaml"
        config.write_text(CONFIG.format(db=db, secret=SECRET))
        body_file = tmp / "body.json"
        body_file.write_bytes(body)

        def load(port: int, run: str, seconds: float) -> dict:
            if use_wrk:
                return run_wrk(port, body_file, signature, run, seconds, args.connections, tmp)
            return run_python_client(port, body, signature, run, seconds, args.connections)

        results = {}
        for name, app, env in (
            ("bare Flask, parse only", "bench.bare_app:create", {}),
            ("ELA intake: verify, parse, store", "connector.wsgi:create", {"ELA_CONFIG": str(config)}),
        ):
            port = free_port()
            server = start_server(app, port, env, args.processes)
            try:
                load(port, f"warm-{port}", 2)
                results[name] = load(port, f"run-{port}", args.duration)
            finally:
                server.terminate()
                server.wait(timeout=30)

        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT count(*) FROM deliveries").fetchone()[0]

    bare, ours = results.values()
    print(
        f"payload: {payload.name} ({len(body)} bytes); {args.processes} web processes "
        "(waitress, 8 threads) on 127.0.0.1; "
        f"load: {'wrk -t 2' if use_wrk else 'python client'} -c {args.connections}, "
        f"{args.duration:.0f} s per endpoint after 2 s warm-up; {os.cpu_count()} cores shared with the load"
    )
    print(f"{'endpoint':36} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'sock err':>8}")
    for name, r in results.items():
        print(
            f"{name:36} {r['rps']:9.0f} {r['p50_us'] / 1000:8.2f} {r['p99_us'] / 1000:8.2f} "
            f"{r['non2xx']:8d} {r['socket_errors']:8d}"
        )
    print(f"ratio intake / bare: {ours['rps'] / bare['rps']:.2f}")
    total_ok = bare["ok"] and ours["ok"]
    print(
        f"stored deliveries: {rows} (warm-up + run); 2xx answers in the run: {ours['ok']}"
        f"{'' if total_ok else ' (no 2xx answers: check the configuration)'}"
    )


if __name__ == "__main__":
    main()
