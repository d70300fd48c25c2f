"""The outbox in a real database: coalescing, lanes and leases, reconciling, merging on retry, comments
queued once."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from connector.store import Store, sites
from connector.store import outbox as queue
from connector.store.models import AuditEntry, OutboxAction, utcnow

LEASE = timedelta(seconds=60)
NOW = timedelta(0)


def _enqueue(
    store: Store, values: dict, key: str = "SD-1", delay: timedelta = NOW, leading: bool = False
) -> int:
    with store.session() as session:
        return queue.enqueue_fields(
            session,
            platform="jira",
            site="jira-prod",
            ticket_key=key,
            values=values,
            delay=delay,
            leading=leading,
        )


def _claim(store: Store, worker: str = "w1", lease: timedelta = LEASE) -> list[queue.ClaimedAction]:
    """Claim due lanes and begin their first due action, as the flusher does."""
    with store.session() as session:
        lanes = queue.claim(session, worker, 50, lease)
    started = []
    for lane in lanes:
        due = [a for a in lane.actions if a.uncertain or a.due_at <= utcnow()]
        if not due:
            with store.session() as session:
                queue.release(session, lane.id, worker)
            continue
        with store.session() as session:
            action = queue.begin(session, due[0], worker)
        assert action is not None
        started.append(action)
    return started


def _release(store: Store, action: queue.ClaimedAction, worker: str = "w1") -> None:
    with store.session() as session:
        queue.release(session, action.lane_id, worker)


def test_a_burst_of_values_coalesces_into_one_write(store: Store) -> None:
    ids = {_enqueue(store, {"mood": f"v{n}", "mood_score": n / 10}) for n in range(10)}
    _enqueue(store, {"mood_trend": "Improving"})
    assert len(ids) == 1
    [write] = _claim(store)
    assert write.values == {"mood": "v9", "mood_score": 0.9, "mood_trend": "Improving"}
    assert (write.attempts, write.uncertain) == (1, False)


def test_nothing_is_due_inside_the_coalescing_window(store: Store) -> None:
    _enqueue(store, {"mood": "a"}, delay=timedelta(seconds=30))
    assert _claim(store) == []


def _due_at(store: Store, action_id: int) -> timedelta:
    with store.session() as session:
        row = session.get(OutboxAction, action_id)
        assert row is not None
        return row.due_at - utcnow()


def test_leading_edge_a_ticket_not_written_lately_is_due_at_once(store: Store) -> None:
    window = timedelta(seconds=30)
    first = _enqueue(store, {"mood": "a"}, delay=window, leading=True)
    assert _due_at(store, first) <= timedelta(0)
    [write] = _claim(store)
    with store.session() as session:
        assert queue.mark_sent(session, write, "w1", reconciled=False)
    _release(store, write)
    # Written a moment ago: the next values wait for the end of the window opened by that write,
    # and what follows them within it joins the same call.
    second = _enqueue(store, {"mood": "b"}, delay=window, leading=True)
    assert timedelta(seconds=25) < _due_at(store, second) <= window
    assert _enqueue(store, {"mood_trend": "Improving"}, delay=window, leading=True) == second
    assert _claim(store) == []


def test_leading_edge_counts_from_the_last_write_not_the_first(store: Store) -> None:
    window = timedelta(seconds=30)
    old = _enqueue(store, {"mood": "a"}, delay=window, leading=True)
    [write] = _claim(store)
    with store.session() as session:
        assert queue.mark_sent(session, write, "w1", reconciled=False)
        row = session.get(OutboxAction, old)
        assert row is not None
        row.first_sent_at = utcnow() - timedelta(minutes=5)  # written long ago
    _release(store, write)
    assert _due_at(store, _enqueue(store, {"mood": "b"}, delay=window, leading=True)) <= timedelta(0)


def test_values_arriving_while_a_write_is_in_flight_wait_for_it(store: Store) -> None:
    _enqueue(store, {"mood": "old"})
    [first] = _claim(store)
    _enqueue(store, {"mood": "new"})
    assert _claim(store, "w2") == []  # same ticket, first write still in flight
    with store.session() as session:
        assert queue.mark_sent(session, first, "w1", reconciled=False)
    _release(store, first)
    [second] = _claim(store, "w2")
    assert second.values == {"mood": "new"}


def test_a_dead_workers_write_is_taken_over_as_uncertain(store: Store) -> None:
    _enqueue(store, {"mood": "x"})
    [lost] = _claim(store, "dead", lease=timedelta(seconds=-1))
    [again] = _claim(store, "w2")
    assert (again.id, again.uncertain, again.attempts) == (lost.id, True, 2)
    with store.session() as session:
        # The dead worker coming back late cannot settle a write it no longer holds.
        assert not queue.mark_sent(session, lost, "dead", reconciled=False)
        assert queue.mark_sent(session, again, "w2", reconciled=True)
    with store.session() as session:
        actions = [a.action for a in session.scalars(select(AuditEntry))]
    assert actions == ["writeback.reconciled"]


def test_a_retry_merges_under_newer_values(store: Store) -> None:
    _enqueue(store, {"mood": "old", "mood_score": -0.5})
    [write] = _claim(store)
    _enqueue(store, {"mood": "new"})
    with store.session() as session:
        assert queue.reschedule(session, write, "w1", due_at=utcnow(), error="503", count_attempt=True)
    _release(store, write)
    [merged] = _claim(store)
    assert merged.values == {"mood": "new", "mood_score": -0.5}
    assert merged.attempts == 2  # the retry keeps counting toward the limit
    with store.session() as session:
        states = sorted(r.state for r in session.scalars(select(OutboxAction)))
    assert states == ["sending", "superseded"]


def test_a_rate_limited_retry_does_not_count_as_an_attempt(store: Store) -> None:
    _enqueue(store, {"mood": "x"})
    [write] = _claim(store)
    with store.session() as session:
        queue.reschedule(session, write, "w1", due_at=utcnow(), error="429", count_attempt=False)
    _release(store, write)
    [again] = _claim(store)
    assert again.attempts == 1


def test_a_paused_site_is_reported_until_the_pause_ends(store: Store) -> None:
    with store.session() as session:
        sites.pause_site(session, "jira-prod", utcnow() + timedelta(minutes=1), "429")
    with store.session() as session:
        sites.pause_site(session, "jira-prod", utcnow() - timedelta(seconds=1), "shorter: ignored")
    with store.session() as session:
        until = sites.paused_until(session, "jira-prod")
    assert until is not None and until > utcnow() + timedelta(seconds=50)


def test_failed_writes_are_kept_with_the_platforms_message(store: Store) -> None:
    _enqueue(store, {"mood": "x"})
    [write] = _claim(store)
    with store.session() as session:
        queue.mark_failed(session, write, "w1", "customfield_1: Field cannot be set")
    with store.session() as session:
        assert queue.counts_by_state(session) == {"failed": 1}
        [row] = queue.recent_failures(session)
        assert row.last_error == "customfield_1: Field cannot be set"


def test_deleting_a_ticket_cancels_its_pending_write(store: Store) -> None:
    _enqueue(store, {"mood": "x"}, key="SD-9")
    with store.session() as session:
        cancelled = queue.cancel_pending(
            session, platform="jira", site="jira-prod", ticket_key="SD-9", reason="ticket deleted"
        )
        assert cancelled == 1
    assert _claim(store) == []
    with store.session() as session:
        entries = session.execute(select(AuditEntry.ticket_key, AuditEntry.action, AuditEntry.detail)).all()
    [(ticket, action, detail)] = [e for e in entries if e.action.endswith(".cancelled")]
    assert (ticket, action) == ("SD-9", "writeback.cancelled")
    assert json.loads(detail)["reason"] == "ticket deleted"


def test_retries_total_counts_attempts_beyond_the_first(store: Store) -> None:
    _enqueue(store, {"mood": "x"})
    for _ in range(3):
        [write] = _claim(store)
        with store.session() as session:
            queue.reschedule(session, write, "w1", due_at=utcnow(), error="503", count_attempt=True)
        _release(store, write)
    with store.session() as session:
        assert queue.retries_total(session) == 2


def test_a_comment_is_queued_once_per_key(store: Store) -> None:
    with store.session() as session:
        first = queue.enqueue_comment(
            session, platform="jira", site="jira-prod", ticket_key="SD-1", text="Hi", public=False, key="k1"
        )
        again = queue.enqueue_comment(
            session, platform="jira", site="jira-prod", ticket_key="SD-1", text="Hi", public=False, key="k1"
        )
    assert first is not None and again is None
    [action] = _claim(store)
    assert (action.kind, action.payload) == ("comment", {"text": "Hi", "public": False})


def test_a_ticket_s_actions_come_in_order_and_one_at_a_time(store: Store) -> None:
    with store.session() as session:
        for n in range(3):
            queue.enqueue_labels(
                session, platform="jira", site="jira-prod", ticket_key="SD-1", key=f"l{n}", add=[f"l{n}"]
            )
    with store.session() as session:
        [lane] = queue.claim(session, "w1", 10, LEASE)
        assert [a.payload["add"] for a in lane.actions] == [["l0"], ["l1"], ["l2"]]
    with store.session() as session:
        assert queue.claim(session, "w2", 10, LEASE) == []  # the ticket's lane is held by w1
