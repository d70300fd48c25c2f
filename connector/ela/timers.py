"""The due-work handler of ELA timers: a policy's cycle going at risk, or breaching, at its time.

Registered on the DueWorkRunner for `ela.timer` rows. The runner fires each row once, and the handler's
effects (the state, the escalation's outbox actions, the write-back) commit with the row's "done": a
worker killed halfway commits none of it and the row fires again once its lease has run out. A reply
that met the target first has cancelled the row by its key; one that raced it is seen here, because the
evaluation takes the ticket's ELA lock and re-reads the state.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from connector.ela.evaluate import Evaluator
from connector.ela.observations import TimerFired
from connector.ela.status import ElaStatus
from connector.settings import Settings
from connector.store import ela as store
from connector.store import outbox
from connector.store.due import DueItem

log = logging.getLogger("ela.timers")


def queue_results(
    session: Session, settings: Settings, *, platform: str, site: str, key: str, values: dict[str, Any]
) -> dict[str, Any]:
    """Queue result values for the ticket's write-back, those the site maps (what the pipeline's results
    step does for events); what was queued."""
    site_settings = settings.sites.get(site)
    if site_settings is None or not values:
        return {}
    mapped = site_settings.fields.mapped()
    wanted = {k: v for k, v in values.items() if k in mapped}
    if wanted:
        outbox.enqueue_fields(
            session,
            platform=platform,
            site=site,
            ticket_key=key,
            values=wanted,
            delay=timedelta(seconds=settings.writeback.coalesce_seconds),
        )
    return wanted


class TimerHandler:
    def __init__(self, settings: Settings, evaluator: Evaluator) -> None:
        self.settings = settings
        self.evaluator = evaluator

    def __call__(self, session: Session, item: DueItem) -> None:
        policy = str(item.payload.get("policy"))
        context = {"ticket": item.ticket_key, "policy": policy, "stage": item.payload.get("stage")}
        if policy not in self.evaluator.rules:
            log.warning("ela.timer_policy_gone", extra={"context": context})
            return  # the policy was removed from the settings since: nothing to decide
        if item.platform is None or item.site is None or item.ticket_key is None:
            raise ValueError(f"ELA timer {item.key} names no ticket")
        ticket = store.find_ticket(session, item.platform, item.site, item.ticket_key)
        if ticket is None or ticket.deleted:
            return
        # The moment the timer was due, not when a worker got to it: the reason's "no reply 3h" and the
        # breach time are the policy's, whatever the queue's delay.
        fired = TimerFired(
            at=datetime.fromisoformat(str(item.payload["at"])),
            policy=policy,
            stage=ElaStatus(str(item.payload["stage"])),
            cycle=int(item.payload["cycle"]),
        )
        values = self.evaluator.evaluate(session, ticket, [fired], at=fired.at)
        queued = queue_results(
            session, self.settings, platform=ticket.platform, site=ticket.site, key=ticket.key, values=values
        )
        log.info("ela.timer_fired", extra={"context": {**context, "results": sorted(queued)}})
