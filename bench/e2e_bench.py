"""End-to-end benchmark: from a signed Jira comment webhook's 2xx to the Jira simulator receiving the
PUT that carries that comment's result, through real processes on loopback.

    python bench/e2e_bench.py [--quick] [--postgres URL] [--json FILE]
        [--isolated 100] [--burst-tickets 50 --burst-size 10]
        [--rate 200 --seconds 20 --modes default,unpaced,limited --platform-limit 100]
        [--backlog 100000 --backlog-tickets 10000] [--only isolated,bursts,sustained,backlog]

Each process is its own: the Jira simulator (`python -m simulators.jira`, with `--rate-limit` when a
platform limit is set, as Jira Cloud limits its REST API), `ela serve --no-worker` (its web processes,
`server.workers` of them) and `ela worker`, on a SQLite file, and again on PostgreSQL with --postgres
(its public schema is dropped). Every setting is the default unless a scenario says otherwise. The
webhooks are built from a real Jira Service Management Cloud payload kept with the tests (or
--payload FILE), each for its own ticket and comment id, signed like Jira's, posted on a schedule.

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
             the worker starts: events/s through the pipeline until none is pending
RSS of the web processes and the worker is read from /proc, fresh and after the load. Every delivery
answered 2xx is then looked up by its key: stored, and its event processed. Figures, not pass/fail; the
machine and its load average (before and after) are printed with them.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.e2e_env import SECRET, SITE, Environment, rss_mib
from bench.e2e_load import TEXTS, Ack, Delivery, Payloads, Watcher, post_schedule
from bench.figures import Figure, add_json_option, machine, machine_line, percentile, show, write_json

BENCH = "e2e"
MODES = {
    "default": ("every setting the default", None, ""),
    "unpaced": (
        "requests_per_second 1000, no platform limit",
        None,
        "writeback: {requests_per_second: 1000}",
    ),
    "limited": ("platform limit {limit:g}/s, requests_per_second {limit:g}", "limit", "limit"),
}


def latencies(acks: Sequence[Ack], landed: dict[str, list[float]]) -> list[float]:
    """Per acknowledged comment (one per ticket): seconds from its 2xx to the first write of its
    ticket that arrived after the comment was sent; infinite when none arrived."""
    found = []
    for ack in acks:
        if not ack.ok:
            continue
        after = [at for at in landed.get(ack.ticket, []) if at >= ack.sent]
        found.append(after[0] - ack.answered if after else math.inf)
    return found


def wait_landed(watcher: Watcher, tickets: set[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        watcher.poll()
        if tickets <= set(watcher.landed()):
            return
        time.sleep(0.2)


def acked_check(env: Environment, what: str, acks: Sequence[Ack]) -> list[Figure]:
    """Every 2xx looked up by its own delivery key: stored, and its event processed."""
    check = env.check_acknowledged(a.key for a in acks if a.ok)
    refused = sum(1 for a in acks if not a.ok)
    note = f"{refused} not answered 2xx" if refused else ""
    if check["missing"] or check["unprocessed"]:
        note += f"; missing {check['missing']}, unprocessed {check['unprocessed']}"
    value = f"{check['stored']:,} / {check['processed']:,} of {check['acknowledged']:,}"
    return [Figure(BENCH, f"{what}: 2xx deliveries stored / processed", value, note=note.strip("; "))]


def isolated(env: Environment, payloads: Payloads, count: int, spacing: float, db: str) -> list[Figure]:
    tickets = env.create_issues(count)
    schedule = [
        Delivery(f"iso-{n}-{key}", key, n * spacing, payloads.comment(key, issue_id, TEXTS[n % len(TEXTS)]))
        for n, (key, issue_id) in enumerate(tickets)
    ]
    watcher = Watcher(env.jira)
    watcher.start()
    acks, _ = post_schedule(env.webhook_url, SECRET, schedule, connections=4)
    wait_landed(watcher, {a.ticket for a in acks if a.ok}, 15)
    env.wait_idle(30)
    watcher.stop()
    found = latencies(acks, watcher.landed())
    what = f"isolated comments ({count}, one every {spacing:g} s, {db})"
    return [
        Figure(BENCH, f"{what}: p50 2xx to PUT", percentile(found, 50), "s"),
        Figure(BENCH, f"{what}: p99 2xx to PUT", percentile(found, 99), "s", "< 1 s"),
        *acked_check(env, what, acks),
    ]


def bursts(env: Environment, payloads: Payloads, tickets_n: int, size: int, db: str) -> list[Figure]:
    tickets = env.create_issues(tickets_n)
    schedule = [
        Delivery(
            f"burst-{t}-{c}-{key}",
            key,
            t * 0.2 + c * (1.0 / size),
            payloads.comment(key, issue_id, TEXTS[(t + c) % len(TEXTS)]),
        )
        for t, (key, issue_id) in enumerate(tickets)
        for c in range(size)
    ]
    env.clear_requests()
    watcher = Watcher(env.jira)
    watcher.start()
    acks, _ = post_schedule(env.webhook_url, SECRET, schedule, connections=8)
    env.wait_idle(120)
    time.sleep(1.0)  # a write marked sent has arrived; let the log catch up with it
    calls = watcher.stop()
    ok = [a for a in acks if a.ok]
    puts = [c for c in calls if c.method == "PUT" and c.issue is not None]
    last_ack = {}
    for ack in ok:
        last_ack[ack.ticket] = max(last_ack.get(ack.ticket, 0.0), ack.answered)
    final = []
    for key, answered in last_ack.items():
        writes = [c.at for c in puts if c.issue == key]
        final.append(max(writes) - answered if writes and max(writes) >= answered - 1 else math.inf)
    kinds: dict[str, int] = {}
    for call in calls:
        kinds[call.label] = kinds.get(call.label, 0) + 1
    what = f"bursts ({tickets_n} tickets x {size} comments within 1 s, {db})"
    per_event = len(calls) / len(ok) if ok else None
    return [
        Figure(
            BENCH,
            f"{what}: platform calls per comment",
            per_event,
            target="<= 0.2",
            note=", ".join(f"{n} {k}" for k, n in sorted(kinds.items())),
        ),
        Figure(BENCH, f"{what}: p50 last comment's 2xx to the last PUT", percentile(final, 50), "s"),
        Figure(BENCH, f"{what}: p99 last comment's 2xx to the last PUT", percentile(final, 99), "s"),
        *acked_check(env, what, acks),
    ]


def sustained(
    env: Environment, payloads: Payloads, rate: float, seconds: float, db: str, mode: str
) -> list[Figure]:
    count = int(rate * seconds)
    tickets = env.create_issues(count)
    schedule = [
        Delivery(f"sus-{n}-{key}", key, n / rate, payloads.comment(key, issue_id, TEXTS[n % len(TEXTS)]))
        for n, (key, issue_id) in enumerate(tickets)
    ]
    env.clear_requests()
    watcher = Watcher(env.jira)
    watcher.start()
    cpu_before = env.cpu()
    acks, started = post_schedule(env.webhook_url, SECRET, schedule, connections=16)
    ended = time.time()
    watcher.poll()
    landed_at_end = {k for k, times in watcher.landed().items() if times and times[0] <= ended}
    ok = [a for a in acks if a.ok]
    behind = len({a.ticket for a in ok} - landed_at_end)
    pending, open_actions = env.open_work()
    grace = max(15.0, min(60.0, seconds * 2))
    wait_landed(watcher, {a.ticket for a in ok}, grace)
    calls = watcher.stop()
    cpu = {role: used - cpu_before[role] for role, used in env.cpu().items()}
    found = latencies(ok, watcher.landed())
    firsts = sorted(times[0] for times in watcher.landed().values() if times)
    landed_rate = (len(firsts) - 1) / (firsts[-1] - firsts[0]) if len(firsts) > 1 else None
    offered = len(acks) / (max(a.sent for a in acks) - started) if acks else None
    refused = sum(1 for c in calls if c.status == 429)
    never = sum(1 for x in found if math.isinf(x))
    keeps_up = never == 0 and behind <= rate * 2
    what = f"sustained {rate:g} tickets/s for {seconds:g} s, {MODES[mode][0]} ({db})".format(
        limit=env.platform_limit or 0
    )
    late = sorted(a.late for a in acks)
    return [
        Figure(
            BENCH,
            f"{what}: webhooks offered / landed per second",
            f"{show(offered)} / {show(landed_rate)}",
            note=f"client p99 lateness {show(percentile(late, 99), 's')}",
        ),
        Figure(BENCH, f"{what}: p50 2xx to PUT", percentile(found, 50), "s"),
        Figure(
            BENCH,
            f"{what}: p99 2xx to PUT",
            percentile(found, 99),
            "s",
            "< 2 s",
            note=f"{never} not landed {grace:.0f} s after the load" if never else "",
        ),
        Figure(
            BENCH,
            f"{what}: keeps up (backlog when the load stopped)",
            "yes" if keeps_up else "no",
            target="yes",
            note=f"{behind} tickets not yet written, {pending} events pending, {open_actions} actions open"
            + (f"; {refused} answered 429" if refused else ""),
        ),
        Figure(
            BENCH,
            f"{what}: CPU per ticket, web / worker / simulator",
            " / ".join(f"{cpu[role] * 1000 / max(1, len(ok)):.1f}" for role in ("web", "worker", "simulator"))
            + " ms",
        ),
        *acked_check(env, what, acks),
    ]


def backlog(env: Environment, payload: Path, events: int, tickets_n: int, db: str) -> list[Figure]:
    """`events` comments on `tickets_n` tickets stored before any worker runs, as the intake stores
    them (each payload parsed by the Jira adapter, one delivery each); then one worker drains them."""
    from sqlalchemy import func, select

    from adapters.base import Headers, InboundRequest
    from connector.platforms import platform_for
    from connector.settings import load_settings
    from connector.store import Store
    from connector.store.events import store_delivery
    from connector.store.models import EventRow

    tickets = env.create_issues(tickets_n)
    settings = load_settings(env.config)
    adapter = platform_for("jira").adapter
    rules = settings.sites[SITE].customers.rules()
    payloads = Payloads(payload)
    store = Store(env.url)
    keys: list[str] = []
    loading = time.perf_counter()
    for start in range(0, events, 1000):
        with store.session() as session:
            for n in range(start, min(events, start + 1000)):
                key, issue_id = tickets[n % tickets_n]
                body = payloads.comment(key, issue_id, TEXTS[n % len(TEXTS)])
                headers = Headers({"X-Atlassian-Webhook-Identifier": f"backlog-{n}"})
                parsed = adapter.parse(InboundRequest(headers=headers, body=body), SITE, rules)
                store_delivery(
                    session,
                    platform="jira",
                    site=SITE,
                    delivery_key=parsed.delivery_key,
                    webhook_event=parsed.webhook_event,
                    body=body,
                    events=parsed.events,
                )
                keys.append(parsed.delivery_key)
    store.dispose()
    loaded = time.perf_counter() - loading
    print(f"  {db}: {events:,} events stored in {loaded:.0f} s; starting the worker", file=sys.stderr)

    env.clear_requests()
    env.start_worker()
    assert env.worker is not None
    started = time.monotonic()
    time.sleep(1.0)
    fresh = rss_mib(env.worker.pid)
    peak = fresh or 0.0
    deadline = started + max(600.0, events / 20)
    pending = events
    while time.monotonic() < deadline:
        pending, _ = env.open_work()
        peak = max(peak, rss_mib(env.worker.pid) or 0.0)
        if pending == 0:
            break
        time.sleep(0.5)
    wall = time.monotonic() - started
    after = rss_mib(env.worker.pid)
    worker_cpu = env.cpu()["worker"]
    with env.engine.connect() as conn:
        first, last = conn.execute(
            select(func.min(EventRow.processed_at), func.max(EventRow.processed_at))
        ).one()
    done = env.scalar("SELECT count(*) FROM events WHERE state = 'done'")
    failed = env.scalar("SELECT count(*) FROM events WHERE state = 'failed'")
    sent = env.scalar("SELECT count(*) FROM outbox WHERE state = 'done'")
    _, open_actions = env.open_work()
    span = (last - first).total_seconds() if first is not None and last is not None else 0.0
    what = f"backlog of {events:,} events on {tickets_n:,} tickets, one worker ({db})"
    check = env.check_acknowledged(keys)
    return [
        Figure(
            BENCH,
            f"{what}: events/s through the pipeline",
            done / span if span else None,
            "events/s",
            note=f"{done:,} done, {failed} failed, {pending:,} pending; {wall:.0f} s from the worker's start",
        ),
        Figure(BENCH, f"{what}: worker CPU per event", worker_cpu * 1000 / max(1, done), "ms"),
        Figure(
            BENCH,
            f"{what}: write-backs meanwhile",
            f"{sent:,} sent, {open_actions:,} waiting",
            note="at writeback.requests_per_second (default 10/s)",
        ),
        Figure(
            BENCH,
            f"{what}: worker RSS fresh / peak / after",
            f"{show(fresh)} / {show(peak)} / {show(after)} MiB",
        ),
        Figure(
            BENCH,
            f"{what}: stored deliveries processed",
            f"{check['processed']:,} of {check['acknowledged']:,}",
            note=f"unprocessed {check['unprocessed']}" if check["unprocessed"] else "",
        ),
    ]


def rss_text(rss: dict[str, float | None]) -> str:
    return ", ".join(f"{name} {show(value)}" for name, value in rss.items()) + " MiB"


def run_database(db: str, url: str | None, args: argparse.Namespace, workdir: Path) -> list[Figure]:
    figures: list[Figure] = []
    payloads = Payloads(args.payload)
    slug = db.lower()
    if {"isolated", "bursts"} & args.only:
        with Environment(workdir, f"{slug}-main", url) as env:
            env.start()
            time.sleep(2.0)
            fresh = env.rss()
            if "isolated" in args.only:
                print(f"  {db}: isolated comments", file=sys.stderr, flush=True)
                figures += isolated(env, payloads, args.isolated, args.spacing, db)
            if "bursts" in args.only:
                print(f"  {db}: bursts", file=sys.stderr, flush=True)
                figures += bursts(env, payloads, args.burst_tickets, args.burst_size, db)
            figures.append(
                Figure(
                    BENCH,
                    f"RSS fresh -> after isolated and bursts ({db})",
                    f"{rss_text(fresh)} -> {rss_text(env.rss())}",
                )
            )
    if "sustained" in args.only:
        for mode in args.modes:
            limit = args.platform_limit if mode == "limited" else None
            extra = MODES[mode][2]
            if extra == "limit":
                extra = f"writeback: {{requests_per_second: {args.platform_limit:g}}}"
            print(f"  {db}: sustained, {mode}", file=sys.stderr, flush=True)
            with Environment(workdir, f"{slug}-{mode}", url, platform_limit=limit, config_extra=extra) as env:
                env.start()
                time.sleep(2.0)
                fresh = env.rss()
                figures += sustained(env, payloads, args.rate, args.seconds, db, mode)
                figures.append(
                    Figure(
                        BENCH,
                        f"RSS fresh -> after sustained, {mode} ({db})",
                        f"{rss_text(fresh)} -> {rss_text(env.rss())}",
                    )
                )
    if "backlog" in args.only and args.backlog:
        print(f"  {db}: backlog", file=sys.stderr, flush=True)
        with Environment(workdir, f"{slug}-backlog", url) as env:
            env.start(worker=False)
            figures += backlog(env, args.payload, args.backlog, args.backlog_tickets, db)
    return figures


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short run: smaller counts, 5 s of load")
    parser.add_argument(
        "--postgres", metavar="URL", help="also run on this PostgreSQL (its schema is dropped)"
    )
    parser.add_argument("--payload", type=Path, default=None, help="a Jira comment webhook JSON file")
    parser.add_argument("--only", default="isolated,bursts,sustained,backlog", help="scenarios to run")
    parser.add_argument("--isolated", type=int, help="isolated comments (default 100; quick 30)")
    parser.add_argument("--spacing", type=float, default=0.2, help="seconds between isolated comments")
    parser.add_argument("--burst-tickets", type=int, help="tickets with a burst (default 50; quick 20)")
    parser.add_argument("--burst-size", type=int, default=10, help="comments per burst, within 1 s")
    parser.add_argument("--rate", type=float, default=200.0, help="new tickets per second, sustained")
    parser.add_argument("--seconds", type=float, help="seconds of sustained load (default 20; quick 5)")
    parser.add_argument("--modes", default="default,unpaced,limited", help="sustained runs, see above")
    parser.add_argument(
        "--platform-limit", type=float, default=100.0, help="the limited mode's requests/s (Jira Cloud-like)"
    )
    parser.add_argument(
        "--backlog", type=int, help="stored events for the worker (default 100000; quick 5000)"
    )
    parser.add_argument("--backlog-tickets", type=int, help="tickets they are on (default 10000; quick 500)")
    add_json_option(parser)
    args = parser.parse_args(argv)
    quick = args.quick
    args.isolated = args.isolated or (30 if quick else 100)
    args.burst_tickets = args.burst_tickets or (20 if quick else 50)
    args.seconds = args.seconds or (5.0 if quick else 20.0)
    args.backlog = args.backlog if args.backlog is not None else (5_000 if quick else 100_000)
    args.backlog_tickets = args.backlog_tickets or (500 if quick else 10_000)
    args.only = set(args.only.split(","))
    unknown = args.only - {"isolated", "bursts", "sustained", "backlog"}
    if unknown:
        parser.error(f"--only: no scenario {', '.join(sorted(unknown))}")
    args.modes = [m for m in args.modes.split(",") if m]
    if set(args.modes) - set(MODES):
        parser.error(f"--modes: choose from {', '.join(MODES)}")
    if args.payload is None:
        from bench.e2e_load import PAYLOAD

        args.payload = PAYLOAD
    try:
        Payloads(args.payload)
    except (OSError, ValueError) as exc:
        parser.error(f"--payload: {exc}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    before = machine(args.postgres)
    print(machine_line(before), flush=True)
    databases: list[tuple[str, str | None]] = [("SQLite", None)]
    if args.postgres:
        databases.append(("PostgreSQL", args.postgres))
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="ela-e2e-bench-") as tmp:
        for db, url in databases:
            try:
                figures += run_database(db, url, args, Path(tmp))
            except Exception:
                for log in sorted(Path(tmp).glob("*.log")):
                    print(f"--- {log.name} (last lines)", file=sys.stderr)
                    print("\n".join(log.read_text(errors="replace").splitlines()[-20:]), file=sys.stderr)
                raise
    after = machine()
    width = max(len(f.what) for f in figures) if figures else 10
    for f in figures:
        target = f"  (target {f.target})" if f.target else ""
        note = f"  [{f.note}]" if f.note else ""
        print(f"{f.what:<{width}}  {f.shown}{target}{note}")
    print(f"load average after: {'/'.join(f'{x:.2f}' for x in after['load'])}")
    write_json(args.json_path, BENCH, figures, before, after=after)
    return 0


if __name__ == "__main__":
    sys.exit(main())
