"""What `ela status` reports: queue depths, failures and recent events, read from the database."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url

from connector.store import Store, due, polls
from connector.store import events as event_store
from connector.store import outbox as outbox_store
from connector.store.models import EventRow, SitePause, utcnow


@dataclass
class StatusReport:
    database: str
    events: dict[str, int]
    writebacks: dict[str, int]  # the outbox's `fields` actions
    outbox: dict[str, dict[str, int]]  # every outbox action, by kind, then by state
    writeback_retries: int
    due_work: dict[str, int]
    due_pending_by_kind: dict[str, int]
    oldest_pending_seconds: float | None
    polls: list[dict[str, Any]] = field(default_factory=list)  # pull mode, per polled site
    paused_sites: list[dict[str, Any]] = field(default_factory=list)
    failed_writebacks: list[dict[str, Any]] = field(default_factory=list)
    failed_due_work: list[dict[str, Any]] = field(default_factory=list)
    failed_events: list[dict[str, Any]] = field(default_factory=list)
    recent_events: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def gather(store: Store, recent: int = 10) -> StatusReport:
    now = utcnow()
    with store.session() as session:
        oldest = event_store.oldest_pending(session)
        report = StatusReport(
            database=make_url(store.url).render_as_string(hide_password=True),
            events=event_store.counts_by_state(session),
            writebacks=outbox_store.counts_by_state(session, "fields"),
            outbox=outbox_store.counts_by_kind(session),
            writeback_retries=outbox_store.retries_total(session),
            due_work=due.counts_by_state(session),
            due_pending_by_kind=due.pending_by_kind(session),
            oldest_pending_seconds=(now - oldest).total_seconds() if oldest else None,
        )
        report.polls = polls.summary(session)
        for pause in session.scalars(select(SitePause).where(SitePause.until > now)):
            report.paused_sites.append(
                {"site": pause.site, "until": _iso(pause.until), "reason": pause.reason}
            )
        for row in outbox_store.recent_failures(session, recent):
            report.failed_writebacks.append(
                {
                    "site": row.site,
                    "ticket": row.ticket_key,
                    "action": row.kind,
                    "at": _iso(row.updated_at),
                    "attempts": row.attempts,
                    "error": row.last_error,
                }
            )
        for item in due.recent_failures(session, recent):
            report.failed_due_work.append(
                {
                    "kind": item.kind,
                    "key": item.key,
                    "at": _iso(item.settled_at),
                    "attempts": item.attempts,
                    "error": item.last_error,
                }
            )
        failed = select(EventRow).where(EventRow.state == "failed").order_by(EventRow.id.desc()).limit(recent)
        for event in session.scalars(failed):
            report.failed_events.append(
                {
                    "site": event.site,
                    "ticket": event.ticket_key,
                    "kind": event.kind,
                    "error": event.last_error,
                }
            )
        for event in session.scalars(select(EventRow).order_by(EventRow.id.desc()).limit(recent)):
            report.recent_events.append(
                {
                    "received": _iso(event.received_at),
                    "site": event.site,
                    "ticket": event.ticket_key,
                    "kind": event.kind,
                    "state": event.state,
                }
            )
    return report


def render(report: StatusReport) -> str:
    def counts(values: dict[str, int], order: tuple[str, ...]) -> str:
        return "   ".join(f"{name.replace('_', ' ')} {values.get(name, 0)}" for name in order)

    lag = f"{report.oldest_pending_seconds:.1f}s" if report.oldest_pending_seconds is not None else "-"
    lines = [
        f"database     {report.database}",
        f"events       {counts(report.events, ('pending', 'failed', 'done'))}   oldest pending {lag}",
        f"write-backs  {counts(report.writebacks, ('pending', 'sending', 'failed', 'done'))}"
        f"   retries {report.writeback_retries}",
    ]
    for kind in (k for k in report.outbox if k != "fields"):
        if report.outbox.get(kind):
            lines.append(
                f"{kind + 's':12} {counts(report.outbox[kind], ('pending', 'sending', 'failed', 'done'))}"
            )
    pending_kinds = ", ".join(f"{k} {v}" for k, v in sorted(report.due_pending_by_kind.items()))
    lines.append(
        f"due work     {counts(report.due_work, ('pending', 'failed', 'done', 'cancelled'))}"
        + (f"   ({pending_kinds})" if pending_kinds else "")
    )
    for poll in report.polls:
        state = "polling now" if poll["polling_now"] else f"next {poll['next_due'] or '-'}"
        line = (
            f"polls        {poll['site']} ({poll['platform']}): {poll['polls']} ok, "
            f"{poll['failed_polls']} failed, {poll['events']} new events; "
            f"last {poll['last_polled_at'] or 'never'}, {state}"
        )
        if poll["last_error"]:
            line += f"; failing ({poll['failures_in_a_row']} in a row): {poll['last_error']}"
        lines.append(line)
    for pause in report.paused_sites:
        lines.append(f"paused       {pause['site']} until {pause['until']}: {pause['reason']}")
    if report.failed_writebacks:
        lines.append("failed write-backs (newest first):")
        lines += [
            f"  {f['at']}  {f['site']} {f['ticket']} {f['action']}  after {f['attempts']} attempt(s): "
            f"{f['error']}"
            for f in report.failed_writebacks
        ]
    if report.failed_due_work:
        lines.append("failed due work (newest first):")
        lines += [
            f"  {f['at']}  {f['kind']} {f['key']}  after {f['attempts']} attempt(s): {f['error']}"
            for f in report.failed_due_work
        ]
    if report.failed_events:
        lines.append("failed events (newest first):")
        lines += [f"  {f['site']} {f['ticket']} {f['kind']}: {f['error']}" for f in report.failed_events]
    if report.recent_events:
        lines.append("recent events (newest first):")
        lines += [
            f"  {e['received']}  {e['site']} {e['ticket']}  {e['kind']}  {e['state']}"
            for e in report.recent_events
        ]
    return "\n".join(lines)
