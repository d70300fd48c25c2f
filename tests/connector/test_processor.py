"""Stored events through the pipeline, several tickets to a transaction, each event alone in its failure."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, select

from adapters.events import TicketEvent
from connector.pipeline import EventContext, Pipeline
from connector.processor import EventProcessor
from connector.settings import Settings, parse_settings
from connector.store import Store
from connector.store import events as event_store
from connector.store.models import EventRow, Lane, MoodEntry, TicketRow
from sentiment.engines import get_engine

CONFIG = """
worker: {{transaction_events: {batch}}}
sites:
  jira-prod:
    platform: jira
    url: https://example.atlassian.net
    auth: {{email: bot@example.com, api_token: token-1234567890}}
    webhook: {{secret: s3cret-s3cret-s3cret}}
    fields: {{mood: Customer mood}}
"""


class FailsOn:
    """A room's step that fails on one ticket (after the mood step has written its timeline entry)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, context: EventContext) -> None:
        if context.event.ticket.key == self.key:
            raise RuntimeError(f"this room cannot take {self.key}")


def settings_for(batch: int) -> Settings:
    return parse_settings(CONFIG.format(batch=batch), env={})


def stored(store: Store, events: list[TicketEvent]) -> None:
    for e in events:
        with store.session() as session:
            event_store.store_delivery(
                session,
                platform="jira",
                site="jira-prod",
                delivery_key=e.event_id,
                webhook_event="comment_created",
                body=e.to_json().encode(),
                events=(e,),
            )


@pytest.fixture
def commits(store: Store) -> Iterator[list[int]]:
    seen: list[int] = []
    listener = lambda _conn: seen.append(1)  # noqa: E731
    event.listen(store.engine, "commit", listener)
    yield seen
    event.remove(store.engine, "commit", listener)


def test_a_failing_event_rolls_back_alone_and_the_others_commit(store: Store, make_event) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(20)
    keys = [f"SD-{n}" for n in range(1, 6)]
    stored(store, [make_event(key=key, text="Still broken, nobody answers. Unacceptable!") for key in keys])
    pipeline = Pipeline(settings, get_engine("textblob"), surveys=FailsOn("SD-3"))
    report = EventProcessor(settings, store, pipeline, "w1").process_once()
    assert (report.processed, report.failed) == (4, 1)
    with store.session() as session:
        states = dict(session.execute(select(EventRow.ticket_key, EventRow.state)).all())
        failed = session.scalars(select(EventRow).where(EventRow.ticket_key == "SD-3")).one()
        scored = sorted(session.scalars(select(TicketRow.key).join(MoodEntry)).all())
        held = session.scalars(select(Lane.ticket_key).where(Lane.claimed_by.is_not(None))).all()
    assert states == {"SD-1": "done", "SD-2": "done", "SD-3": "pending", "SD-4": "done", "SD-5": "done"}
    assert failed.attempts == 1 and "this room cannot take SD-3" in (failed.last_error or "")
    # The failing event's mood entry, written before its room failed, went with it; the others stayed.
    assert scored == ["SD-1", "SD-2", "SD-4", "SD-5"]
    assert held == []  # every ticket's lane let go, the failed one's included


def test_several_tickets_share_a_transaction(store: Store, make_event, commits: list[int]) -> None:  # type: ignore[no-untyped-def]
    def commits_to_process(batch: int) -> int:
        stored(store, [make_event(key=f"SD-{n}", text="Thanks, that works now.") for n in range(1, 7)])
        settings = settings_for(batch)
        processor = EventProcessor(settings, store, Pipeline(settings, get_engine("textblob")), "w1")
        commits.clear()
        assert processor.process_once().processed == 6
        return len(commits)

    one_by_one = commits_to_process(1)
    # Six tickets, three to a transaction: two transactions where there were six.
    assert commits_to_process(3) == one_by_one - 4


def test_a_tickets_later_events_wait_behind_its_failed_one(store: Store, make_event) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(20)
    stored(
        store,
        [
            make_event(key="SD-3", text="first"),
            make_event(key="SD-3", text="second"),
            make_event(key="SD-4", text="other ticket"),
        ],
    )
    pipeline = Pipeline(settings, get_engine("textblob"), surveys=FailsOn("SD-3"))
    report = EventProcessor(settings, store, pipeline, "w1").process_once()
    assert (report.processed, report.failed, report.deferred) == (1, 1, 1)
    with store.session() as session:
        rows = session.execute(
            select(EventRow.ticket_key, EventRow.state, EventRow.attempts).order_by(EventRow.id)
        )
        assert [tuple(r) for r in rows] == [
            ("SD-3", "pending", 1),
            ("SD-3", "pending", 0),
            ("SD-4", "done", 0),
        ]
