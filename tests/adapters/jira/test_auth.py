"""Proof of origin: HMAC signature of signed admin webhooks, shared token for senders that cannot sign."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from adapters.base import Headers, InboundRequest, WebhookAuth
from adapters.errors import Unauthorized
from adapters.jira.webhook import ADAPTER

SECRET = "s3cr3t-Webhook-Key"
TOKEN = "tok-7f1e9c2a"
BODY = b'{"timestamp":1550286678321,"webhookEvent":"comment_created"}'


def _signature(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _request(headers: dict[str, str] | None = None, query: dict[str, str] | None = None) -> InboundRequest:
    return InboundRequest(headers=Headers(headers or {}), body=BODY, query=query or {})


def _refused(request: InboundRequest, auth: WebhookAuth) -> str:
    with pytest.raises(Unauthorized) as caught:
        ADAPTER.authenticate(request, auth)
    assert caught.value.status == 401
    for secret in (auth.secret, auth.token):
        assert secret is None or secret not in caught.value.reason
    return caught.value.reason


def test_good_signature_is_accepted() -> None:
    ADAPTER.authenticate(_request({"X-Hub-Signature": _signature(BODY)}), WebhookAuth(secret=SECRET))


def test_signature_header_name_and_hex_case_do_not_matter() -> None:
    header = _signature(BODY).upper().replace("SHA256=", "sha256=")
    ADAPTER.authenticate(_request({"x-hub-signature": header}), WebhookAuth(secret=SECRET))


def test_signature_made_with_another_secret_is_refused() -> None:
    request = _request({"X-Hub-Signature": _signature(BODY, "another secret")})
    assert "X-Hub-Signature does not match the body" in _refused(request, WebhookAuth(secret=SECRET))


def test_signature_of_another_body_is_refused() -> None:
    request = InboundRequest(
        headers=Headers({"X-Hub-Signature": _signature(BODY)}),
        body=BODY.replace(b"comment_created", b"comment_deleted"),
    )
    assert "does not match the body" in _refused(request, WebhookAuth(secret=SECRET))


@pytest.mark.parametrize(
    "header",
    [
        "sha1=" + hashlib.sha1(BODY).hexdigest(),  # an algorithm Jira does not use
        "sha256=" + "ab" * 31,  # too short
        "sha256=" + "zz" * 32,  # not hex
        hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest(),  # no "sha256=" prefix
        "",
    ],
    ids=["sha1", "short", "not-hex", "no-prefix", "empty"],
)
def test_malformed_signature_header_is_refused(header: str) -> None:
    reason = _refused(_request({"X-Hub-Signature": header}), WebhookAuth(secret=SECRET))
    assert reason == "malformed X-Hub-Signature header (expected sha256=<64 hex digits>)"


def test_missing_signature_is_refused() -> None:
    assert _refused(_request(), WebhookAuth(secret=SECRET)) == "missing X-Hub-Signature header"


def test_token_in_header_is_accepted() -> None:
    ADAPTER.authenticate(_request({"X-ELA-Token": TOKEN}), WebhookAuth(token=TOKEN))


def test_token_in_query_is_accepted() -> None:
    ADAPTER.authenticate(_request(query={"token": TOKEN}), WebhookAuth(token=TOKEN))


def test_token_names_come_from_the_site_configuration() -> None:
    auth = WebhookAuth(token=TOKEN, token_header="X-Automation-Key", token_query="k")
    ADAPTER.authenticate(_request({"X-Automation-Key": TOKEN}), auth)
    ADAPTER.authenticate(_request(query={"k": TOKEN}), auth)
    assert _refused(_request({"X-ELA-Token": TOKEN}, {"token": TOKEN}), auth).startswith("missing token")


def test_wrong_token_is_refused_without_echoing_it() -> None:
    reason = _refused(
        _request({"X-ELA-Token": "guess-123"}, {"token": "guess-456"}), WebhookAuth(token=TOKEN)
    )
    assert reason == "wrong token"


def test_missing_token_is_refused() -> None:
    reason = _refused(_request(), WebhookAuth(token=TOKEN))
    assert reason == "missing token (header X-ELA-Token or query parameter 'token')"


def test_non_ascii_token_compares() -> None:
    auth = WebhookAuth(token="clé-secrète")
    ADAPTER.authenticate(_request({"X-ELA-Token": "clé-secrète"}), auth)
    assert _refused(_request({"X-ELA-Token": "cle-secrete"}), auth) == "wrong token"


def test_with_secret_and_token_either_proof_is_enough() -> None:
    auth = WebhookAuth(secret=SECRET, token=TOKEN)
    ADAPTER.authenticate(_request({"X-Hub-Signature": _signature(BODY)}), auth)
    ADAPTER.authenticate(_request({"X-ELA-Token": TOKEN}), auth)
    ADAPTER.authenticate(_request({"X-Hub-Signature": _signature(BODY, "wrong"), "X-ELA-Token": TOKEN}), auth)


def test_with_secret_and_token_the_reason_names_both_failures() -> None:
    reason = _refused(_request({"X-ELA-Token": "nope"}), WebhookAuth(secret=SECRET, token=TOKEN))
    assert reason == "missing X-Hub-Signature header; wrong token"


def test_no_auth_configured_refuses_even_a_signed_delivery() -> None:
    reason = _refused(_request({"X-Hub-Signature": _signature(BODY), "X-ELA-Token": TOKEN}), WebhookAuth())
    assert "no webhook secret or token is configured" in reason
