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
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text

from bench.e2e_env import children_of, cpu_seconds
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
from bench.ingest_load import run_python_client, run_wrk
from bench.profiles import Recording, py_spy, report

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
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="record one web process with py-spy during each measured load (see bench/profiles.py)",
    )
    add_json_option(parser)
    args = parser.parse_args(argv)
    if args.profile is not None and py_spy() is None:
        parser.error("--profile needs py-spy (pip install py-spy)")
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
                    web = children_of(server.pid)
                    cpu_before = sum(cpu_seconds(pid) for pid in web)
                    client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
                    with recording(args.profile, web, f"{run + 1}-{name}"):
                        result = load(port, f"run-{run}-{port}", args.duration)
                    client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
                    served = max(1, result["requests"])
                    result["web_cpu_ms"] = (sum(cpu_seconds(pid) for pid in web) - cpu_before) * 1000 / served
                    result["client_cpu_ms"] = (
                        (
                            (client_after.ru_utime + client_after.ru_stime)
                            - (client_before.ru_utime + client_before.ru_stime)
                        )
                        * 1000
                        / served
                    )
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


@contextmanager
def recording(directory: Path | None, web: list[int], name: str) -> Iterator[None]:
    """With --profile: py-spy on the first web process while the load runs (bench/profiles.py),
    its hottest functions printed and the recording kept."""
    if directory is None or not web:
        yield
        return
    directory.mkdir(parents=True, exist_ok=True)
    slug = name.replace(" ", "-").replace(",", "")
    started = time.monotonic()
    cpu = cpu_seconds(web[0])
    rec = Recording(web[0], directory / f"ingest-{slug}.raw")
    try:
        yield
    finally:
        written = rec.stop()
        used, wall = cpu_seconds(web[0]) - cpu, time.monotonic() - started
        if written is not None:
            title = f"profile of a web process ({name}): {used:.1f} CPU s in {wall:.0f} s"
            text = report(written, title)
            written.with_suffix(".txt").write_text(text + "\n")
            print(text, file=sys.stderr, flush=True)


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
            note="p99 "
            + " / ".join(f"{r['p99_us'] / 1000:.1f}" for r in results[bare])
            + " ms; "
            + _cpu(results[bare]),
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
                note=_cpu(runs),
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


def _cpu(runs: list[dict]) -> str:
    """CPU per request of the web processes and of the client (wrk shares the cores)."""
    web = " / ".join(f"{r.get('web_cpu_ms', 0):.2f}" for r in runs)
    client = " / ".join(f"{r.get('client_cpu_ms', 0):.2f}" for r in runs)
    return f"CPU per request: web {web} ms, client {client} ms"


if __name__ == "__main__":
    sys.exit(main())
