"""Migrations build exactly the schema the models describe, and carry waiting work across revisions."""

from __future__ import annotations

from datetime import timedelta

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from connector.store import Store
from connector.store import events as event_store
from connector.store import outbox as outbox_store
from connector.store.models import Base


def test_the_migrated_schema_is_the_models_schema(store_url: str) -> None:
    store = Store(store_url)
    store.upgrade()
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    store.dispose()
    assert differences == []


def test_upgrading_from_0001_keeps_pending_events_and_write_backs(store_url: str) -> None:
    store = Store(store_url)
    store.upgrade("0001")
    now = "2026-11-30 10:00:00"
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO events (platform, site, event_id, kind, ticket_key, occurred_at, received_at, data,"
                " state, attempts, next_attempt_at) VALUES"
                " ('jira', 's', 'e1', 'commented', 'SD-1', :now, :now, '{}', 'pending', 0, :now),"
                " ('jira', 's', 'e2', 'commented', 'SD-1', :now, :now, '{}', 'pending', 0, :now),"
                " ('jira', 's', 'e3', 'commented', 'SD-2', :now, :now, '{}', 'done', 0, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO writebacks (platform, site, ticket_key, fields, state, attempts, due_at,"
                " created_at, updated_at, sent_at) VALUES"
                " ('jira', 's', 'SD-1', '{\"mood\": \"Negative\"}', 'in_flight', 1, :now, :now, :now, :now),"
                " ('jira', 's', 'SD-3', '{\"mood\": \"Positive\"}', 'done', 1, :now, :now, :now, :now)"
            ),
            {"now": now},
        )
    store.upgrade()
    with store.session() as session:
        events = event_store.claim_events(session, "w", 10, timedelta(seconds=60))
        lanes = outbox_store.claim(session, "w", 10, timedelta(seconds=60))
        assert outbox_store.counts_by_state(session) == {"sending": 1, "done": 1}
    store.dispose()
    assert [(e.ticket_key, e.event_id) for e in events] == [("SD-1", "e1"), ("SD-1", "e2")]
    [lane] = lanes
    [action] = lane.actions
    assert (lane.ticket_key, action.kind, action.uncertain) == ("SD-1", "fields", True)
    assert action.values == {"mood": "Negative"}
