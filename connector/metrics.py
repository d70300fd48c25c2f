"""Prometheus metrics. Intake counters live in the web processes (under `ela serve`, in the shared
directory of prometheus_client's multiprocess mode, so a scrape adds up every process); queue and
worker figures are read from the database at scrape time, so they agree whichever process (web or
worker, this machine or another) did the work."""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from connector.store import Store, due, polls, workers
from connector.store import events as event_store
from connector.store import outbox as outbox_store
from connector.store.models import utcnow
from connector.surveys import sends

Family = GaugeMetricFamily | CounterMetricFamily


class StoreCollector(Collector):
    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Iterator[Family]:
        with self.store.session() as session:
            events = event_store.counts_by_state(session)
            oldest = event_store.oldest_pending(session)
            writes = outbox_store.counts_by_state(session, "fields")
            actions = outbox_store.counts_by_kind(session)
            retried = outbox_store.retries_total(session)
            due_work = due.counts_by_state(session)
            due_pending = due.pending_by_kind(session)
            beat = workers.freshest_beat(session)
            alive = workers.alive(session)
            polled = polls.summary(session)
            survey_states = sends.counts(session)
        yield from _queues(events, oldest, writes, actions, retried, due_work, due_pending)
        yield from _workers(beat, alive)
        yield from _polls(polled)
        yield from _surveys(survey_states)


def _queues(  # noqa: PLR0917 (the figures of one scrape, read in one transaction)
    events: dict[str, int],
    oldest: datetime | None,
    writes: dict[str, int],
    actions: dict[str, dict[str, int]],
    retried: int,
    due_work: dict[str, int],
    due_pending: dict[str, int],
) -> Iterator[Family]:
    depth = GaugeMetricFamily("ela_queue_depth", "Rows waiting in a queue", labels=["queue"])
    depth.add_metric(["events"], events.get("pending", 0))
    depth.add_metric(["writebacks"], writes.get("pending", 0) + writes.get("sending", 0))
    depth.add_metric(["outbox"], sum(c.get("pending", 0) + c.get("sending", 0) for c in actions.values()))
    depth.add_metric(["due_work"], due_work.get("pending", 0))
    yield depth
    pending = GaugeMetricFamily("ela_due_work_pending", "Due work waiting, by kind", labels=["kind"])
    for kind, count in sorted(due_pending.items()):
        pending.add_metric([kind], count)
    yield pending
    parked = GaugeMetricFamily("ela_due_work_failed", "Due work parked after repeated failures")
    parked.add_metric([], due_work.get("failed", 0))
    yield parked
    kept = GaugeMetricFamily(
        "ela_outbox_actions", "Outbox actions kept, by kind and state", labels=["kind", "state"]
    )
    for kind, states in actions.items():
        for state in ("pending", "sending", "done", "failed"):
            kept.add_metric([kind, state], states.get(state, 0))
    yield kept
    lag = GaugeMetricFamily(
        "ela_processing_lag_seconds", "Age of the oldest event not yet processed (0 when none)"
    )
    lag.add_metric([], (utcnow() - oldest).total_seconds() if oldest else 0.0)
    yield lag
    failed_events = GaugeMetricFamily("ela_events_failed", "Events parked after repeated failures")
    failed_events.add_metric([], events.get("failed", 0))
    yield failed_events
    outcomes = CounterMetricFamily("ela_writebacks", "Write-backs by outcome", labels=["outcome"])
    outcomes.add_metric(["ok"], writes.get("done", 0))
    outcomes.add_metric(["retried"], retried)
    outcomes.add_metric(["failed"], writes.get("failed", 0))
    yield outcomes


def _workers(beat: datetime | None, alive: int) -> Iterator[Family]:
    age = GaugeMetricFamily(
        "ela_worker_heartbeat_age_seconds",
        "Seconds since the last heartbeat of any worker (absent: no worker ever beat)",
    )
    if beat is not None:
        age.add_metric([], (utcnow() - beat).total_seconds())
    yield age
    alive_family = GaugeMetricFamily("ela_workers_alive", "Workers whose heartbeat is recent")
    alive_family.add_metric([], alive)
    yield alive_family


def _polls(polled: list[dict[str, Any]]) -> Iterator[Family]:
    outcomes = CounterMetricFamily(
        "ela_polls", "Polls of platforms (pull mode), by outcome", labels=["site", "outcome"]
    )
    found = CounterMetricFamily("ela_poll_events", "New events stored by polls", labels=["site"])
    failing = GaugeMetricFamily(
        "ela_poll_failures_in_a_row", "Polls failed since the last success", labels=["site"]
    )
    for poll in polled:
        outcomes.add_metric([poll["site"], "ok"], poll["polls"])
        outcomes.add_metric([poll["site"], "failed"], poll["failed_polls"])
        found.add_metric([poll["site"]], poll["events"])
        failing.add_metric([poll["site"]], poll["failures_in_a_row"])
    yield outcomes
    yield found
    yield failing


def _surveys(survey_states: dict[tuple[str, str], int]) -> Iterator[Family]:
    found = GaugeMetricFamily(
        "ela_survey_sends", "Survey sends kept, by survey and state", labels=["survey", "state"]
    )
    for (survey, state), count in sorted(survey_states.items()):
        found.add_metric([survey, state], count)
    yield found


class Metrics:
    def __init__(self, store: Store | None = None) -> None:
        self.registry = CollectorRegistry()
        self.webhooks = Counter(
            "ela_webhooks",
            "Webhook deliveries received, by site, platform event and outcome",
            ["site", "event", "outcome"],
            registry=self.registry,
        )
        self.intake_seconds = Histogram(
            "ela_intake_seconds",
            "Time from request to answer at the webhook endpoint",
            ["site"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self._store_collectors: list[StoreCollector] = []
        if store is not None:
            collector = StoreCollector(store)
            self._store_collectors.append(collector)
            self.registry.register(collector)

    def render(self) -> bytes:
        directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if not directory:
            return generate_latest(self.registry)
        # Under `ela serve`: every web process's counts, from the shared directory, plus the store's.
        registry = CollectorRegistry()
        MultiProcessCollector(registry, directory)  # type: ignore[no-untyped-call]
        for collector in self._store_collectors:
            registry.register(collector)
        return generate_latest(registry)


def authorized(token: str | None, header: str | None) -> bool:
    """`metrics.token` set: the scrape must send `Authorization: Bearer <token>`."""
    if not token:
        return True
    presented = (header or "").removeprefix("Bearer ").strip().encode()
    return hmac.compare_digest(presented, token.encode())


def metrics_app(settings: Any) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """A WSGI app that serves only `/metrics` (for `metrics.port`)."""
    metrics = Metrics(Store(settings.database.url))
    token = settings.metrics.token.get_secret_value() if settings.metrics.token else None

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        if not authorized(token, environ.get("HTTP_AUTHORIZATION")):
            start_response("401 Unauthorized", [("Content-Type", "text/plain")])
            return [b"unauthorized\n"]
        body = metrics.render()
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
        return [body]

    return app
