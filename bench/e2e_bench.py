"""End-to-end benchmark: from a signed Jira comment webhook's 2xx to the Jira simulator receiving the
PUT that carries that comment's result, through real processes on loopback.

    python bench/e2e_bench.py [--quick] [--postgres URL ...] [--json FILE] [--profile DIR]
        [--isolated 100] [--burst-tickets 50 --burst-size 10]
        [--rate 200 --seconds 20 --modes default,unpaced,limited --platform-limit 100]
        [--backlog 100000 --backlog-tickets 10000] [--only isolated,bursts,sustained,backlog]

Each process is its own: the Jira simulator (`python -m simulators.jira`; when a platform limit is
set, it is turned on after `ela setup`, as Jira Cloud limits its REST API), `ela serve --no-worker`
(its web processes, `server.workers` of them) and `ela worker`, on a SQLite file, and again on each
PostgreSQL given with --postgres (its public schema is dropped; the figures name its durability, read
from the server: CI's throwaway one runs with fsync=off). Every setting is the default unless a
scenario says otherwise. The webhooks are built from a real Jira Service Management Cloud payload
kept with the tests (or --payload FILE), each for its own ticket and comment id, signed like Jira's,
posted on a schedule.

Scenarios:
  isolated   one comment per ticket, spaced out: p50/p99 from the 2xx to the PUT (target p99 < 1 s)
  bursts     --burst-size comments on one ticket within a second, on many tickets: platform calls
             per comment (target <= 0.2), and the last comment's 2xx to the ticket's last PUT
  sustained  one comment on each of --rate new tickets a second for --seconds: p50/p99, and the
             backlog when the load stops; per mode: `default` (every setting the default),
             `unpaced` (writeback.requests_per_second 1000, no platform limit), `limited` (the
             simulator takes --platform-limit requests/s, the connector paces at that rate)
             (target: 200 tickets/s with p99 < 2 s, limited only by the platform's limit)
  backlog    --backlog events stored through the store API (parsed from the same payloads), then
             the worker starts: events/s through the pipeline until none is pending; then what one
             event costs: one commit through the store, and the worker's event loop run in this
             process over 1,000 more events, its SQL statements and commits counted
RSS of the web processes and the worker is read from /proc, fresh and after each scenario. Every
delivery answered 2xx is looked up by its key once the worker has processed what was pending:
stored, and its event processed. Figures, not pass/fail; the machine and its load average (before
and after) are printed with them. --profile DIR records the worker and a web process with py-spy
during the sustained and backlog scenarios, and runs the event loop once more under cProfile (ms per
event by function), printing the hottest functions (bench/profiles.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.e2e_backlog import backlog
from bench.e2e_env import Environment
from bench.e2e_load import PAYLOAD, Payloads
from bench.e2e_scenarios import BENCH, MODES, Checks, bursts, isolated, profiling, sustained
from bench.figures import (
    Figure,
    add_json_option,
    machine,
    machine_line,
    postgres_label,
    print_figures,
    show,
    write_json,
)
from bench.profiles import py_spy

SCENARIOS = ("isolated", "bursts", "sustained", "backlog")


def rss_text(rss: dict[str, float | None]) -> str:
    """`web 170/171, worker 179`: each web process, then the worker."""
    web = "/".join(show(v) for k, v in rss.items() if k.startswith("web"))
    worker = f", worker {show(rss['worker'])}" if "worker" in rss else ""
    return f"web {web}{worker}"


def progress(text: str) -> None:
    print(f"  {text}", file=sys.stderr, flush=True)


def run_database(db: str, url: str | None, args: argparse.Namespace, workdir: Path) -> list[Figure]:
    figures: list[Figure] = []
    checks = Checks(db)
    rss: list[str] = []
    payloads = Payloads(args.payload)
    slug = "sqlite" if url is None else f"pg{abs(hash(url)) % 1000}"
    if {"isolated", "bursts"} & args.only:
        with Environment(workdir, f"{slug}-main", url) as env:
            env.start()
            time.sleep(2.0)
            rss.append(f"fresh {rss_text(env.rss())}")
            if "isolated" in args.only:
                progress(f"{db}: isolated comments")
                figures += isolated(env, payloads, args.isolated, args.spacing, db, checks)
            if "bursts" in args.only:
                progress(f"{db}: bursts")
                figures += bursts(env, payloads, args.burst_tickets, args.burst_size, db, checks)
            ran = " and ".join(sorted({"isolated", "bursts"} & args.only))
            rss.append(f"after {ran} {rss_text(env.rss())}")
    if "sustained" in args.only:
        for mode in args.modes:
            limit = args.platform_limit if mode == "limited" else None
            extra = MODES[mode][1].format(limit=args.platform_limit)
            progress(f"{db}: sustained, {mode}")
            with Environment(workdir, f"{slug}-{mode}", url, platform_limit=limit, config_extra=extra) as env:
                env.start()
                time.sleep(2.0)
                with profiling(env, args.profile, f"sustained-{mode}"):
                    figures += sustained(env, payloads, args.rate, args.seconds, db, mode, checks)
                rss.append(f"after sustained {mode} {rss_text(env.rss())}")
    if "backlog" in args.only and args.backlog:
        progress(f"{db}: backlog of {args.backlog:,} events")
        with Environment(workdir, f"{slug}-backlog", url) as env:
            env.start(worker=False)
            figures += backlog(
                env, args.payload, args.backlog, args.backlog_tickets, db, args.profile, checks, rss
            )
    figures.append(Figure(BENCH, f"RSS of the web processes and the worker, MiB ({db})", "; ".join(rss)))
    if checks.found:
        figures.append(checks.figure())
    return figures


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="a short run: smaller counts, 5 s of load, backlog of 5,000"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        action="append",
        default=[],
        help="also run on this PostgreSQL (its schema is dropped); may be given more than once",
    )
    parser.add_argument("--payload", type=Path, default=PAYLOAD, help="a Jira comment webhook JSON file")
    parser.add_argument(
        "--only", default=",".join(SCENARIOS), help=f"scenarios to run, of {','.join(SCENARIOS)}"
    )
    parser.add_argument("--isolated", type=int, help="isolated comments (default 100; quick 30)")
    parser.add_argument("--spacing", type=float, default=0.2, help="seconds between isolated comments")
    parser.add_argument("--burst-tickets", type=int, help="tickets with a burst (default 50; quick 20)")
    parser.add_argument("--burst-size", type=int, default=10, help="comments per burst, within 1 s")
    parser.add_argument("--rate", type=float, default=200.0, help="new tickets per second, sustained")
    parser.add_argument("--seconds", type=float, help="seconds of sustained load (default 20; quick 5)")
    parser.add_argument("--modes", default=",".join(MODES), help="sustained runs, see above")
    parser.add_argument(
        "--platform-limit", type=float, default=100.0, help="the limited mode's requests/s (Jira Cloud-like)"
    )
    parser.add_argument(
        "--backlog", type=int, help="stored events for the worker (default 100000; quick 5000; 0: none)"
    )
    parser.add_argument("--backlog-tickets", type=int, help="tickets they are on (default 10000; quick 500)")
    parser.add_argument(
        "--profile", type=Path, metavar="DIR", help="record worker and web with py-spy into DIR (see above)"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="work in DIR (new or empty) and keep it: each part's log, configuration and SQLite file",
    )
    add_json_option(parser)
    args = parser.parse_args(argv)
    quick = args.quick
    args.isolated = args.isolated or (30 if quick else 100)
    args.burst_tickets = args.burst_tickets or (20 if quick else 50)
    args.seconds = args.seconds or (5.0 if quick else 20.0)
    args.backlog = args.backlog if args.backlog is not None else (5_000 if quick else 100_000)
    args.backlog_tickets = args.backlog_tickets or (500 if quick else 10_000)
    args.only = set(args.only.split(","))
    unknown = args.only - set(SCENARIOS)
    if unknown:
        parser.error(f"--only: no scenario {', '.join(sorted(unknown))}")
    args.modes = [m for m in args.modes.split(",") if m]
    if set(args.modes) - set(MODES):
        parser.error(f"--modes: choose from {', '.join(MODES)}")
    if args.keep is not None and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep: {args.keep} is not empty (its files would mix with this run's)")
    if args.profile is not None and py_spy() is None:
        parser.error("--profile needs py-spy (pip install py-spy)")
    try:
        Payloads(args.payload)
    except (OSError, ValueError) as exc:
        parser.error(f"--payload: {exc}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    before = machine(args.postgres[0] if args.postgres else None)
    print(machine_line(before), flush=True)
    databases: list[tuple[str, str | None]] = [("SQLite", None)]
    databases += [(postgres_label(url), url) for url in args.postgres]
    figures: list[Figure] = []
    with ExitStack() as stack:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            tmp = str(args.keep)
        else:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="ela-e2e-bench-"))
        for db, url in databases:
            try:
                figures += run_database(db, url, args, Path(tmp))
            except Exception:
                for log in sorted(Path(tmp).glob("*.log")):
                    print(f"--- {log.name} (last lines)", file=sys.stderr)
                    print("\n".join(log.read_text(errors="replace").splitlines()[-20:]), file=sys.stderr)
                raise
    after = machine()
    print_figures(figures)
    print(f"load average after: {'/'.join(f'{x:.2f}' for x in after['load'])}")
    write_json(args.json_path, BENCH, figures, before, after=after)
    return 0


if __name__ == "__main__":
    sys.exit(main())
