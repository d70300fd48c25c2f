"""simulators/webhooks.py, the signed webhook sender every simulator shares, to real loopback receivers.

What Jira's headers and payloads look like on the wire is tested with the Jira simulator in
tests/simulators/jira/test_webhooks.py; here is the dispatcher's own contract: signing, per-ticket lanes
that hold back only their own ticket, what a receiver that is down, slow or failing gets, giving up.
"""

from __future__ import annotations

import hashlib
import hmac
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from simulators.testing import WebhookReceiver
from simulators.webhooks import RETRYABLE_STATUSES, WebhookDispatcher, retryable, sign

SECRET = "shared-webhook-secret"


def _headers(identifier: str, attempt: int, body: bytes, secret: str | None) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "X-Delivery": identifier, "X-Attempt": str(attempt)}
    if secret is not None:
        headers["X-Signature"] = sign(secret, body)
    return headers


@pytest.fixture
def dispatcher() -> Iterator[WebhookDispatcher]:
    running = WebhookDispatcher(_headers, retry_delays=(0.01, 0.01), timeout=(1.0, 1.0))
    running.start()
    yield running
    running.stop()


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _event(n: int, **extra: Any) -> dict[str, Any]:
    return {"webhookEvent": "ticket_updated", "n": n, **extra}


def test_the_signature_verifies_with_the_secret_over_the_body_received(
    dispatcher: WebhookDispatcher, hook: WebhookReceiver
) -> None:
    dispatcher.register(hook.url, ["ticket_updated"], secret=SECRET)
    dispatcher.publish("ticket_updated", _event(1, text="naïve ✓"), lane="t1", issue_key="SD-1")
    assert hook.wait_for(1)
    received = hook.received[0]
    signature = received.header("X-Signature")
    assert signature is not None and signature.startswith("sha256=")
    expected = hmac.new(SECRET.encode(), received.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature, "sha256=" + expected)
    assert signature != sign("another-secret", received.body)
    assert signature != sign(SECRET, received.body.replace(b"1", b"2"))
    assert received.json() == _event(1, text="naïve ✓")


def test_an_unsigned_registration_sends_no_signature(
    dispatcher: WebhookDispatcher, hook: WebhookReceiver
) -> None:
    dispatcher.register(hook.url, ["*"], secret="")  # an empty secret is no secret
    dispatcher.publish("ticket_updated", _event(1), lane="t1", issue_key=None)
    assert hook.wait_for(1)
    assert hook.received[0].header("X-Signature") is None


def test_only_registrations_that_want_the_event_get_it(dispatcher: WebhookDispatcher) -> None:
    with WebhookReceiver() as everything, WebhookReceiver() as updates, WebhookReceiver() as comments:
        dispatcher.register(everything.url, ["*"])
        dispatcher.register(updates.url, ["ticket_updated"])
        dispatcher.register(comments.url, ["comment_created"])
        assert dispatcher.publish("ticket_updated", _event(1), lane="t1", issue_key=None) == 2
        assert dispatcher.publish("ticket_deleted", _event(2), lane="t1", issue_key=None) == 1
        assert dispatcher.wait_idle(5)
        assert [r.json()["n"] for r in everything.received] == [1, 2]
        assert [r.json()["n"] for r in updates.received] == [1]
        assert comments.received == []
    assert dispatcher.wants("ticket_created")  # '*' wants everything


def test_a_failing_ticket_holds_back_only_its_own_lane(
    dispatcher: WebhookDispatcher, hook: WebhookReceiver
) -> None:
    dispatcher.retry_delays = (1.0,)  # long enough for lane B to go by, even on a loaded machine
    dispatcher.register(hook.url, ["*"])
    hook.answer_next(503)
    dispatcher.publish("ticket_updated", _event(1, ticket="A"), lane="A", issue_key="SD-1")
    assert hook.wait_for(1)
    dispatcher.publish("ticket_updated", _event(2, ticket="A"), lane="A", issue_key="SD-1")
    dispatcher.publish("ticket_updated", _event(3, ticket="B"), lane="B", issue_key="SD-2")
    assert dispatcher.wait_idle(5)
    order = [(r.json()["n"], r.answered) for r in hook.received]
    assert order == [(1, 503), (3, 200), (1, 200), (2, 200)]  # B went by while A waited to retry
    retried = [d for d in dispatcher.deliveries() if d.json()["n"] == 1]
    assert [(d.attempt, d.status) for d in retried] == [(1, 503), (2, 200)]
    assert retried[0].identifier == retried[1].identifier and retried[0].body == retried[1].body
    assert [r.header("X-Attempt") for r in hook.received if r.json()["n"] == 1] == ["1", "2"]


