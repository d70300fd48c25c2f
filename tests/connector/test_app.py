"""The webhook endpoint and the operational routes, through Flask's test client and a real database."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from connector.app import create_app
from connector.settings import Settings, parse_settings
from connector.store import Store, workers
from connector.store.models import Delivery, EventRow

PAYLOADS = Path(__file__).resolve().parents[1] / "adapters" / "jira" / "fixtures" / "payloads"
SECRET = "s3cret-s3cret-s3cret"
TOKEN = "automation-token-0123456789"

CONFIG = f"""
server: {{max_body_bytes: 20000}}
sites:
  acme:
    platform: jira
    url: https://acme-help.atlassian.net
    auth: {{email: bot@example.com, api_token: token-1234567890}}
    webhook: {{secret: {SECRET}, token: {TOKEN}}}
    fields: {{mood: Customer mood}}
"""


@pytest.fixture
def settings() -> Settings:
    return parse_settings(CONFIG, env={})


@pytest.fixture
def client(settings: Settings, store: Store) -> FlaskClient:
    return create_app(settings, store).test_client()


def body_of(name: str = "jsm-cloud-customer-comment.json") -> bytes:
    return (PAYLOADS / name).read_bytes()


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(client: FlaskClient, body: bytes, *, identifier: str | None = "delivery-1", **headers: str):  # type: ignore[no-untyped-def]
    sent = {"Content-Type": "application/json", "X-Hub-Signature": sign(body)}
    if identifier:
        sent["X-Atlassian-Webhook-Identifier"] = identifier
    sent.update(headers)
    return client.post("/webhooks/jira/acme", data=body, headers={k: v for k, v in sent.items() if v})


def stored(store: Store) -> tuple[int, int]:
    with store.session() as session:
        return (
            session.scalar(select(func.count()).select_from(Delivery)) or 0,
            session.scalar(select(func.count()).select_from(EventRow)) or 0,
        )


def test_a_signed_delivery_is_stored_then_acknowledged(client: FlaskClient, store: Store) -> None:
    response = post(client, body_of())
    assert response.status_code == 202
    assert response.json == {
        "status": "accepted",
        "delivery": "delivery-1",
        "events": ["jira:acme:comment:10211:commented:1731925512734"],
    }
    assert stored(store) == (1, 1)
    with store.session() as session:
        row = session.scalars(select(EventRow)).one()
        assert (row.kind, row.ticket_key, row.state) == ("commented", "ITSD-42", "pending")
        assert session.scalars(select(Delivery)).one().body == body_of()


def test_a_retried_delivery_has_no_second_effect(client: FlaskClient, store: Store) -> None:
    assert post(client, body_of()).status_code == 202
    again = post(client, body_of(), **{"X-Atlassian-Webhook-Retry": "1"})
    assert again.status_code == 202
    assert again.json["status"] == "duplicate"
    assert stored(store) == (1, 1)


def test_without_an_identifier_the_content_hash_deduplicates(client: FlaskClient, store: Store) -> None:
    assert post(client, body_of(), identifier=None).json["status"] == "accepted"
    assert post(client, body_of(), identifier=None).json["status"] == "duplicate"
    assert stored(store) == (1, 1)


@pytest.mark.parametrize(
    ("headers", "query", "reason"),
    [
        ({"X-Hub-Signature": ""}, "", "missing"),
        ({"X-Hub-Signature": sign(b"other body")}, "", "signature"),
        ({"X-Hub-Signature": "sha1=abc"}, "", "sha256"),
        ({"X-Hub-Signature": "", "X-ELA-Token": "wrong-token-wrong-token"}, "", "token"),
    ],
)
def test_unproven_deliveries_are_refused_and_change_nothing(
    client: FlaskClient,
    store: Store,
    headers: dict[str, str],
    query: str,
    reason: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = body_of()
    sent = {"Content-Type": "application/json", "X-Atlassian-Webhook-Identifier": "d1", **headers}
    with caplog.at_level(logging.WARNING, logger="ela.intake"):
        response = client.post(
            f"/webhooks/jira/acme{query}", data=body, headers={k: v for k, v in sent.items() if v}
        )
    assert response.status_code == 401
    assert response.json["error"] == "unauthorized"
    # The answer says no more than an unknown site's would; the reason is for the admin, in the log.
    [unproven] = [r for r in caplog.records if r.getMessage() == "webhook.unproven"]
    assert reason in unproven.context["reason"].lower()  # type: ignore[attr-defined]
    assert SECRET not in response.get_data(as_text=True)
    assert stored(store) == (0, 0)


def test_a_shared_token_in_header_or_query_is_accepted(client: FlaskClient, store: Store) -> None:
    body = body_of()
    by_header = post(client, body, identifier="a", **{"X-Hub-Signature": "", "X-ELA-Token": TOKEN})
    by_query = client.post(
        f"/webhooks/jira/acme?token={TOKEN}",
        data=body_of("jsm-cloud-internal-comment.json"),
        headers={"Content-Type": "application/json"},
    )
    assert (by_header.status_code, by_query.status_code) == (202, 202)
    assert stored(store) == (2, 2)


def test_too_large_bodies_are_refused_before_reading(client: FlaskClient, store: Store) -> None:
    body = b'{"webhookEvent": "comment_created", "pad": "' + b"x" * 30000 + b'"}'
    response = post(client, body)
    assert response.status_code == 413
    assert response.json["error"] == "too_large"
    assert "over the limit of 20000" in response.json["message"]
    assert stored(store) == (0, 0)


def test_other_content_types_are_refused(client: FlaskClient, store: Store) -> None:
    response = post(client, body_of(), **{"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415
    assert "application/json" in response.json["message"]
    assert stored(store) == (0, 0)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"webhookEvent": "comment_created", ', "malformed JSON"),
        (b"[1, 2]", "not an object"),
        (b'{"hello": "world"}', "no 'webhookEvent'"),
        (b'{"webhookEvent": "comment_created", "timestamp": 1731925512734}', "without an 'issue'"),
    ],
)
def test_payloads_that_are_not_jiras_are_refused(
    client: FlaskClient, store: Store, body: bytes, message: str
) -> None:
    response = post(client, body)
    assert response.status_code == 400
    assert message in response.json["message"]
    assert stored(store) == (0, 0)


def test_a_real_event_we_do_not_use_is_answered_200_and_logged(
    client: FlaskClient, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps({"webhookEvent": "worklog_created", "timestamp": 1731925512734}).encode()
    with caplog.at_level(logging.INFO, logger="ela.intake"):
        response = post(client, body)
    assert response.status_code == 200
    assert response.json["status"] == "ignored"
    assert any(r.getMessage() == "webhook.ignored" for r in caplog.records)
    assert stored(store) == (0, 0)


def test_unknown_site_or_platform(client: FlaskClient) -> None:
    assert client.post("/webhooks/jira/other", data=b"{}").status_code == 401
    assert client.post("/webhooks/servicenow/acme", data=b"{}").status_code == 401


def test_a_database_failure_answers_503_so_jira_retries(client: FlaskClient, store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE events"))
    response = post(client, body_of())
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    with store.session() as session:  # the delivery row was rolled back with the failed event insert
        assert session.scalar(select(func.count()).select_from(Delivery)) == 0


def test_health_readiness_and_metrics(
    client: FlaskClient, store: Store, settings: Settings, tmp_path: Path
) -> None:
    assert client.get("/healthz").json == {"status": "ok"}
    unready = client.get("/readyz")  # no worker has said it is alive: the queue is not being worked
    assert unready.status_code == 503
    assert unready.json["worker"] == "no worker heartbeat within 60 s (last: never)"
    with store.session() as session:
        workers.beat(session, "w1", "host", 1)
    assert client.get("/readyz").json == {"status": "ready", "database": "ok", "worker": "ok"}
    post(client, body_of())
    post(client, body_of())
    post(client, b"[]")
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'ela_webhooks_total{event="comment_created",outcome="accepted",site="acme"} 1.0' in metrics
    assert 'ela_webhooks_total{event="comment_created",outcome="duplicate",site="acme"} 1.0' in metrics
    assert 'ela_webhooks_total{event="-",outcome="rejected",site="acme"} 1.0' in metrics
    assert 'ela_queue_depth{queue="events"} 1.0' in metrics
    assert 'ela_writebacks_total{outcome="failed"} 0.0' in metrics

    broken = tmp_path / "not-a-database"
    broken.mkdir()
    unreachable = Store(f"sqlite:///{broken}")
    unready = create_app(settings, unreachable).test_client().get("/readyz")
    unreachable.dispose()
    assert unready.status_code == 503
    assert unready.json["status"] == "unavailable"


def test_metrics_behind_a_token_or_on_their_own_port(store: Store) -> None:
    token = "metrics-token-0123456789"
    guarded = parse_settings(CONFIG + f"metrics: {{token: {token}}}\n", env={})
    client = create_app(guarded, store).test_client()
    assert client.get("/metrics").status_code == 401
    assert (
        client.get("/metrics", headers={"Authorization": "Bearer wrong-token-0123456789"}).status_code == 401
    )
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and "ela_queue_depth" in answer.get_data(as_text=True)
    elsewhere = parse_settings(CONFIG + "metrics: {port: 9108}\n", env={})
    assert create_app(elsewhere, store).test_client().get("/metrics").status_code == 404


def test_a_site_that_is_only_polled_takes_no_webhooks(store: Store) -> None:
    polled = parse_settings(
        "sites:\n  snow:\n    platform: servicenow\n    url: https://acme.service-now.com\n"
        "    auth: {user: u, password: p}\n    pull: {enabled: true}\n",
        env={},
    )
    client = create_app(polled, store).test_client()
    answer = client.post(
        "/webhooks/servicenow/snow", data=b"{}", headers={"Content-Type": "application/json"}
    )
    # Answered like an unknown site (a stranger learns nothing of which sites exist).
    assert answer.status_code == 401 and answer.json["error"] == "unauthorized"
    assert stored(store) == (0, 0)
