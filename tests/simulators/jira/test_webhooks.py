"""Outbound webhooks to a real loopback receiver: shapes, signatures, retries, order, give-up."""

from __future__ import annotations

import hashlib
import hmac
import socket
import time
from collections.abc import Iterator

import pytest

from simulators.jira.simulator import JiraSimulator
from simulators.jira.testing import client, default_openapi_spec, running_simulator
from simulators.testing import WebhookReceiver

SECRET = "webhook-secret"


@pytest.fixture
def sim() -> Iterator[JiraSimulator]:
    with running_simulator(default_openapi_spec(), webhook_time_scale=0.0005) as simulator:
        yield simulator
        assert [v.to_dict() for v in simulator.violations] == []


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


def test_issue_created_has_cloud_shape(sim: JiraSimulator, hook: WebhookReceiver) -> None:
    sim.register_webhook(hook.url, ["jira:issue_created"])
    before = int(time.time() * 1000)
    key = sim.create_issue(
        "SUP", "Laptop stolen", reporter="casey@customer.example", request_type="Get IT help"
    )
    assert hook.wait_for(1)
    payload = hook.received[0].json()
    assert payload["webhookEvent"] == "jira:issue_created"
    assert payload["issue_event_type_name"] == "issue_created"
    assert before <= payload["timestamp"] <= int(time.time() * 1000)
    assert payload["user"]["accountType"] == "customer"
    assert payload["issue"]["key"] == key
    fields = payload["issue"]["fields"]
    assert (
        fields["status"]["name"] == "Waiting for support"
        and fields["status"]["statusCategory"]["key"] == "new"
    )
    state = sim.site.state
    request_type = fields[state.jsm_fields["request_type"]]
    assert request_type["requestType"]["name"] == "Get IT help"
    assert request_type["currentStatus"] == {
        **request_type["currentStatus"],
        "status": "Waiting for support",
        "statusCategory": "NEW",
    }
    sla = fields[state.jsm_fields["first_response"]]
    assert sla["name"] == "Time to first response" and sla["ongoingCycle"]["breached"] is False
    assert sla["ongoingCycle"]["goalDuration"]["millis"] == 4 * 3_600_000
    assert fields[state.jsm_fields["participants"]] == []
    assert {item["fieldId"] for item in payload["changelog"]["items"]} >= {"status", "summary", "reporter"}
    assert hook.received[0].header("Content-Type") == "application/json"
    assert hook.received[0].header("X-Hub-Signature") is None


def test_a_field_write_comes_back_as_issue_updated_with_its_changelog(
    sim: JiraSimulator, hook: WebhookReceiver
) -> None:
    mood = sim.create_custom_field("Customer mood", "select", options=["Happy", "Unhappy"])
    key = sim.create_issue("SUP", "Printer on fire")
    sim.register_webhook(hook.url, ["jira:issue_updated"])
    response = client(sim, "admin").put(
        f"/rest/api/3/issue/{key}",
        params={"notifyUsers": "false"},
        json={"fields": {mood.id: {"value": "Unhappy"}}},
    )
    assert response.status_code == 204
    assert hook.wait_for(1)
    payload = hook.received[0].json()
    assert payload["webhookEvent"] == "jira:issue_updated"
    assert payload["issue_event_type_name"] == "issue_updated"
    # The consumer recognises its own writes by the acting user: it must be the service account.
    assert payload["user"]["emailAddress"] == "ela-connector@example.com"
    unhappy = next(o.id for o in mood.contexts[0].options if o.value == "Unhappy")
    assert payload["changelog"]["items"] == [
        {
            "field": "Customer mood",
            "fieldtype": "custom",
            "fieldId": mood.id,
            "from": None,
            "fromString": None,
            "to": unhappy,
            "toString": "Unhappy",
        }
    ]
    assert payload["issue"]["fields"][mood.id] == {
        "self": payload["issue"]["fields"][mood.id]["self"],
        "value": "Unhappy",
        "id": unhappy,
    }


def test_comment_events_carry_jsd_public_and_author_type(sim: JiraSimulator, hook: WebhookReceiver) -> None:
    key = sim.create_issue("SUP", "Wifi", reporter="casey@customer.example")
    sim.register_webhook(hook.url, ["comment_created", "jira:issue_updated"])
    customer = client(sim, "customer")
    assert (
        customer.post(
            f"/rest/servicedeskapi/request/{key}/comment", json={"body": "Still broken!", "public": True}
        ).status_code
        == 201
    )
    adf = {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Looking into it"}]}],
    }
    internal = [{"key": "sd.public.comment", "value": {"internal": True}}]
    assert (
        client(sim, "agent")
        .post(f"/rest/api/3/issue/{key}/comment", json={"body": adf, "properties": internal})
        .status_code
        == 201
    )
    assert hook.wait_for(4)
    created = [r.json() for r in hook.received if r.json()["webhookEvent"] == "comment_created"]
    first, second = created
    assert first["comment"]["body"] == "Still broken!" and first["comment"]["jsdPublic"] is True
    assert first["comment"]["author"]["accountType"] == "customer"
    assert first["comment"]["author"]["accountId"].startswith("qm:")
    # Webhooks carry the comment as a string even when it was written as ADF.
    assert second["comment"]["body"] == "Looking into it" and second["comment"]["jsdPublic"] is False
    assert set(first["issue"]["fields"]) == {
        "summary",
        "issuetype",
        "project",
        "assignee",
        "priority",
        "status",
    }
    assert "user" not in first
    commented = [
        r.json() for r in hook.received if r.json().get("issue_event_type_name") == "issue_commented"
    ]
    assert [c["comment"]["id"] for c in commented] == [first["comment"]["id"], second["comment"]["id"]]


