"""Pull mode: the poll of one site, as the worker runs it.

A poll leases the site's cursor row (so one worker polls a site at a time, whatever the number of
workers), asks the site's Poller what changed since the cursor, and stores what is new through the same
path as a webhook delivery (`store_delivery`, with a delivery key that names the poll), moving the
cursor in the same transaction. The platform call happens outside any transaction: a slow platform
never holds the database. Events a webhook delivered already, or an earlier overlapping poll found,
carry the same event ids and are dropped, so push and pull together store each change once.

A failed poll is retried with backoff (the interval, doubled per failure in a row, at most an hour),
and shows in `ela status` and /metrics with the platform's message.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError

from adapters.base import Poller
from adapters.errors import WriteError
from adapters.settings import SiteSettings
from connector.store import Store, polls
from connector.store.events import known_event_ids, store_delivery
from connector.store.models import utcnow

log = logging.getLogger("ela.poll")
MAX_BACKOFF_SECONDS = 3600.0


@dataclass
class PollReport:
    polled: int = 0  # polls made (0: not due, or another worker had the site)
    found: int = 0  # events the poll returned
    stored: int = 0  # of them, new
    failed: int = 0
    more: bool = False  # the platform has more at once


class SitePoll:
    """The periodic poll of one site."""

    def __init__(
        self, store: Store, site_name: str, site: SiteSettings, poller: Poller, worker_id: str
    ) -> None:
        self.store = store
        self.site_name = site_name
        self.site = site
        self.poller = poller
        self.worker_id = worker_id

    def run_once(self, *, now: bool = False) -> PollReport:
        """Poll if due (`now`: whether due or not). A poll that found a full batch is due again at once."""
        report = PollReport()
        settings = self.site.pull
        lease = timedelta(seconds=settings.timeout_seconds)
        platform = self.site.platform
        with self.store.session() as session:
            taken = polls.take(session, platform, self.site_name, self.worker_id, lease, now_due=now)
        if taken is None:
            return report
        report.polled = 1
        context = {"site": self.site_name, "platform": platform}
        started = utcnow()
        try:
            page = self.poller.poll(taken.cursor, site=self.site_name, rules=self.site.customers.rules())
        except WriteError as exc:
            return self._failed(taken, exc.message, report, context)
        except Exception as exc:  # a bug or a surprise in a platform's answer: visible, retried
            log.exception("poll.crashed", extra={"context": context})
            return self._failed(taken, f"{type(exc).__name__}: {exc}", report, context)
        report.found, report.more = len(page.events), page.more
        interval = timedelta(seconds=0 if page.more else settings.interval_seconds)
        try:
            with self.store.session() as session:
                known = known_event_ids(session, platform, self.site_name, [e.event_id for e in page.events])
                new, seen = [], set(known)
                for event in page.events:
                    if event.event_id not in seen:
                        seen.add(event.event_id)
                        new.append(event)
                stored = 0
                if new:
                    body = json.dumps(
                        {"poll": {"from": taken.cursor, "to": page.cursor}, "events": [e.raw for e in new]},
                        default=str,
                    ).encode()
                    delivery = store_delivery(
                        session,
                        platform=platform,
                        site=self.site_name,
                        delivery_key=f"poll:{started.strftime('%Y%m%dT%H%M%S.%fZ')}:{uuid.uuid4().hex[:12]}",
                        webhook_event="poll",
                        body=body,
                        events=tuple(new),
                    )
                    stored = delivery.events_stored
                if not polls.finish(
                    session,
                    taken.id,
                    self.worker_id,
                    cursor=page.cursor,
                    stored=stored,
                    next_due=utcnow() + interval,
                ):
                    raise _LostLease
        except _LostLease:
            log.warning("poll.lost_lease", extra={"context": context})
            return PollReport(polled=1, found=report.found)
        except SQLAlchemyError:
            log.exception("poll.store_failed", extra={"context": context})
            report.failed = 1
            return report
        report.stored = stored
        log.info(
            "poll.done",
            extra={"context": {**context, "found": report.found, "stored": stored, "more": page.more}},
        )
        return report

    def _failed(
        self, taken: polls.TakenCursor, message: str, report: PollReport, context: dict[str, str]
    ) -> PollReport:
        interval = self.site.pull.interval_seconds
        delay = min(MAX_BACKOFF_SECONDS, interval * 2 ** min(taken.failures, 12))
        with self.store.session() as session:
            polls.fail(
                session, taken.id, self.worker_id, message, next_due=utcnow() + timedelta(seconds=delay)
            )
        log.warning("poll.failed", extra={"context": {**context, "error": message, "retry_in": delay}})
        report.failed = 1
        return report


class _LostLease(Exception):
    pass
