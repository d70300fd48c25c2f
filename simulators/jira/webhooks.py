"""Jira Cloud's webhook deliveries: its headers and its retry schedule, on the shared dispatcher.

Jira Cloud retries a delivery (for up to about 30 minutes) when the answer is 408, 409, 425, 429 or 5xx,
or when the connection fails or times out; retries carry `X-Atlassian-Webhook-Retry: <n>` and the same
`X-Atlassian-Webhook-Identifier`. A webhook with a secret is signed with `X-Hub-Signature:
sha256=<hex HMAC-SHA256 of the raw body>`.
"""

from __future__ import annotations

from simulators.webhooks import Delivery, WebhookDispatcher, WebhookRegistration, sign

# About 29.5 minutes of retries in all, matching Cloud's documented "up to 30 minutes".
DEFAULT_RETRY_DELAYS = (10.0, 60.0, 180.0, 600.0, 900.0)
USER_AGENT = "Atlassian Webhook HTTP Client"

__all__ = ["DEFAULT_RETRY_DELAYS", "Delivery", "WebhookRegistration", "jira_dispatcher", "jira_headers"]


def jira_headers(identifier: str, attempt: int, body: bytes, secret: str | None) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Atlassian-Webhook-Identifier": identifier,
    }
    if attempt > 1:
        headers["X-Atlassian-Webhook-Retry"] = str(attempt - 1)
    if secret:
        headers["X-Hub-Signature"] = sign(secret, body)
    return headers


def jira_dispatcher(
    *,
    time_scale: float = 1.0,
    retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS,
    timeout: tuple[float, float] = (5.0, 20.0),
    workers: int = 2,
) -> WebhookDispatcher:
    return WebhookDispatcher(
        jira_headers,
        retry_delays,
        time_scale=time_scale,
        timeout=timeout,
        workers=workers,
        thread_name="jira-sim-webhooks",
    )
