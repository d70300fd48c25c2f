"""Survey dispatch benchmark: 10,000 due surveys sent as public comments to a Jira limited to 100
requests a second, as Jira Cloud limits its REST API.

    python bench/survey_bench.py [--surveys 10000] [--limit 100] [--baseline 1000] [--postgres URL]

The Jira simulator runs on loopback with a token-bucket rate limit (429 + Retry-After past it). The
connector's store (SQLite in a temporary file, or PostgreSQL with --postgres: its schema is dropped)
gets one resolved ticket per survey, processed through the pipeline, so each has a survey send due
now. Then the clock starts: a worker fires the due sends (each queues its comment in the outbox)
while its flusher sends the outbox, paced at the site's rate (`writeback.requests_per_second`, set
to the limit), until every comment has landed. Reported: surveys per second, the request rate as a
share of the limit, and the 429s taken. The baseline, in the same run, dispatches `--baseline`
surveys without pacing (bursting, then waiting out each 429's Retry-After), so the ratio shows what
pacing buys. Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text

from adapters.events import EventKind, Person, StatusCategory, Ticket, TicketEvent, Transition
from connector.due_work import DueWorkRunner
from connector.outbox import Flusher
from connector.runtime import Runtime
from connector.settings import parse_settings
from connector.store import Store
from connector.store import events as event_store
from connector.store.models import OutboxAction, SurveySend, utcnow
from simulators.jira.simulator import JiraSimulator

CONFIG = """
database: {{url: "{url}"}}
logging: {{level: ERROR}}
worker: {{batch_size: 200, lease_seconds: 300}}
writeback: {{requests_per_second: {rate}, lease_seconds: 300, backoff_initial_seconds: 0.5}}
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
    seconds: float
    comments: int
    refused: int

    @property
    def per_second(self) -> float:
        return self.surveys / self.seconds

    def share(self, limit: float) -> float:
        return self.comments / self.seconds / limit


def _fresh_postgres(url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def resolved(key: str, n: int) -> TicketEvent:
    casey = Person(id=f"casey-{n % 500}", name="Casey Customer", email=f"casey{n % 500}@customer.example")
    ticket = Ticket(
        key=key,
        project="SUP",
        summary=f"Request {n}",
        status="Resolved",
        status_category=StatusCategory.done,
        requester=casey,
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


def run(
    label: str, surveys: int, limit: float, rate: float, url: str | None, workdir: Path, threads: int
) -> Result:
    sim = JiraSimulator(None, rate_limit=limit, rate_burst=max(1.0, limit / 10))
    sim.start()
    bucket = sim.site.rate_limit
    assert bucket is not None
    try:
        keys = []
        for n in range(surveys):
            keys.append(sim.create_issue("SUP", f"Request {n}", reporter=CUSTOMER))
        if url is None:
            db = f"sqlite:///{workdir / (label + '.db')}"
        else:
            _fresh_postgres(url)
            db = url
        settings = parse_settings(CONFIG.format(url=db, rate=rate, jira=sim.base_url), env={})
        store = Store(db)
        if not store.is_sqlite:
            store.upgrade()
        runtime = Runtime(settings, store=store)
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
        runtime.processor.drain(max_rounds=10_000)
        with store.session() as session:
            scheduled = session.scalar(
                select(func.count()).select_from(SurveySend).where(SurveySend.state == "scheduled")
            )
        assert scheduled == surveys, f"{scheduled} sends scheduled of {surveys}"
        sim.clear_records()
        refused_before = bucket.refused

        # Several flushers and due runners, as several worker processes would be: the flushers share
        # one pacer, as N processes would each take 1/N of the site's rate.
        flushers = [runtime.flusher]
        for n in range(1, threads):
            extra = Flusher(store, settings.writeback, runtime.writers, f"{runtime.worker_id}-f{n}")
            extra.pacer = runtime.flusher.pacer
            flushers.append(extra)
        runners = [runtime.due]
        for n in range(1, max(1, threads // 2)):
            runner = DueWorkRunner(store, settings, f"{runtime.worker_id}-d{n}")
            runner.handlers = dict(runtime.due.handlers)
            runners.append(runner)
        stop = threading.Event()
        done = threading.Event()

        def fire_due(runner: DueWorkRunner) -> None:
            while not stop.is_set():
                if runner.run_once(limit=50).fired == 0:
                    time.sleep(0.01)

        def flush(flusher: Flusher) -> None:
            while not stop.is_set():
                if flusher.flush_once(limit=20).handled == 0:
                    time.sleep(0.01)

        def watch() -> None:
            while not stop.is_set():
                with store.session() as session:
                    landed = session.scalar(
                        select(func.count()).select_from(OutboxAction).where(OutboxAction.state == "done")
                    )
                if landed == surveys:
                    done.set()
                    return
                time.sleep(0.05)

        started = time.perf_counter()
        workers = [threading.Thread(target=fire_due, args=(r,), daemon=True) for r in runners]
        workers += [threading.Thread(target=flush, args=(f,), daemon=True) for f in flushers]
        workers.append(threading.Thread(target=watch, daemon=True))
        for worker in workers:
            worker.start()
        done.wait(surveys / min(limit, rate) * 3 + 60)
        seconds = time.perf_counter() - started
        stop.set()
        for worker in workers:
            worker.join()
        comments = sum(
            1 for r in sim.requests if r.method == "POST" and r.path.endswith("/comment") and r.status == 201
        )
        runtime.close()
        return Result(label, surveys, seconds, comments, bucket.refused - refused_before)
    finally:
        sim.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--surveys", type=int, default=10_000)
    parser.add_argument("--limit", type=float, default=100.0, help="the simulated Jira's requests/s")
    parser.add_argument(
        "--baseline", type=int, default=1_000, help="surveys of the unpaced baseline (0: none)"
    )
    parser.add_argument("--threads", type=int, default=4, help="flushers (and half as many due runners)")
    parser.add_argument(
        "--postgres", default=os.environ.get("ELA_TEST_POSTGRES_URL"), help="also on PostgreSQL"
    )
    args = parser.parse_args()
    backends: list[tuple[str, str | None]] = [("SQLite", None)]
    if args.postgres:
        backends.append(("PostgreSQL", args.postgres))
    with tempfile.TemporaryDirectory(prefix="ela-survey-bench-") as tmp:
        for name, url in backends:
            results = []
            if args.baseline:
                results.append(
                    run(f"{name} unpaced", args.baseline, args.limit, 100_000.0, url, Path(tmp), args.threads)
                )
            results.append(
                run(f"{name} paced", args.surveys, args.limit, args.limit, url, Path(tmp), args.threads)
            )
            for result in results:
                print(
                    f"{result.label:22} {result.surveys:6} surveys in {result.seconds:6.1f} s: "
                    f"{result.per_second:6.1f} surveys/s, {result.share(args.limit):5.1%} of the "
                    f"{args.limit:g} requests/s limit, {result.refused} answered 429",
                    flush=True,
                )
            if len(results) == 2:
                ratio = results[1].per_second / results[0].per_second
                print(f"{name}: paced / unpaced surveys per second = {ratio:.2f}")


if __name__ == "__main__":
    main()
