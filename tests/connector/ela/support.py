"""What the ELA tests share: a configuration with every kind of policy, a sentiment engine whose results
carry what the extended engine's will (`scored`, `language`, `signals`), and a controlled clock."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from adapters.events import TicketEvent
from connector.due_work import DueWorkRunner
from connector.ela.evaluate import TIMER_KIND
from connector.ela.timers import TimerHandler
from connector.pipeline import Pipeline
from connector.settings import Settings, parse_settings
from connector.store import Store
from connector.store.models import AuditEntry, DueWork, ElaChange, ElaState, ElaTicket, OutboxAction
from sentiment.engines import get_engine
from sentiment.scorer import SentenceScore

ANGRY = "This is still broken and nobody answers. Completely unacceptable!"
CALM = "Thank you, that works now. Great help!"
PLAIN = "I restarted the laptop and tried again."
CHASE = "Any update on this?"
FRENCH = "[fr] Toujours en panne, personne ne répond."

SITE = """
sites:
  jira-prod:
    platform: jira
    url: https://example.atlassian.net
    auth: {email: bot@example.com, api_token: token-1234567890}
    webhook: {secret: s3cret-s3cret-s3cret}
    fields:
      mood: Customer mood
      ela_status: ELA status
      ela_reason: ELA reason
      ela_due: ELA due
      sla_ela: SLA and ELA
"""

POLICIES = """
writeback: {coalesce_seconds: 0}
worker: {lease_seconds: 30}
ela:
  webhooks:
    ops: {url: "http://127.0.0.1:9/hooks/T000/B000/secret-part", format: slack}
  policies:
    reply:
      kind: respond_to_negative
      title: Reply to unhappy customers
      mood: negative
      within: 4h
      at_risk_at: 0.75
      escalate:
        at_risk: {labels: [ela-at-risk], comment: true, priority: High, webhooks: [ops]}
        breached: {labels: [ela-breached], comment: true, priority: Highest}
"""


def settings_with(ela_yaml: str = POLICIES, site: str = SITE) -> Settings:
    return parse_settings(ela_yaml + site, env={})


@dataclass(frozen=True)
class VoiceResult:
    """The shape the extended sentiment engine gives its results (polarity, label, sentences, engine,
    plus scored, language and signals)."""

    polarity: float
    label: int
    sentences: tuple[SentenceScore, ...]
    engine: str
    scored: bool
    language: str
    signals: frozenset[str]


class VoiceEngine:
    """The default engine's scores, with a language and signals: a message starting "[fr]" is in a
    language the engine does not score; one asking for an update carries the "chasing" signal."""

    name = "voice"

    def __init__(self) -> None:
        self.inner = get_engine("textblob")
        self.bands = getattr(self.inner, "bands", None)

    def score(self, text: str) -> VoiceResult:
        result = self.inner.score(text)
        unknown = text.startswith("[fr]")
        chasing = "update" in text.lower()
        return VoiceResult(
            0.0 if unknown else result.polarity,
            0 if unknown else result.label,
            result.sentences,
            self.name,
            not unknown,
            "fr" if unknown else "en",
            frozenset({"chasing"}) if chasing else frozenset(),
        )


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now


class Ela:
    """A pipeline and a due-work runner on one store, with the runner on a controlled clock."""

    def __init__(self, store: Store, settings: Settings, clock: Clock, worker: str = "w1") -> None:
        self.store = store
        self.settings = settings
        self.pipeline = Pipeline(settings, VoiceEngine())  # type: ignore[arg-type]
        self.clock = clock
        self.due = DueWorkRunner(store, settings, worker, clock=clock)
        self.due.register(TIMER_KIND, TimerHandler(settings, self.pipeline.ela))

    def process(self, *events: TicketEvent) -> None:
        for event in events:
            with self.store.session() as session:
                self.pipeline.process(session, event)

    def fire_at(self, moment: datetime) -> int:
        self.clock.set(moment)
        return self.due.run_once().fired

    def state(self, policy: str, key: str = "SD-1") -> ElaState | None:
        with self.store.session() as session:
            return session.scalars(
                select(ElaState).where(ElaState.policy == policy, ElaState.ticket_key == key)
            ).one_or_none()

    def summary(self, key: str = "SD-1") -> ElaTicket | None:
        with self.store.session() as session:
            state = session.scalars(select(ElaState).where(ElaState.ticket_key == key)).first()
            return session.get(ElaTicket, state.ticket_pk) if state is not None else None

    def changes(self, key: str = "SD-1") -> list[tuple[str, int, str]]:
        with self.store.session() as session:
            rows = session.scalars(
                select(ElaChange)
                .join(ElaState, ElaState.ticket_pk == ElaChange.ticket_pk)
                .where(ElaState.ticket_key == key)
                .distinct()
                .order_by(ElaChange.id)
            )
            return [(r.policy, r.cycle, r.outcome) for r in rows]

    def actions(self, key: str = "SD-1", kinds: Iterable[str] = ()) -> list[dict[str, Any]]:
        """The ticket's outbox actions other than field writes (or of `kinds`), oldest first."""
        with self.store.session() as session:
            query = select(OutboxAction).where(OutboxAction.ticket_key == key).order_by(OutboxAction.id)
            rows = list(session.scalars(query))
        wanted = set(kinds)
        return [
            {"kind": r.kind, "key": r.key, **json.loads(r.payload)}
            for r in rows
            if (r.kind in wanted if wanted else r.kind != "fields")
        ]

    def fields(self, key: str = "SD-1") -> dict[str, Any]:
        """Every field value queued for the ticket, merged in order (what the ticket ends up showing)."""
        merged: dict[str, Any] = {}
        for action in self.actions(key, kinds=["fields"]):
            merged.update(action["values"])
        return merged

    def timers(self, key: str = "SD-1") -> list[tuple[str, str]]:
        with self.store.session() as session:
            rows = session.scalars(
                select(DueWork)
                .where(DueWork.kind == TIMER_KIND, DueWork.ticket_key == key)
                .order_by(DueWork.id)
            )
            return [(json.loads(r.payload)["stage"], r.state) for r in rows]

    def audits(self, prefix: str = "ela.") -> list[str]:
        with self.store.session() as session:
            return [
                a
                for a in session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))
                if a.startswith(prefix)
            ]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def later(start: datetime, **delta: float) -> datetime:
    return start + timedelta(**delta)


def dated(event: TicketEvent, moment: datetime) -> TicketEvent:
    """The event as if it happened at `moment` (its comment too)."""
    comment = event.comment.model_copy(update={"created_at": moment}) if event.comment else None
    return event.model_copy(update={"occurred_at": moment, "comment": comment})
