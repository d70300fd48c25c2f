"""Webhook intake: verify, parse, store, answer. Nothing here knows Flask.

The order matters: a delivery is stored (committed) before it is acknowledged, and answered 503 only
when it could not be stored, so the platform retries it (platforms that retry do so on 5xx; see each
adapter). A retried delivery finds its key already stored and changes nothing.

Everything here also faces strangers: metric labels come only from configured names and known event
names (anything else is `unknown` / `other`), an unknown site is answered exactly like a bad proof (so
site names cannot be found out without a credential), and nothing of a payload's text reaches a log.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from adapters.base import Headers, InboundRequest, ParseResult
from adapters.errors import AdapterError
from connector.metrics import Metrics
from connector.platforms import platform_for, platforms
from connector.settings import Settings
from connector.store import Store, lanes
from connector.store.events import StoredDelivery, store_delivery
from connector.store.group_commit import GroupCommit

log = logging.getLogger("ela.intake")

UNKNOWN = "unknown"  # the metric label of a site or platform that is not configured
OTHER = "other"  # the metric label of an event name the platform's adapter does not know
UNPROVEN = "no such site, or the delivery's proof of origin is missing or wrong"


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def _error(status: int, code: str, message: str, **headers: str) -> Answer:
    return Answer(status, {"error": code, "message": message}, dict(headers))


def _unfit(exc: ValidationError) -> str:
    """Which values of a payload the event model cannot take, without echoing the payload's text."""
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error["loc"])
        parts.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
    return "values the connector cannot store: " + "; ".join(parts)


class Intake:
    def __init__(self, settings: Settings, store: Store, metrics: Metrics) -> None:
        self.settings = settings
        self.store = store
        self.metrics = metrics
        self.commits = GroupCommit(store)

    def site_label(self, site_name: str) -> str:
        return site_name if site_name in self.settings.sites else UNKNOWN

    def receive(
        self,
        platform: str,
        site_name: str,
        *,
        headers: Mapping[str, str],
        body: bytes,
        query: Mapping[str, str],
        content_type: str | None,
    ) -> Answer:
        site = self.settings.sites.get(site_name)
        if site is None or site.platform != platform or platform not in platforms():
            log.warning(
                "webhook.unknown_site",
                extra={"context": {"platform": platform[:40], "site": site_name[:64]}},
            )
            return self._count(UNKNOWN, "-", "unknown_site", _error(401, "unauthorized", UNPROVEN))
        if site.webhook is None:
            # A pull-only site takes no webhooks; answered like an unknown site, so as not to tell.
            log.warning("webhook.pull_only_site", extra={"context": {"site": site_name}})
            return self._count(site_name, "-", "unknown_site", _error(401, "unauthorized", UNPROVEN))
        oversize = self.oversize(site_name, len(body))
        if oversize is not None:
            return oversize
        adapter = platform_for(platform).adapter
        request = InboundRequest(headers=Headers(headers), body=body, query=dict(query))
        try:
            adapter.authenticate(request, site.webhook.auth())
        except AdapterError as exc:
            log.warning("webhook.unproven", extra={"context": {"site": site_name, "reason": exc.reason}})
            return self._count(site_name, "-", "unauthorized", _error(exc.status, "unauthorized", UNPROVEN))
        if (content_type or "").split(";")[0].strip().lower() != "application/json":
            message = f"expected Content-Type application/json, got {(content_type or 'none')[:100]}"
            return self._count(
                site_name, "-", "unsupported_media", _error(415, "unsupported_media_type", message)
            )
        try:
            parsed = adapter.parse(request, site_name, site.customers.rules())
        except AdapterError as exc:
            return self._count(site_name, "-", "rejected", _error(exc.status, "rejected", exc.reason))
        except ValidationError as exc:
            return self._count(site_name, "-", "rejected", _error(400, "rejected", _unfit(exc)))
        event_name = self._event_label(platform, parsed)
        if not parsed.events:
            reason = parsed.ignored_reason or "nothing to do"
            log.info(
                "webhook.ignored",
                extra={"context": {"site": site_name, "event": event_name, "reason": reason}},
            )
            return self._count(
                site_name, event_name, "ignored", Answer(200, {"status": "ignored", "reason": reason})
            )
        return self._store(platform, site_name, event_name, parsed, body)

    def _store(
        self, platform: str, site_name: str, event_name: str, parsed: ParseResult, body: bytes
    ) -> Answer:
        def store(session: Session) -> StoredDelivery:
            return store_delivery(
                session,
                platform=platform,
                site=site_name,
                delivery_key=parsed.delivery_key,
                webhook_event=event_name,
                body=body,
                events=parsed.events,
                retry_count=parsed.retry_count,
            )

        # One delivery is about one ticket; its lane's lock order orders it within a group commit.
        order = min(lanes.lock_order(e.platform, e.site, e.ticket.key) for e in parsed.events)
        try:
            stored = self.commits.run(store, order=order)
        except SQLAlchemyError as exc:
            # The error's text, not the exception: SQLAlchemy's message carries the statement's
            # parameters (customers' words) unless the engine hides them, and a traceback repeats it.
            cause = getattr(exc, "orig", None) or exc
            log.error(
                "webhook.store_failed",
                extra={
                    "context": {
                        "site": site_name,
                        "event": event_name,
                        "error": f"{type(exc).__name__}: {str(cause).splitlines()[0][:300]}",
                    }
                },
            )
            answer = _error(
                503, "unavailable", "could not store the delivery; retry later", **{"Retry-After": "5"}
            )
            return self._count(site_name, event_name, "unavailable", answer)
        outcome = "conflict" if stored.conflict else "duplicate" if stored.duplicate else "accepted"
        context = {
            "site": site_name,
            "event": event_name,
            "delivery": parsed.delivery_key,
            "events": stored.events_stored,
            "retry": parsed.retry_count,
        }
        if stored.conflict:
            # The platform reused a delivery id for another body: kept under a key of its own, so
            # nothing acknowledged is dropped, and reported, since a sender should never do this.
            log.warning("webhook.conflict", extra={"context": context})
        else:
            log.info(f"webhook.{outcome}", extra={"context": context})
        body_out = {
            "status": outcome,
            "delivery": parsed.delivery_key,
            "events": [e.event_id for e in parsed.events],
        }
        return self._count(site_name, event_name, outcome, Answer(202, body_out))

    def _event_label(self, platform: str, parsed: ParseResult) -> str:
        known: frozenset[str] = getattr(platform_for(platform).adapter, "known_events", frozenset())
        return parsed.webhook_event if parsed.webhook_event in known else OTHER

    def oversize(self, site_name: str, size: int | None) -> Answer | None:
        """413 for a body over the limit (checked on Content-Length before reading, and on the body)."""
        limit = self.settings.server.max_body_bytes
        if size is None or size <= limit:
            return None
        message = f"body of {size} bytes is over the limit of {limit}"
        return self._count(self.site_label(site_name), "-", "too_large", _error(413, "too_large", message))

    def _count(self, site: str, event: str, outcome: str, answer: Answer) -> Answer:
        self.metrics.webhooks.labels(site=site, event=event, outcome=outcome).inc()
        if answer.status >= 400:
            log.warning(
                "webhook.refused",
                extra={
                    "context": {"site": site, "status": answer.status, "reason": answer.body.get("message")}
                },
            )
        return answer