def test_a_receiver_that_is_down_gets_every_retry_then_the_lane_moves_on(
    dispatcher: WebhookDispatcher,
) -> None:
    down = f"http://127.0.0.1:{_closed_port()}/webhook"
    dispatcher.register(down, ["*"])
    dispatcher.publish("ticket_updated", _event(1), lane="A", issue_key="SD-1")
    dispatcher.publish("ticket_updated", _event(2), lane="A", issue_key="SD-1")
    assert dispatcher.wait_idle(10)
    attempts = [(d.json()["n"], d.attempt, d.status, d.delivered) for d in dispatcher.deliveries()]
    assert attempts == [(n, attempt, None, False) for n in (1, 2) for attempt in (1, 2, 3)]
    assert all(
        d.error is not None and d.error.startswith("ConnectionError: ") for d in dispatcher.deliveries()
    )
    assert dispatcher.pending() == 0


def test_a_receiver_slower_than_the_timeout_gets_every_retry_then_is_given_up(
    dispatcher: WebhookDispatcher,
) -> None:
    dispatcher.timeout = (1.0, 0.2)
    with WebhookReceiver(delay=0.5) as slow:
        dispatcher.register(slow.url, ["*"])
        dispatcher.publish("ticket_updated", _event(1), lane="A", issue_key=None)
        assert dispatcher.wait_idle(10)
        assert slow.wait_for(3)  # each attempt arrived; each answer came after the sender stopped waiting
    deliveries = dispatcher.deliveries()
    assert [(d.attempt, d.status) for d in deliveries] == [(1, None), (2, None), (3, None)]
    assert all(d.error is not None and d.error.startswith("ReadTimeout: ") for d in deliveries)


@pytest.mark.parametrize("status", [301, 302, 400, 401, 404, 410])
def test_an_answer_that_retrying_cannot_change_is_final(
    dispatcher: WebhookDispatcher, hook: WebhookReceiver, status: int
) -> None:
    """A redirect is not followed (a platform posts to the URL it was given) and not retried."""
    dispatcher.register(hook.url, ["*"])
    hook.answer_next(status)
    dispatcher.publish("ticket_updated", _event(1), lane="A", issue_key=None)
    dispatcher.publish("ticket_updated", _event(2), lane="A", issue_key=None)
    assert dispatcher.wait_idle(5)
    assert [(r.json()["n"], r.answered) for r in hook.received] == [(1, status), (2, 200)]


def test_which_answers_are_retried() -> None:
    assert retryable(None)  # no answer at all
    assert all(retryable(status) for status in [*RETRYABLE_STATUSES, 500, 502, 503, 504])
    assert not any(retryable(status) for status in [200, 204, 301, 400, 401, 403, 404, 422])


def test_unregistering_stops_the_retries_and_what_was_queued(dispatcher: WebhookDispatcher) -> None:
    dispatcher.retry_delays = (0.3, 0.3, 0.3)
    with WebhookReceiver(default_status=503) as failing:
        registration = dispatcher.register(failing.url, ["*"])
        for n in range(3):
            dispatcher.publish("ticket_updated", _event(n), lane="A", issue_key=None)
        assert failing.wait_for(1)
        assert dispatcher.unregister(registration.id) is True
        assert dispatcher.unregister(registration.id) is False
        assert dispatcher.wait_idle(5)
        assert [r.json()["n"] for r in failing.received] == [0]
        assert dispatcher.pending() == 0


def test_time_scale_shortens_the_retry_delays() -> None:
    scaled = WebhookDispatcher(_headers, retry_delays=(3600.0,), time_scale=0.00001)
    scaled.start()
    try:
        with WebhookReceiver() as hook:
            scaled.register(hook.url, ["*"])
            hook.answer_next(500)
            scaled.publish("ticket_updated", _event(1), lane="A", issue_key=None)
            assert hook.wait_for(2, timeout=5)  # an hour's delay, scaled to 36 ms
            assert [r.answered for r in hook.received] == [500, 200]
    finally:
        scaled.stop()


@pytest.mark.parametrize(
    ("url", "events", "refusal"),
    [
        ("http://127.0.0.1:9/webhook", [], "at least one event"),
        ("ftp://127.0.0.1/webhook", ["*"], "must be http"),
        ("127.0.0.1:9/webhook", ["*"], "must be http"),
    ],
)
def test_a_bad_registration_is_refused(url: str, events: list[str], refusal: str) -> None:
    dispatcher = WebhookDispatcher(_headers, retry_delays=())
    with pytest.raises(ValueError, match=refusal):
        dispatcher.register(url, events)
    assert dispatcher.registrations() == []


def test_a_registration_describes_itself_without_its_secret() -> None:
    dispatcher = WebhookDispatcher(_headers, retry_delays=())
    made = dispatcher.register("https://ela.example/webhooks/jira", ["b", "a"], secret=SECRET, name="ELA")
    assert made.describe() == {
        "id": made.id,
        "url": "https://ela.example/webhooks/jira",
        "events": ["a", "b"],
        "signed": True,
        "name": "ELA",
    }
    assert SECRET not in repr(made.describe())
