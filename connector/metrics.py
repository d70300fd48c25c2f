"""Prometheus metrics. Intake counters live in the web process; queue figures are read from the
database at scrape time, so they agree whichever process (web or worker, this machine or another)
did the work."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from connector.store import Store, due
from connector.store import events as event_store
from connector.store import outbox as outbox_store
from connector.store.models import utcnow
from connector.surveys import sends


class StoreCollector(Collector):
    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        with self.store.session() as session:
            events = event_store.counts_by_state(session)
            oldest = event_store.oldest_pending(session)
            writes = outbox_store.counts_by_state(session, "fields")
            actions = outbox_store.counts_by_kind(session)
            retried = outbox_store.retries_total(session)
            due_work = due.counts_by_state(session)
            due_pending = due.pending_by_kind(session)
            survey_states = sends.counts(session)
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
        surveys = GaugeMetricFamily(
            "ela_survey_sends", "Survey sends kept, by survey and state", labels=["survey", "state"]
        )
        for (survey, state), count in sorted(survey_states.items()):
            surveys.add_metric([survey, state], count)
        yield surveys
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