def test_signature_is_hmac_sha256_of_the_raw_body(sim: JiraSimulator, hook: WebhookReceiver) -> None:
    sim.register_webhook(hook.url, ["*"], secret=SECRET)
    sim.create_issue("SUP", "Signed")
    assert hook.wait_for(1)
    received = hook.received[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), received.body, hashlib.sha256).hexdigest()
    assert received.header("X-Hub-Signature") == expected
    tampered = received.body.replace(b"Signed", b"Forged")
    assert "sha256=" + hmac.new(SECRET.encode(), tampered, hashlib.sha256).hexdigest() != expected


def test_a_503_is_retried_with_the_same_identifier(sim: JiraSimulator, hook: WebhookReceiver) -> None:
    sim.register_webhook(hook.url, ["jira:issue_created"], secret=SECRET)
    hook.answer_next(503)
    sim.create_issue("SUP", "Retry me")
    assert hook.wait_for(2)
    first, second = hook.received
    assert first.answered == 503 and second.answered == 200
    assert first.header("X-Atlassian-Webhook-Identifier") == second.header("X-Atlassian-Webhook-Identifier")
    assert first.header("X-Atlassian-Webhook-Retry") is None
    assert second.header("X-Atlassian-Webhook-Retry") == "1"
    assert first.body == second.body and first.header("X-Hub-Signature") == second.header("X-Hub-Signature")
    assert sim.wait_for_webhooks(5)
    assert [(d.attempt, d.status) for d in sim.deliveries] == [(1, 503), (2, 200)]


@pytest.mark.parametrize("status", [408, 409, 425, 429, 500, 502])
def test_retryable_answers_are_retried(sim: JiraSimulator, hook: WebhookReceiver, status: int) -> None:
    sim.register_webhook(hook.url, ["jira:issue_created"])
    hook.answer_next(status)
    sim.create_issue("SUP", "Retry")
    assert hook.wait_for(2)
    assert [r.answered for r in hook.received] == [status, 200]


def test_other_client_errors_are_not_retried(sim: JiraSimulator, hook: WebhookReceiver) -> None:
    sim.register_webhook(hook.url, ["jira:issue_created"])
    hook.answer_next(400)
    sim.create_issue("SUP", "Refused")
    assert sim.wait_for_webhooks(5)
    assert [(d.attempt, d.status) for d in sim.deliveries] == [(1, 400)]


def test_deliveries_stay_in_order_per_issue_across_a_retry(sim: JiraSimulator, hook: WebhookReceiver) -> None:
    score = sim.create_custom_field("Mood score", "float")
    key = sim.create_issue("SUP", "Ordered")
    sim.register_webhook(hook.url, ["jira:issue_updated"])
    hook.answer_next(503, 503)
    admin = client(sim, "admin")
    for value in range(5):
        assert admin.put(f"/rest/api/2/issue/{key}", json={"fields": {score.id: value}}).status_code == 204
    assert sim.wait_for_webhooks(10)
    delivered = [r.json() for r in hook.received if r.answered == 200]
    assert [p["changelog"]["items"][0]["toString"] for p in delivered] == ["0", "1", "2", "3", "4"]


def test_delivery_is_given_up_after_the_last_retry() -> None:
    with (
        running_simulator(None, webhook_retry_delays=(0.001, 0.001)) as sim,
        WebhookReceiver(default_status=500) as hook,
    ):
        sim.register_webhook(hook.url, ["jira:issue_created"])
        sim.create_issue("SUP", "Doomed")
        assert sim.wait_for_webhooks(5)
        assert [d.attempt for d in sim.deliveries] == [1, 2, 3]
        assert len(hook.received) == 3


def test_connection_failures_are_retried() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with running_simulator(None, webhook_retry_delays=(0.001,)) as sim:
        sim.register_webhook(f"http://127.0.0.1:{port}/nobody-home", ["jira:issue_created"])
        sim.create_issue("SUP", "Unreachable")
        assert sim.wait_for_webhooks(5)
        attempts = sim.deliveries
        assert [(d.attempt, d.status) for d in attempts] == [(1, None), (2, None)]
        assert attempts[0].error is not None and "Connection" in attempts[0].error


def test_only_subscribed_events_are_sent(sim: JiraSimulator, hook: WebhookReceiver) -> None:
    sim.register_webhook(hook.url, ["comment_created"])
    key = sim.create_issue("SUP", "Quiet")
    sim.add_comment(key, "hello", author="alex.agent@example.com")
    assert sim.wait_for_webhooks(5)
    assert hook.events() == ["comment_created"]


def test_transition_and_deletion_events(sim: JiraSimulator, hook: WebhookReceiver) -> None:
    key = sim.create_issue("SUP", "Short-lived")
    sim.register_webhook(hook.url, ["jira:issue_updated", "jira:issue_deleted"])
    sim.transition(key, "Resolved")
    assert client(sim, "admin").delete(f"/rest/api/2/issue/{key}").status_code == 204
    assert hook.wait_for(2)
    resolved, deleted = (r.json() for r in hook.received)
    assert resolved["issue_event_type_name"] == "issue_generic"
    assert [(i["field"], i["fromString"], i["toString"]) for i in resolved["changelog"]["items"]] == [
        ("resolution", None, "Done"),
        ("status", "Waiting for support", "Resolved"),
    ]
    assert resolved["issue"]["fields"]["resolution"]["name"] == "Done"
    assert resolved["issue"]["fields"]["resolutiondate"] is not None
    assert deleted["webhookEvent"] == "jira:issue_deleted" and deleted["issue"]["key"] == key
