"""The outbox flusher with the real Jira writer; Jira's HTTP answers recorded with `responses`."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import responses
from sqlalchemy import select

from adapters.errors import RateLimited
from adapters.jira.writer import JiraTarget, JiraWriter
from connector.backoff import backoff_seconds
from connector.outbox import Flusher
from connector.settings import WritebackSettings
from connector.store import Store
from connector.store import outbox as queue
from connector.store.models import Lane, OutboxAction, SitePause, utcnow

BASE = "https://acme.atlassian.net"
ISSUE = f"{BASE}/rest/api/3/issue/SD-1"
CF = "com.atlassian.jira.plugin.system.customfieldtypes:"
FIELDS = [
    {
        "id": "customfield_10050",
        "name": "Customer mood",
        "custom": True,
        "schema": {"type": "option", "custom": CF + "select", "customId": 10050},
    },
    {
        "id": "customfield_10051",
        "name": "Customer mood score",
        "custom": True,
        "schema": {"type": "number", "custom": CF + "float", "customId": 10051},
    },
]
SETTINGS = WritebackSettings(backoff_initial_seconds=2, backoff_max_seconds=60, max_attempts=3)


@pytest.fixture
def jira():  # type: ignore[no-untyped-def]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{BASE}/rest/api/3/field", json=FIELDS)
        yield mock


@pytest.fixture
def flusher(store: Store) -> Flusher:
    writer = JiraWriter(
        JiraTarget(
            url=BASE,
            email="bot@example.com",
            api_token="token",
            fields={"mood": "Customer mood", "mood_score": "Customer mood score"},
        )
    )
    return Flusher(store, SETTINGS, lambda site: writer if site == "jira-prod" else None, "w1")


def queue_write(store: Store, values: dict, key: str = "SD-1", site: str = "jira-prod") -> None:
    with store.session() as session:
        queue.enqueue_fields(
            session, platform="jira", site=site, ticket_key=key, values=values, delay=timedelta(0)
        )


def rows(store: Store) -> list[OutboxAction]:
    with store.session() as session:
        return list(session.scalars(select(OutboxAction).order_by(OutboxAction.id)))


def make_due_now(store: Store) -> None:
    """Skip the wait before the next attempt."""
    with store.session() as session:
        for row in session.scalars(select(OutboxAction)):
            row.due_at = utcnow()
        for lane in session.scalars(select(Lane)):
            lane.due_at = utcnow()


def die_while_sending(store: Store) -> None:
    """A worker that took the ticket's lane, marked its action as going out, and died."""
    with store.session() as session:
        lanes = queue.claim(session, "dead", 10, timedelta(seconds=-1))
    for lane in lanes:
        with store.session() as session:
            assert queue.begin(session, lane.actions[0], "dead") is not None


def puts(jira: responses.RequestsMock) -> list[dict]:
    return [json.loads(c.request.body) for c in jira.calls if c.request.method == "PUT"]


def test_a_write_is_sent_once_with_notify_users_off(store: Store, flusher: Flusher, jira) -> None:  # type: ignore[no-untyped-def]
    jira.put(ISSUE, status=204)
    queue_write(store, {"mood": "Negative", "mood_score": -0.4})
    report = flusher.flush_once()
    assert (report.sent, report.failed, report.retried) == (1, 0, 0)
    assert puts(jira) == [{"fields": {"customfield_10050": {"value": "Negative"}, "customfield_10051": -0.4}}]
    [put] = [c for c in jira.calls if c.request.method == "PUT"]
    assert "notifyUsers=false" in put.request.url
    assert [r.state for r in rows(store)] == ["done"]
    assert flusher.flush_once().handled == 0  # nothing is sent twice


def test_429_pauses_the_site_for_retry_after_and_does_not_count(store: Store, flusher: Flusher, jira) -> None:  # type: ignore[no-untyped-def]
    jira.put(
        ISSUE, status=429, headers={"Retry-After": "30"}, json={"errorMessages": ["Rate limit exceeded"]}
    )
    queue_write(store, {"mood": "Negative"})
    queue_write(store, {"mood": "Positive"}, key="SD-2")
    report = flusher.flush_once(limit=1)
    assert report.retried == 1
    [first, second] = rows(store)
    assert (first.state, first.attempts) == ("pending", 0)
    assert 25 <= (first.due_at - utcnow()).total_seconds() <= 30
    with store.session() as session:
        pause = session.get(SitePause, "jira-prod")
        assert pause is not None and 25 <= (pause.until - utcnow()).total_seconds() <= 30
    # The whole site waits, not just the ticket that hit the limit.
    assert flusher.flush_once().handled == 0
    assert second.state == "pending"


