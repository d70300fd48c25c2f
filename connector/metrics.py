"""Prometheus metrics. Intake counters live in the web process; queue figures are read from the
database at scrape time, so they agree whichever process (web or worker, this machine or another)
did the work."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from connector.store import Store
from connector.store import events as event_store
from connector.store import writebacks as writeback_store
from connector.store.models import utcnow


class StoreCollector(Collector):
    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        with self.store.session() as session:
            events = event_store.counts_by_state(session)
            oldest = event_store.oldest_pending(session)
            writes = writeback_store.counts_by_state(session)
            retried = writeback_store.retries_total(session)
        depth = GaugeMetricFamily("ela_queue_depth", "Rows waiting in a queue", labels=["queue"])
        depth.add_metric(["events"], events.get("pending", 0))
        depth.add_metric(["writebacks"], writes.get("pending", 0) + writes.get("in_flight", 0))
        yield depth
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
        if store is not None:
            self.registry.register(StoreCollector(store))

    def render(self) -> bytes:
        return generate_latest(self.registry)
