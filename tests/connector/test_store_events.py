"""Deliveries and events in a real database: stored once, claimed in order, settled."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from connector.store import Store
from connector.store import events as event_store
from connector.store.models import Delivery, EventRow, utcnow
from tests.connector.deliveries import delivered

LEASE = timedelta(seconds=60)


def _store(store: Store, key: str, *events, body: bytes = b"{}") -> event_store.StoredDelivery:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return delivered(session, *events, key=key, body=body)


def test_a_retried_delivery_stores_nothing_new(store: Store, make_event) -> None:  # type: ignore[no-untyped-def]
    event = make_event(text="hello", event_id="d1:0")
    first = _store(store, "d1", event)
    again = _store(store, "d1", event)
    assert (first.duplicate, first.events_stored) == (False, 1)
    assert (again.duplicate, again.events_stored) == (True, 0)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(EventRow)) == 1
        assert session.scalar(select(func.count()).select_from(Delivery)) == 1
        row = session.scalars(select(EventRow)).one()
        assert row.state == "pending"
        assert row.kind == "commented"
        assert row.ticket_key == "SD-1"


def test_same_event_in_two_deliveries_is_stored_once(store: Store, make_event) -> None:  # type: ignore[no-untyped-def]
    event = make_event(text="hello", event_id="comment-1001")
    assert _store(store, "d1", event).events_stored == 1
    assert _store(store, "d2", event).events_stored == 0


def test_claims_come_in_arrival_order_and_lease_excludes_others(store: Store, make_event) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):
        _store(store, f"d{n}", make_event(key=f"SD-{n % 2 + 1}", text=f"m{n}"))
    with store.session() as session:
        first = [(r.ticket_key, r.event_id) for r in event_store.claim_events(session, "w1", 3, LEASE)]
    with store.session() as session:
        second = [(r.ticket_key, r.event_id) for r in event_store.claim_events(session, "w2", 10, LEASE)]
    assert [e for _, e in first] == ["delivery-1:0", "delivery-2:0", "delivery-3:0"]
    # w1 holds events of both tickets, so w2 must not overtake them on either ticket.
    assert second == []


def test_concurrent_claims_never_overtake_a_ticket(store: Store, make_event) -> None:  # type: ignore[no-untyped-def]
    # Worker 1's claim has leased SD-1's first event but not committed yet when worker 2 claims: worker 2
    # must not take SD-1's second event (it would be processed before the first), only SD-2's.
    _store(store, "a", make_event(key="SD-1", text="first"))
    _store(store, "b", make_event(key="SD-1", text="second"))
    _store(store, "c", make_event(key="SD-2", text="other ticket"))
    second: list[tuple[str, str]] = []

    def worker_2() -> None:
        with store.session() as session:
            second.extend(
                (r.ticket_key, r.event_id) for r in event_store.claim_events(session, "w2", 10, LEASE)
            )

    with store.session() as session:
        first = [(r.ticket_key, r.event_id) for r in event_store.claim_events(session, "w1", 1, LEASE)]
        racer = threading.Thread(target=worker_2)
        racer.start()
        racer.join(timeout=0.5)  # worker 2 is now waiting for worker 1's claim to commit, or done
    racer.join(timeout=30)
    assert not racer.is_alive()
    assert first == [("SD-1", "delivery-1:0")]
    assert second == [("SD-2", "delivery-3:0")]


def test_a_ticket_waits_behind_its_failed_event(store: Store, make_event) -> None:  # type: ignore[no-untyped-def]
    _store(store, "a", make_event(key="SD-1", text="first"))
    _store(store, "b", make_event(key="SD-1", text="second"))
    _store(store, "c", make_event(key="SD-2", text="other ticket"))
    with store.session() as session:
        rows = event_store.claim_events(session, "w1", 1, LEASE)
        failed_pk, lane_id = rows[0].id, rows[0].lane_id
    with store.session() as session:
        event_store.mark_failed_attempt(session, failed_pk, "boom", max_attempts=3)
        event_store.release_all(session, [lane_id], "w1", {lane_id: utcnow() + timedelta(minutes=5)})
    with store.session() as session:
        claimed = [(r.ticket_key, r.kind) for r in event_store.claim_events(session, "w1", 10, LEASE)]
    assert claimed == [("SD-2", "commented")]


def test_an_expired_lease_is_taken_over(store: Store, make_event) -> None:  # type: ignore[no-untyped-def]
    _store(store, "a", make_event(text="x"))
    with store.session() as session:
        assert len(event_store.claim_events(session, "dead-worker", 10, timedelta(seconds=-1))) == 1
    with store.session() as session:
        rows = event_store.claim_events(session, "w2", 10, LEASE)
        assert [r.claimed_by for r in rows] == ["w2"]


def test_failed_attempts_park_the_event_after_the_limit(store: Store, make_event) -> None:  # type: ignore[no-untyped-def]
    _store(store, "a", make_event(text="x"))
    with store.session() as session:
        pk = event_store.claim_events(session, "w", 1, LEASE)[0].id
    states = []
    for _ in range(3):
        with store.session() as session:
            states.append(event_store.mark_failed_attempt(session, pk, "boom", max_attempts=3))
    assert states == ["pending", "pending", "failed"]
    with store.session() as session:
        assert event_store.counts_by_state(session) == {"failed": 1}
        assert event_store.claim_events(session, "w", 1, LEASE) == []


def test_done_events_leave_the_queue(store: Store, make_event) -> None:  # type: ignore[no-untyped-def]
    _store(store, "a", make_event(text="x"))
    with store.session() as session:
        assert event_store.oldest_pending(session) is not None
        pk = event_store.claim_events(session, "w", 1, LEASE)[0].id
        event_store.mark_done(session, pk)
    with store.session() as session:
        assert event_store.oldest_pending(session) is None
        assert event_store.counts_by_state(session) == {"done": 1}
