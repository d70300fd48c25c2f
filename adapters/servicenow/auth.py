"""Proof that a delivery comes from the configured ServiceNow instance.

ServiceNow has no webhooks of its own: the business rule shipped with the connector signs each body
with the site's shared secret, `X-ELA-Signature: sha256=<HMAC-SHA256 of the raw body>`. ServiceNow's
`GlideCertificateEncryption.generateMac` gives the MAC in base64, other senders tend to give hex: both
are taken. A sender that cannot sign (a Flow Designer REST step, say) may present the shared token
instead, in a header or the query string. Reasons never echo a secret or what was presented.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

from adapters.base import InboundRequest, WebhookAuth
from adapters.errors import Unauthorized

SIGNATURE_HEADER = "X-ELA-Signature"
_HEX = re.compile(r"[0-9a-fA-F]{64}")
_BASE64 = re.compile(r"[A-Za-z0-9+/]{43}=")


def sign(secret: str, body: bytes) -> str:
    """The header value the business rule sends (base64, as ServiceNow computes it)."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def _presented_mac(header: str) -> bytes | None:
    text = header.strip()
    if not text.lower().startswith("sha256="):
        return None
    mac = text[len("sha256=") :]
    if _HEX.fullmatch(mac):
        return bytes.fromhex(mac)
    if _BASE64.fullmatch(mac):
        try:
            return base64.b64decode(mac, validate=True)
        except binascii.Error:
            return None
    return None


def authenticate(request: InboundRequest, auth: WebhookAuth) -> None:
    if not auth.secret and not auth.token:
        raise Unauthorized("no webhook secret or token is configured for this site; refusing the delivery")
    failures: list[str] = []
    if auth.secret:
        header = request.headers.get(SIGNATURE_HEADER)
        if header is None:
            failures.append(f"missing {SIGNATURE_HEADER} header")
        else:
            presented = _presented_mac(header)
            if presented is None:
                failures.append(
                    f"malformed {SIGNATURE_HEADER} header (expected sha256=<base64 or hex HMAC-SHA256>)"
                )
            else:
                expected = hmac.new(auth.secret.encode(), request.body, hashlib.sha256).digest()
                if hmac.compare_digest(expected, presented):
                    return
                failures.append(
                    f"{SIGNATURE_HEADER} does not match the body (wrong secret, or the body was altered)"
                )
    if auth.token:
        presented_tokens = [
            v for v in (request.headers.get(auth.token_header), request.query.get(auth.token_query)) if v
        ]
        if not presented_tokens:
            failures.append(
                f"missing token (header {auth.token_header} or query parameter {auth.token_query!r})"
            )
        elif any(hmac.compare_digest(v.encode(), auth.token.encode()) for v in presented_tokens):
            return
        else:
            failures.append("wrong token")
    raise Unauthorized("; ".join(failures))
