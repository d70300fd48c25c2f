"""Proof that a delivery comes from the configured Jira site.

Two proofs exist because Jira's senders differ. An admin webhook registered with a secret signs the raw
body: `X-Hub-Signature: sha256=<hex HMAC-SHA256>`. Jira Automation's "Send web request" and Jira Data
Center's webhooks cannot sign, so they present a shared token, in a header (preferred: query strings end
up in access logs) or a query parameter. Either configured proof is enough; with none configured the
site is refused, never trusted. Reasons name what was wrong and never echo a secret or what was presented.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from adapters.base import InboundRequest, WebhookAuth
from adapters.errors import Unauthorized

SIGNATURE_HEADER = "X-Hub-Signature"
_SIGNATURE = re.compile(r"sha256=([0-9a-fA-F]{64})")


def authenticate(request: InboundRequest, auth: WebhookAuth) -> None:
    if not auth.secret and not auth.token:
        raise Unauthorized("no webhook secret or token is configured for this site; refusing the delivery")
    failures: list[str] = []
    if auth.secret:
        failure = _signature_failure(request, auth.secret)
        if failure is None:
            return
        failures.append(failure)
    if auth.token:
        failure = _token_failure(request, auth, auth.token)
        if failure is None:
            return
        failures.append(failure)
    raise Unauthorized("; ".join(failures))


def _signature_failure(request: InboundRequest, secret: str) -> str | None:
    header = request.headers.get(SIGNATURE_HEADER)
    if header is None:
        return f"missing {SIGNATURE_HEADER} header"
    match = _SIGNATURE.fullmatch(header.strip())
    if match is None:
        return f"malformed {SIGNATURE_HEADER} header (expected sha256=<64 hex digits>)"
    expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, match.group(1).lower()):
        return f"{SIGNATURE_HEADER} does not match the body (wrong secret, or the body was altered)"
    return None


def _token_failure(request: InboundRequest, auth: WebhookAuth, token: str) -> str | None:
    presented = [
        value
        for value in (request.headers.get(auth.token_header), request.query.get(auth.token_query))
        if value is not None
    ]
    if not presented:
        return f"missing token (header {auth.token_header} or query parameter {auth.token_query!r})"
    # Bytes, so that a non-ASCII token compares in constant time too (compare_digest refuses non-ASCII str).
    wanted = token.encode()
    if any(hmac.compare_digest(value.encode(), wanted) for value in presented):
        return None
    return "wrong token"