def test_5xx_backs_off_then_gives_up_after_max_attempts(
    store: Store, flusher: Flusher, jira, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    jira.put(ISSUE, status=503, body="Service Unavailable")
    queue_write(store, {"mood": "Negative"})
    for attempt in range(1, SETTINGS.max_attempts + 1):
        report = flusher.flush_once()
        [row] = rows(store)
        assert row.attempts == attempt
        if attempt < SETTINGS.max_attempts:
            assert (report.retried, row.state) == (1, "pending")
            assert row.due_at > utcnow()
            make_due_now(store)  # instead of waiting
    assert (report.failed, row.state) == (1, "failed")
    assert "gave up after 3 attempts" in (row.last_error or "")
    assert len(puts(jira)) == 3


def test_other_4xx_fail_at_once_with_jiras_message(store: Store, flusher: Flusher, jira) -> None:  # type: ignore[no-untyped-def]
    jira.put(
        ISSUE,
        status=400,
        json={"errorMessages": [], "errors": {"customfield_10050": "Option value 'Negative' is not valid"}},
    )
    queue_write(store, {"mood": "Negative"})
    report = flusher.flush_once()
    assert report.failed == 1
    [row] = rows(store)
    assert row.state == "failed"
    assert "customfield_10050" in (row.last_error or "") and "is not valid" in (row.last_error or "")


def test_an_unknown_site_fails_the_write_with_a_reason(store: Store, flusher: Flusher, jira) -> None:  # type: ignore[no-untyped-def]
    queue_write(store, {"mood": "Negative"}, site="removed-site")
    assert flusher.flush_once().failed == 1
    assert "not configured" in (rows(store)[0].last_error or "")


def test_an_uncertain_write_already_on_the_ticket_is_not_sent_again(
    store: Store, flusher: Flusher, jira
) -> None:  # type: ignore[no-untyped-def]
    jira.get(
        ISSUE,
        json={
            "key": "SD-1",
            "fields": {"customfield_10050": {"value": "Negative", "id": "1"}, "customfield_10051": -0.4},
        },
    )
    jira.put(ISSUE, status=204)
    queue_write(store, {"mood": "Negative", "mood_score": -0.4})
    die_while_sending(store)  # before recording the outcome
    report = flusher.flush_once()
    assert (report.reconciled, report.sent) == (1, 0)
    assert puts(jira) == []


def test_an_uncertain_write_not_on_the_ticket_is_sent(store: Store, flusher: Flusher, jira) -> None:  # type: ignore[no-untyped-def]
    jira.get(ISSUE, json={"key": "SD-1", "fields": {"customfield_10050": None, "customfield_10051": None}})
    jira.put(ISSUE, status=204)
    queue_write(store, {"mood": "Negative", "mood_score": -0.4})
    die_while_sending(store)
    report = flusher.flush_once()
    assert (report.reconciled, report.sent) == (0, 1)
    assert len(puts(jira)) == 1


def test_backoff_grows_exponentially_within_bounds() -> None:
    highest = [backoff_seconds(n, SETTINGS, rng=lambda: 1.0) for n in range(1, 8)]
    assert highest == [2, 4, 8, 16, 32, 60, 60]
    lowest = backoff_seconds(5, SETTINGS, rng=lambda: 0.0)
    assert lowest == 1.0  # never an immediate retry storm


class Recorder:
    """A room's own channel (an e-mail, a chat message): records what it was asked to send."""

    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.sent: list[tuple[str, bool]] = []
        self.failures = failures or []

    def send(self, action: queue.ClaimedAction) -> tuple[str | None, bool]:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((action.payload["to"], action.uncertain))
        return f"msg-{len(self.sent)}", False


def queue_other(store: Store, kind: str = "notify", key: str = "n-1") -> None:
    with store.session() as session:
        queue.enqueue(
            session,
            platform="jira",
            site="jira-prod",
            ticket_key="SD-1",
            kind=kind,
            key=key,
            payload={"to": "ops"},
        )


def test_a_rooms_own_kind_goes_through_its_sender(store: Store, flusher: Flusher, jira) -> None:  # type: ignore[no-untyped-def]
    channel = Recorder()
    flusher.register("notify", channel)
    queue_other(store)
    queue_other(store)  # the same key: queued once
    report = flusher.flush_once()
    assert (report.sent, channel.sent) == (1, [("ops", False)])
    assert [(r.kind, r.state, r.result) for r in rows(store)] == [("notify", "done", "msg-1")]
    assert puts(jira) == []


def test_a_rooms_channel_rate_limit_does_not_pause_the_site(store: Store, flusher: Flusher, jira) -> None:  # type: ignore[no-untyped-def]
    flusher.register("notify", Recorder([RateLimited("slack said slow down", retry_after=30)]))
    queue_other(store)
    assert flusher.flush_once().retried == 1
    with store.session() as session:
        assert session.get(SitePause, "jira-prod") is None


def test_a_kind_without_a_sender_fails_with_the_reason(store: Store, flusher: Flusher, jira) -> None:  # type: ignore[no-untyped-def]
    queue_other(store, kind="carrier-pigeon")
    assert flusher.flush_once().failed == 1
    assert rows(store)[0].last_error == "no sender for 'carrier-pigeon' actions"
    with pytest.raises(ValueError, match="the platform's"):
        flusher.register("comment", Recorder())
