"""The composition root: everything a command needs, built from the settings in one place."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from adapters.base import TicketWriter, UserDirectory
from connector.app import create_app
from connector.directory import GroupCache
from connector.due_work import DueWorkRunner
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
        self.processor = EventProcessor(settings, self.store, self.pipeline, self.worker_id)
        self.flusher = Flusher(self.store, settings.writeback, self.writers, self.worker_id)
        self.due = DueWorkRunner(self.store, settings, self.worker_id, clock)
        self.surveys.register(self.due, self.flusher)
        self.surveys.start()
        self.worker = Worker(settings, self.processor, self.flusher, self.due)

    def _directory(self, site: str) -> UserDirectory | None:
        writer = self.writers(site)
        return writer if isinstance(writer, UserDirectory) else None

    def app(self) -> Flask:
        return create_app(self.settings, self.store, self.clock)

    def close(self) -> None:
        self.worker.stop()
        self.store.dispose()
