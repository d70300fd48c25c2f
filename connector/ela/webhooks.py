"""Outbound webhooks of escalations: Slack and Microsoft Teams incoming webhooks, or plain JSON, signed.

An outbox `Sender` (registered on the flusher for `ela.webhook` actions), so a POST is retried like any
outbox action: 429 waits for Retry-After, 5xx and timeouts back off, other 4xx fail with the answer's
words. The webhook URL is the credential of Slack and Teams webhooks: it is read from the settings when
the action is sent (the outbox stores the webhook's name, never its URL) and left out of every message.

A chat tool keeps no record we could read back, so an attempt whose outcome is unknown (the worker died
mid-POST) is sent again, with the same `X-ELA-Idempotency-Key` so a receiver that keeps keys can drop it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from adapters.errors import PermanentWriteError, TransientWriteError
from adapters.http import error_for_status, one_attempt_session
from connector.ela.escalation import WEBHOOK_KIND
from connector.settings.ela import WebhookTarget
from connector.store.outbox import ClaimedAction

__all__ = ["WEBHOOK_KIND", "WebhookSender", "sign"]

USER_AGENT = "ELA-Connector-webhooks"
_HEADLINES = {"at_risk": "ELA at risk", "breached": "ELA breached"}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of "<timestamp>.<body>". The timestamp inside the signature lets a
    receiver refuse a replayed delivery (as Slack's own request signing does)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _headline(message: Mapping[str, Any]) -> str:
    return f"{_HEADLINES.get(str(message.get('status')), 'ELA')}: {message.get('ticket')}"


def _summary(message: Mapping[str, Any]) -> str:
    summary = message.get("summary")
    return f" ({summary})" if summary else ""


def slack_body(message: Mapping[str, Any]) -> dict[str, Any]:
    """Slack incoming-webhook JSON: `text` for notifications and old clients, Block Kit for the rest."""
    ticket = str(message.get("ticket"))
    link = f"<{message['url']}|{ticket}>" if message.get("url") else ticket
    text = f"{_headline(message)}{_summary(message)}: {message.get('reason')}"
    facts = f"Policy: {message.get('title')} · Customer's last mood: {message.get('mood') or 'unknown'}"
    return {
        "text": text,
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*{_HEADLINES.get(str(message.get('status')), 'ELA')}* on {link}"
                    f"{_summary(message)}\n{message.get('reason')}",
                },
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": facts}]},
        ],
    }


def teams_body(message: Mapping[str, Any]) -> dict[str, Any]:
    """A Teams message with an Adaptive Card: what Teams incoming webhooks and the Workflows app's
    "when a Teams webhook request is received" take."""
    facts = [
        {"title": "Policy", "value": str(message.get("title"))},
        {"title": "Customer's last mood", "value": str(message.get("mood") or "unknown")},
    ]
    if message.get("due"):
        facts.append({"title": "Due", "value": str(message["due"])})
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "TextBlock",
                "size": "Medium",
                "weight": "Bolder",
                "text": f"{_headline(message)}{_summary(message)}",
                "wrap": True,
            },
            {"type": "TextBlock", "text": str(message.get("reason")), "wrap": True},
            {"type": "FactSet", "facts": facts},
        ],
    }
    if message.get("url"):
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": f"Open {message.get('ticket')}", "url": message["url"]}
        ]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def json_body(message: Mapping[str, Any]) -> dict[str, Any]:
    return {"event": f"ela.{message.get('status')}", **message}


FORMATS = {"slack": slack_body, "teams": teams_body, "json": json_body}


class WebhookSender:
    """Carries out `ela.webhook` outbox actions (connector.outbox.Sender)."""

    def __init__(self, targets: Mapping[str, WebhookTarget], session: requests.Session | None = None) -> None:
        self.targets = dict(targets)
        self.session = session or requests.Session()

    def send(self, action: ClaimedAction) -> tuple[str | None, bool]:
        name = str(action.payload.get("webhook"))
        target = self.targets.get(name)
        if target is None:
            raise PermanentWriteError(f"no webhook named {name!r} under ela.webhooks any more")
        url = target.url.get_secret_value()
        parts = urlsplit(url)
        where = f"{parts.scheme}://{parts.netloc}"  # for messages: the path is the secret part
        body = json.dumps(FORMATS[target.format](action.payload.get("message", {})), sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-ELA-Idempotency-Key": action.key,
        }
        if target.secret is not None:
            stamp = str(int(time.time()))
            headers["X-ELA-Timestamp"] = stamp
            headers["X-ELA-Signature"] = sign(target.secret.get_secret_value(), stamp, body)
        what = f"post the {name} webhook"
        session = one_attempt_session(where, target.timeout_seconds, target.timeout_seconds, self.session)
        try:
            response = session.post(url, data=body, headers=headers, allow_redirects=False)
        except requests.Timeout:
            raise TransientWriteError(f"{what}: {where} did not answer in time") from None
        except requests.RequestException as exc:
            # Not the exception's own text: it quotes the URL, and the URL is the credential.
            raise TransientWriteError(f"{what}: cannot reach {where} ({type(exc).__name__})") from None
        if 200 <= response.status_code < 300:
            return None, False
        said = " ".join(response.text.split())[:300]
        raise error_for_status(
            response,
            action=what,
            platform=name,
            site_url=where,
            said=said,
            credentials="the webhook URL (it may have been revoked)",
        )
