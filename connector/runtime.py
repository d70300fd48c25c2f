"""The composition root: everything a command needs, built from the settings in one place."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask

from adapters.base import TicketWriter, UserDirectory
from connector.app import create_app
from connector.directory import GroupCache
from connector.due_work import DueWorkRunner
from connector.ela.evaluate import TIMER_KIND
from connector.ela.timers import TimerHandler
from connector.ela.webhooks import WEBHOOK_KIND, WebhookSender
from connector.outbox import Flusher
from connector.pipeline import Pipeline
from connector.platforms import Writers
from connector.processor import EventProcessor, new_worker_id
from connector.settings import Settings
from connector.store import Store
from connector.surveys.clock import SYSTEM_CLOCK, Clock
from connector.surveys.room import SurveyRoom
from connector.worker import Worker


class SchemaOutOfDate(Exception):
    pass


def ensure_schema(store: Store) -> None:
    """SQLite (one process) is migrated on start. A shared PostgreSQL is migrated on purpose, by
    `ela db upgrade`, so several processes starting at once do not race to alter it."""
    if store.is_sqlite:
        store.upgrade()
        return
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(store.alembic_config()).get_current_head()
    current = store.current_revision()
    if current != head:
        raise SchemaOutOfDate(
            f"the database schema is at revision {current or 'none'}, this version needs {head}: "
            "run `ela db upgrade --config FILE` once"
        )


class Runtime:
    def __init__(
        self,
        settings: Settings,
        *,
        store: Store | None = None,
        writers: Callable[[str], TicketWriter | None] | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.settings = settings
        self.clock = clock  # the time of due work and the survey room (tests move it)
        self.store = store or Store(settings.database.url)
        ensure_schema(self.store)
        self.writers = writers or Writers(dict(settings.sites))
        groups = GroupCache(self._directory)
        self.surveys = SurveyRoom(settings, self.store, clock, groups)
        self.pipeline = Pipeline(settings, settings.sentiment.build(), groups, surveys=self.surveys.step())
        self.worker_id = new_worker_id()
        self.stopping = threading.Event()
        self.processor = EventProcessor(
            settings, self.store, self.pipeline, self.worker_id, stopping=self.stopping
        )
        self.flusher = Flusher(self.store, settings.writeback, self.writers, self.worker_id)
        self.flusher.stopping = self.stopping
        self.due = DueWorkRunner(self.store, settings, self.worker_id, clock=clock)
        self.due.stopping = self.stopping
        # ELA: at-risk and breach timers are due work; escalation webhooks are outbox actions.
        self.due.register(TIMER_KIND, TimerHandler(settings, self.pipeline.ela))
        self.flusher.register(WEBHOOK_KIND, WebhookSender(settings.ela.webhooks))
        # Surveys: sends, reminders and expiries are due work; e-mails are outbox actions.
        self.surveys.register(self.due, self.flusher)
        self.surveys.start()
        self.worker = Worker(settings, self.processor, self.flusher, self.due, self.writers)

    def _directory(self, site: str) -> UserDirectory | None:
        writer = self.writers(site)
        return writer if isinstance(writer, UserDirectory) else None

    def app(self) -> Flask:
        return create_app(self.settings, self.store, self.clock)

    def close(self) -> None:
        """Stop: the jobs finish the item in hand and let go of the rest, then the store closes."""
        self.stopping.set()
        self.worker.stop()
        self.store.dispose()
