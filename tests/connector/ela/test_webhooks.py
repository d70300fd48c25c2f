"""Escalation webhooks over real HTTP to a loopback receiver: Slack and Teams JSON, signed, retried
through the outbox, and the webhook URL (a credential) kept out of every message."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
import responses
from sqlalchemy import select

from connector.ela.webhooks import WEBHOOK_KIND, WebhookSender
from connector.outbox import Flusher
from connector.settings import WritebackSettings
from connector.settings.ela import WebhookTarget
from connector.store import Store
from connector.store import outbox as queue
from connector.store.models import AuditEntry, Lane, OutboxAction, utcnow
from simulators.testing import WebhookReceiver

SECRET = "signing-secret-0123456789"
MESSAGE = {
    "status": "at_risk",
    "site": "jira-prod",
    "ticket": "SD-7",
    "summary": "VPN drops",
    "url": "https://example.atlassian.net/browse/SD-7",
    "policy": "reply",
    "title": "Reply to unhappy customers",
    "reason": "no reply 3h after a very negative message (4h allowed)",
    "mood": "Very negative (-0.72)",
    "due": "2026-11-02T13:00:00+00:00",
    "at": "2026-11-02T12:00:00+00:00",
}
SETTINGS = WritebackSettings(backoff_initial_seconds=0.01, backoff_max_seconds=0.05, max_attempts=3)


def target(url: str, fmt: str = "slack", secret: str | None = SECRET) -> WebhookTarget:
    return WebhookTarget.model_validate({"url": url, "format": fmt, "secret": secret, "timeout_seconds": 2})


def queue_webhook(store: Store, name: str = "ops", key: str = "ela:SD-7:reply:1:at_risk:webhook:ops") -> None:
    with store.session() as session:
        queue.enqueue(
            session,
            platform="jira",
            site="jira-prod",
            ticket_key="SD-7",
            kind=WEBHOOK_KIND,
            key=key,
            payload={"webhook": name, "message": MESSAGE},
        )


def flusher(store: Store, targets: dict[str, WebhookTarget]) -> Flusher:
    result = Flusher(store, SETTINGS, lambda site: None, "w1")
    result.register(WEBHOOK_KIND, WebhookSender(targets))
    return result


def flush_until_settled(store: Store, flush: Flusher, rounds: int = 20) -> OutboxAction:
    for _ in range(rounds):
        flush.flush_once()
        with store.session() as session:
            row = session.scalars(select(OutboxAction)).one()
            if row.state in ("done", "failed"):
                return row
            row.due_at = utcnow()
            for lane in session.scalars(select(Lane)):
                lane.due_at = utcnow()
        time.sleep(0.02)
    raise AssertionError("the webhook action did not settle")


def test_a_slack_message_is_posted_once_signed_and_audited(store: Store) -> None:
    with WebhookReceiver() as slack:
        queue_webhook(store)
        row = flush_until_settled(store, flusher(store, {"ops": target(slack.url)}))
        assert row.state == "done"
        [hit] = slack.received
    body = hit.json()
    assert body["text"] == (
        "ELA at risk: SD-7 (VPN drops): no reply 3h after a very negative message (4h allowed)"
    )
    section, context = body["blocks"]
    assert section["text"]["text"].startswith(
        "*ELA at risk* on <https://example.atlassian.net/browse/SD-7|SD-7>"
    )
    assert "Customer's last mood: Very negative (-0.72)" in context["elements"][0]["text"]
    assert hit.header("Content-Type") == "application/json"
    assert hit.header("X-ELA-Idempotency-Key") == "ela:SD-7:reply:1:at_risk:webhook:ops"
    stamp = hit.header("X-ELA-Timestamp")
    expected = hmac.new(SECRET.encode(), f"{stamp}.".encode() + hit.body, hashlib.sha256).hexdigest()
    assert hit.header("X-ELA-Signature") == f"sha256={expected}"
    with store.session() as session:
        [entry] = session.scalars(select(AuditEntry))
    assert entry.action == "ela.webhook.sent" and json.loads(entry.detail)["webhook"] == "ops"


def test_a_teams_message_is_an_adaptive_card(store: Store) -> None:
    with WebhookReceiver() as teams:
        queue_webhook(store)
        flush_until_settled(store, flusher(store, {"ops": target(teams.url, "teams", None)}))
        [hit] = teams.received
    body = hit.json()
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert card["body"][0]["text"] == "ELA at risk: SD-7 (VPN drops)"
    assert {"title": "Customer's last mood", "value": "Very negative (-0.72)"} in card["body"][2]["facts"]
    assert card["actions"][0]["url"] == "https://example.atlassian.net/browse/SD-7"
    assert hit.header("X-ELA-Signature") is None  # no secret: unsigned


def test_a_5xx_is_retried_until_the_receiver_takes_it(store: Store) -> None:
    with WebhookReceiver([503, 502]) as slack:
        queue_webhook(store)
        row = flush_until_settled(store, flusher(store, {"ops": target(slack.url, "json")}))
        assert [r.answered for r in slack.received] == [503, 502, 200]
    assert (row.state, row.attempts) == ("done", 3)
    assert json.loads(slack.received[-1].body)["event"] == "ela.at_risk"


def test_a_revoked_webhook_fails_with_the_receivers_words_and_never_its_url(store: Store) -> None:
    url = "https://hooks.slack.example/services/T000/B000/the-secret-part"
    with responses.RequestsMock() as mock:
        mock.post(url, status=404, body="no_service")
        queue_webhook(store)
        row = flush_until_settled(store, flusher(store, {"ops": target(url)}))
    assert row.state == "failed"
    assert "no_service" in (row.last_error or "")
    assert "the-secret-part" not in (row.last_error or "")


def test_a_429_waits_for_retry_after(store: Store) -> None:
    url = "https://hooks.slack.example/services/T000/B000/XXXX"
    with responses.RequestsMock() as mock:
        mock.post(url, status=429, headers={"Retry-After": "30"}, body="rate_limited")
        queue_webhook(store)
        report = flusher(store, {"ops": target(url)}).flush_once()
    assert report.retried == 1
    with store.session() as session:
        row = session.scalars(select(OutboxAction)).one()
    assert row.state == "pending" and 25 < (row.due_at - utcnow()).total_seconds() <= 30


def test_an_unreachable_receiver_is_retried_and_named_without_its_path(store: Store) -> None:
    with WebhookReceiver() as gone:
        url = gone.url.replace("/webhook", "/services/T000/B000/the-secret-part")
    queue_webhook(store)  # the receiver has stopped: nothing listens on its port now
    row = flush_until_settled(store, flusher(store, {"ops": target(url)}), rounds=5)
    assert row.state == "failed" and row.attempts == 3
    assert "cannot reach http://127.0.0.1:" in (row.last_error or "")
    assert "the-secret-part" not in (row.last_error or "")


def test_a_webhook_removed_from_the_settings_fails_the_action(store: Store) -> None:
    queue_webhook(store, name="pager")
    row = flush_until_settled(store, flusher(store, {}))
    assert row.state == "failed" and "no webhook named 'pager'" in (row.last_error or "")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"url": "ftp://x"}, "http"),
        ({"url": "https://x", "secret": "short"}, "at least 16"),
        ({"url": "https://x", "format": "discord"}, "slack"),
    ],
)
def test_bad_webhook_settings_are_refused(given: dict[str, str], message: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=message):
        WebhookTarget.model_validate(given)


def test_an_empty_signing_secret_means_unsigned() -> None:
    assert WebhookTarget.model_validate({"url": "https://x", "secret": ""}).secret is None
