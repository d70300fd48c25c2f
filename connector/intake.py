"""Webhook intake: verify, parse, store, answer. Nothing here knows Flask.

The order matters: a delivery is stored (committed) before it is acknowledged, and answered 503 only
when it could not be stored, so the platform retries it (platforms that retry do so on 5xx; see each
adapter). A retried delivery finds its key already stored and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from adapters.base import Headers, InboundRequest
from adapters.errors import AdapterError
from connector.metrics import Metrics
from connector.platforms import platform_for
from connector.settings import Settings
from connector.store import Store
from connector.store.events import store_delivery

log = logging.getLogger("ela.intake")


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def _error(status: int, code: str, message: str, **headers: str) -> Answer:
    return Answer(status, {"error": code, "message": message}, dict(headers))


class Intake:
    def __init__(self, settings: Settings, store: Store, metrics: Metrics) -> None:
        self.settings = settings
        self.store = store
        self.metrics = metrics

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
        if site is None or site.platform != platform:
            return self._count(
                site_name,
                "-",
                "unknown_site",
                _error(404, "unknown_site", f"no {platform} site named {site_name!r} is configured"),
            )
        if site.webhook is None:
            message = f"site {site_name!r} takes no webhooks: it is polled (it has no `webhook` section)"
            return self._count(site_name, "-", "unknown_site", _error(404, "pull_only_site", message))
        oversize = self.oversize(site_name, len(body))
        if oversize is not None:
            return oversize
        adapter = platform_for(platform).adapter
        request = InboundRequest(headers=Headers(headers), body=body, query=dict(query))
        try:
            adapter.authenticate(request, site.webhook.auth())
        except AdapterError as exc:
            return self._count(site_name, "-", "unauthorized", _error(exc.status, "unauthorized", exc.reason))
        if (content_type or "").split(";")[0].strip().lower() != "application/json":
            message = f"expected Content-Type application/json, got {content_type or 'none'}"
            return self._count(
                site_name, "-", "unsupported_media", _error(415, "unsupported_media_type", message)
            )
        try:
            parsed = adapter.parse(request, site_name, site.customers.rules())
        except AdapterError as exc:
            return self._count(site_name, "-", "rejected", _error(exc.status, "rejected", exc.reason))
        event_name = parsed.webhook_event or "-"
        if not parsed.events:
            reason = parsed.ignored_reason or "nothing to do"
            log.info(
                "webhook.ignored",
                extra={"context": {"site": site_name, "event": event_name, "reason": reason}},
            )
            return self._count(
                site_name, event_name, "ignored", Answer(200, {"status": "ignored", "reason": reason})
            )
        try:
            with self.store.session() as session:
                stored = store_delivery(
                    session,
                    platform=platform,
                    site=site_name,
                    delivery_key=parsed.delivery_key,
                    webhook_event=event_name,
                    body=body,
                    events=parsed.events,
                    retry_count=parsed.retry_count,
                )
        except SQLAlchemyError:
            log.exception("webhook.store_failed", extra={"context": {"site": site_name, "event": event_name}})
            answer = _error(
                503, "unavailable", "could not store the delivery; retry later", **{"Retry-After": "5"}
            )
            return self._count(site_name, event_name, "unavailable", answer)
        outcome = "duplicate" if stored.duplicate else "accepted"
        log.info(
            f"webhook.{outcome}",
            extra={
                "context": {
                    "site": site_name,
                    "event": event_name,
                    "delivery": parsed.delivery_key,
                    "events": stored.events_stored,
                    "retry": parsed.retry_count,
                }
            },
        )
        body_out = {"status": outcome, "events": [e.event_id for e in parsed.events]}
        return self._count(site_name, event_name, outcome, Answer(202, body_out))

    def oversize(self, site_name: str, size: int | None) -> Answer | None:
        """413 for a body over the limit (checked on Content-Length before reading, and on the body)."""
        limit = self.settings.server.max_body_bytes
        if size is None or size <= limit:
            return None
        message = f"body of {size} bytes is over the limit of {limit}"
        return self._count(site_name, "-", "too_large", _error(413, "too_large", message))

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
