"""ELA benchmark: what the ELA step adds to each event, and how fast due ELA timers fire.

    python bench/ela_bench.py [--tickets 200] [--messages 5] [--rounds 3] [--json FILE]

The same stream of TicketEvents (customer comments, public agent replies, resolutions over `tickets`
tickets) goes through the pipeline twice, in the same process, each time on a fresh SQLite file: once
with no ELA policy (the baseline) and once with all five kinds of policy, one on a business-hours
calendar. Then every ticket gets a negative message and a worker fires all their at-risk and breach
timers (each one with its escalation: labels, an internal comment, a priority, a webhook action).
Figures, not pass/fail: events per second each way, their ratio, and timers fired per second.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.events import AuthorRole, Comment, EventKind, Person, StatusCategory, Ticket, TicketEvent
from bench.figures import Figure, add_json_option, machine, write_json
from connector.due_work import DueWorkRunner
from connector.ela.evaluate import TIMER_KIND
from connector.ela.timers import TimerHandler
from connector.pipeline import Pipeline
from connector.settings import Settings, parse_settings
from connector.store import Store
from sentiment.engines import get_engine

SITE = """
sites:
  bench:
    platform: jira
    url: https://bench.atlassian.net
    auth: {email: bot@example.com, api_token: bench-token-0123456789}
    webhook: {secret: bench-secret-0123456789}
    fields: {mood: Customer mood, ela_status: ELA status, ela_reason: ELA reason, ela_due: ELA due,
             sla_ela: SLA and ELA}
"""
POLICIES = """
ela:
  calendars:
    emea: {time_zone: Europe/Berlin, hours: {mon-fri: "09:00-17:00"}, holidays: [2026-12-25]}
  webhooks:
    ops: {url: "https://hooks.example/services/T/B/X", format: slack}
  policies:
    reply:
      kind: respond_to_negative
      within: 4h
      escalate:
        at_risk: {labels: [ela-at-risk], comment: true, priority: High, webhooks: [ops]}
        breached: {labels: [ela-breached], comment: true, priority: Highest}
    business:
      kind: respond_to_negative
      within: 8h
      calendar: emea
    chasing: {kind: chasing, messages: 3}
    recover: {kind: recover_by_resolution, target: neutral}
    steady: {kind: no_decline, margin: 0.5}
"""
WORDS = [
    "This is still broken and nobody answers. Completely unacceptable!",
    "I restarted it and tried again, same error.",
    "Any update? I cannot work like this.",
    "Thanks, that works now. Great help!",
    "It dropped again this morning.",
]
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
CUSTOMER = Person(id="cust", name="Casey", account_type="customer")
AGENT = Person(id="agent", name="Alex", account_type="atlassian")


def stream(tickets: int, messages: int) -> list[TicketEvent]:
    events: list[TicketEvent] = []
    serial = 0
    for n in range(tickets):
        key = f"SD-{n + 1}"
        for m in range(messages):
            serial += 1
            at = T0 + timedelta(minutes=serial)
            agent = m % 2 == 1
            events.append(
                TicketEvent(
                    platform="jira",
                    site="bench",
                    event_id=f"e{serial}",
                    kind=EventKind.commented,
                    ticket=Ticket(key=key, project="SD", priority="Medium"),
                    comment=Comment(
                        id=str(serial),
                        author=AGENT if agent else CUSTOMER,
                        author_role=AuthorRole.agent if agent else AuthorRole.customer,
                        text="Looking into it." if agent else WORDS[(n + m) % len(WORDS)],
                        public=True,
                        created_at=at,
                    ),
                    occurred_at=at,
                )
            )
        serial += 1
        done = T0 + timedelta(minutes=serial)
        events.append(
            TicketEvent(
                platform="jira",
                site="bench",
                event_id=f"e{serial}",
                kind=EventKind.transitioned,
                ticket=Ticket(key=key, project="SD", status="Resolved", status_category=StatusCategory.done),
                occurred_at=done,
            )
        )
    return events


def settings_for(directory: Path, with_ela: bool) -> Settings:
    text = f'database: {{url: "sqlite:///{directory / "ela.db"}"}}\nlogging: {{level: ERROR}}\n'
    return parse_settings(text + (POLICIES if with_ela else "") + SITE, env={})


def events_per_second(settings: Settings, events: list[TicketEvent]) -> float:
    store = Store(settings.database.url)
    store.upgrade()
    pipeline = Pipeline(settings, get_engine("textblob"))
    started = time.perf_counter()
    for event in events:
        with store.session() as session:
            pipeline.process(session, event)
    elapsed = time.perf_counter() - started
    store.dispose()
    return len(events) / elapsed


def timers_per_second(settings: Settings, tickets: int) -> tuple[int, float]:
    store = Store(settings.database.url)
    store.upgrade()
    pipeline = Pipeline(settings, get_engine("textblob"))
    for event in stream(tickets, 1):
        if event.kind is EventKind.commented:
            with store.session() as session:
                pipeline.process(session, event)
    runner = DueWorkRunner(store, settings, "bench", clock=lambda: T0 + timedelta(days=30))
    runner.register(TIMER_KIND, TimerHandler(settings, pipeline.ela))
    fired = 0
    started = time.perf_counter()
    while True:
        report = runner.run_once()
        if not report.fired:
            break
        fired += report.fired
    elapsed = time.perf_counter() - started
    store.dispose()
    return fired, fired / elapsed if elapsed else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=200, help="tickets in the stream")
    parser.add_argument("--messages", type=int, default=5, help="comments per ticket, then its resolution")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each run; the median is shown")
    add_json_option(parser)
    args = parser.parse_args(argv)
    before = machine()
    events = stream(args.tickets, args.messages)
    plain, ela = [], []
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
            plain.append(events_per_second(settings_for(Path(first), False), events))
            ela.append(events_per_second(settings_for(Path(second), True), events))
    base, with_ela = statistics.median(plain), statistics.median(ela)
    print(f"{len(events)} events on {args.tickets} tickets, SQLite, median of {args.rounds} rounds")
    print(f"  pipeline without ELA policies: {base:,.0f} events/s")
    ratio = with_ela / base
    print(f"  pipeline with five policies:   {with_ela:,.0f} events/s ({ratio:.2f} of the baseline)")
    with tempfile.TemporaryDirectory() as directory:
        fired, rate = timers_per_second(settings_for(Path(directory), True), args.tickets)
    print(f"  {fired} due ELA timers (with their escalations) fired at {rate:,.0f} timers/s")
    what = f"{len(events):,} events on {args.tickets} tickets in one process, SQLite, median of {args.rounds}"
    figures = [
        Figure(
            "ela", f"pipeline without ELA policies ({what})", base, "events/s", baseline="1 (the baseline)"
        ),
        Figure(
            "ela",
            f"pipeline with five ELA policies ({what})",
            with_ela,
            "events/s",
            baseline=f"{ratio:.2f} of no policies",
        ),
        Figure("ela", f"due ELA timers fired, with their escalations ({fired:,})", rate, "timers/s"),
    ]
    write_json(args.json_path, "ela", figures, before)
    return 0


if __name__ == "__main__":
    sys.exit(main())
