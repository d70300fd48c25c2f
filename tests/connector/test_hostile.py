"""Hostile and broken deliveries, each found by fuzzing or attacking a running connector: every one is
answered with a clear 4xx (or stored with its text repaired), changes nothing it should not, and
leaves the process healthy."""

from __future__ import annotations

import copy
import io
import json
import logging
import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from connector.app import create_app
from connector.logs import JsonFormatter, setup_logging
from connector.settings import ConfigError, LoggingSettings, Settings, parse_settings
from connector.store import Store
from connector.store.models import Delivery, EventRow
from tests.connector.test_app import CONFIG, SECRET, body_of, post, stored


@pytest.fixture
def settings() -> Settings:
    return parse_settings(CONFIG, env={})


@pytest.fixture
def client(settings: Settings, store: Store) -> FlaskClient:
    return create_app(settings, store).test_client()


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """What the service would have written: each record through the JSON formatter, context included."""
    formatter = JsonFormatter()
    return "\n".join(formatter.format(record) for record in caplog.records)


def comment_payload() -> dict[str, Any]:
    return copy.deepcopy(json.loads(body_of()))


def raw(payload: dict[str, Any], **replace: str) -> bytes:
    """JSON text with `"__NAME__"` placeholders swapped for raw JSON text (escapes Python cannot hold)."""
    text = json.dumps(payload)
    for name, value in replace.items():
        text = text.replace(f'"__{name}__"', value)
    return text.encode()


@pytest.mark.parametrize(
    "where",
    [("issue", "fields", "summary"), ("comment", "body"), ("comment", "author", "displayName")],
    ids=["summary", "comment-body", "author-name"],
)
def test_a_lone_surrogate_escape_is_repaired_and_stored(
    client: FlaskClient, store: Store, where: tuple[str, ...]
) -> None:
    payload = comment_payload()
    target = payload
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = "before __LONE__ after"
    body = raw(payload).replace(b"__LONE__", b"\\ud800")
    answer = post(client, body)
    assert answer.status_code == 202, answer.json
    with store.session() as session:
        data = session.scalars(select(EventRow.data)).one()
    assert "before \ufffd after" in data


def test_a_lone_surrogate_event_name_leaves_metrics_working(client: FlaskClient) -> None:
    payload = comment_payload()
    payload["webhookEvent"] = "__EVENT__"
    body = raw(payload, EVENT='"\\ud800"')
    assert post(client, body).status_code == 200  # a Jira body (it has Jira's timestamp), an unknown event
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert 'event="other"' in metrics.get_data(as_text=True)


def test_unauthenticated_requests_cannot_grow_the_metric_labels(client: FlaskClient) -> None:
    def strangers(count: int) -> int:
        for n in range(count):
            headers = {"Content-Type": "application/json"}
            client.post(f"/webhooks/jira/nosuch-{uuid.uuid4().hex}", data=b"{}", headers=headers)
            client.post(f"/webhooks/platform-{n}/acme", data=b"{}", headers=headers)
        return len(client.get("/metrics").get_data(as_text=True).splitlines())

    lines = strangers(5)
    assert strangers(200) == lines  # more strangers, no more series
    metrics = client.get("/metrics").get_data(as_text=True)
    assert "nosuch" not in metrics and "platform-1" not in metrics
    assert 'site="unknown"' in metrics


@pytest.mark.parametrize("where", ["comment-created", "issue-created"])
def test_a_date_past_year_9999_in_utc_is_refused_without_payload_text_in_logs(
    client: FlaskClient, store: Store, where: str, caplog: pytest.LogCaptureFixture
) -> None:
    payload = comment_payload()
    payload.pop("timestamp", None)
    if where == "comment-created":
        payload["comment"]["created"] = payload["comment"]["updated"] = "9999-12-31T23:59:59.999-1400"
    else:
        payload["issue"]["fields"]["created"] = "9999-12-31T23:59:59.999-1400"
    payload["comment"]["body"] = "A SECRET customer sentence"
    with caplog.at_level(logging.DEBUG):
        answer = post(client, json.dumps(payload).encode())
    assert answer.status_code == 400
    assert "9999-12-31T23:59:59.999" in answer.json["message"]
    assert "outside the dates that can be stored" in answer.json["message"]
    assert stored(store) == (0, 0)
    assert "SECRET" not in logged(caplog)


def test_a_store_error_logs_no_payload_text(
    client: FlaskClient, store: Store, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from connector import intake

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError(
            "INSERT ...", {"data": "A SECRET customer sentence"}, Exception("disk I/O error")
        )

    monkeypatch.setattr(intake, "store_delivery", broken)
    with caplog.at_level(logging.DEBUG):
        assert post(client, body_of()).status_code == 503
    assert "SECRET" not in logged(caplog)
    assert "disk I/O error" in logged(caplog)


def test_a_secret_of_spaces_is_refused() -> None:
    with pytest.raises(ConfigError, match="secret must not be blank"):
        parse_settings(CONFIG.replace(SECRET, '"' + " " * 20 + '"'), env={})


def test_unknown_sites_and_bad_proofs_are_answered_alike(client: FlaskClient) -> None:
    body = body_of()
    unknown = client.post("/webhooks/jira/nosuch", data=body, headers={"Content-Type": "application/json"})
    unproven = post(client, body, **{"X-Hub-Signature": "sha256=" + "0" * 64})
    assert unknown.status_code == unproven.status_code == 401
    assert unknown.json == unproven.json


def test_a_reused_delivery_id_with_another_body_is_a_logged_and_counted_conflict(
    client: FlaskClient, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    first = body_of()
    other = comment_payload()
    other["comment"]["body"] = "Something else entirely"
    assert post(client, first, identifier="same-id").status_code == 202
    with caplog.at_level(logging.WARNING, logger="ela.intake"):
        again = post(client, json.dumps(other).encode(), identifier="same-id")
    assert again.status_code == 202 and again.json["status"] == "conflict"
    assert "webhook.conflict" in caplog.text
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'outcome="conflict"' in metrics
    with store.session() as session:  # kept under a key of its own: nothing acknowledged is dropped
        keys = sorted(session.scalars(select(Delivery.delivery_key)))
    assert keys[0] == "same-id" and keys[1].startswith("same-id:conflict-")


def test_an_unexpected_error_is_logged_as_one_json_line(settings: Settings, store: Store) -> None:
    stream = io.StringIO()
    setup_logging(LoggingSettings(level="INFO", format="json"), stream)
    app = create_app(settings, store)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaboom")

    app.testing = False
    answer = app.test_client().get("/boom")
    assert answer.status_code == 500 and answer.json == {
        "error": "internal_error",
        "message": "internal error",
    }
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    [line] = [entry for entry in lines if entry.get("event") == "request.failed"]
    assert "kaboom" in line["exc"] and line["path"] == "/boom"
