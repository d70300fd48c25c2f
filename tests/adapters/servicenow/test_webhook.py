"""The business rule's deliveries into TicketEvents: every operation, the signature, the roles, and what
is refused. Deliveries are those the simulated instance's business rule sends (the same the shipped
script sends: test_business_rule), edited one field at a time for the edge cases."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest

from adapters.base import Headers, InboundRequest, RoleRules, WebhookAuth
from adapters.errors import PayloadRejected, Unauthorized
from adapters.events import AuthorRole, EventKind, StatusCategory
from adapters.servicenow.auth import authenticate, sign
from adapters.servicenow.webhook import parse
from simulators.servicenow import ServiceNowSimulator
from simulators.servicenow.rules import payload

SECRET = "webhook-secret-0123456789"


def _deliveries(build: Any) -> list[dict[str, Any]]:
    sim = ServiceNowSimulator()
    found: list[dict[str, Any]] = []
    sim.instance.listeners.append(lambda change: found.append(payload(sim.instance, change)))
    build(sim)
    return [p for p in found if p is not None]


def _request(body: dict[str, Any] | bytes, **headers: str) -> InboundRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return InboundRequest(Headers({"X-ELA-Delivery": "d-1", **headers}), raw)


def _story(sim: ServiceNowSimulator) -> None:
    key = sim.create_incident("VPN drops", caller="casey.customer", comment="It is broken again!")
    sim.add_comment(key, "On it.", author="alex.agent")
    sim.update(key, {"state": "6", "work_notes": "Gateway replaced."}, actor="alex.agent")
    sim.assign(key, "alex.agent", actor="alex.agent")
    sim.delete(key, actor="alex.agent")


def test_a_whole_story() -> None:
    insert, comment, resolve, assign, delete = _deliveries(_story)
    created = parse(_request(insert), "prod", RoleRules())
    assert [e.kind for e in created.events] == [EventKind.created, EventKind.commented]
    assert created.webhook_event == "incident.insert" and created.delivery_key == "d-1"
    ticket = created.events[0].ticket
    assert (ticket.key, ticket.status, ticket.status_category) == ("INC0010001", "New", StatusCategory.new)
    assert ticket.requester is not None and ticket.requester.name == "Casey Customer"
    customer = created.events[1].comment
    assert customer is not None and customer.author_role is AuthorRole.customer and customer.public
    assert customer.text == "It is broken again!"

    [agent] = [
        e
        for e in parse(_request(comment), "prod", RoleRules()).events
        if e.comment and e.comment.text == "On it."
    ]
    assert agent.comment is not None and agent.comment.author_role is AuthorRole.agent

    resolved = parse(_request(resolve), "prod", RoleRules()).events
    transition = next(e for e in resolved if e.kind is EventKind.transitioned)
    assert transition.transition is not None
    assert (transition.transition.from_status, transition.transition.to_status) == ("New", "Resolved")
    assert transition.transition.to_category is StatusCategory.done
    assert (
        transition.event_id
        == f"servicenow:prod:incident:{resolve['sys_id']}:{resolve['sys_mod_count']}:transitioned"
    )
    note = next(e for e in resolved if e.comment and e.comment.text == "Gateway replaced.")
    assert note.comment is not None and not note.comment.public

    [updated] = parse(_request(assign), "prod", RoleRules()).events
    assert updated.kind is EventKind.updated
    assert [(c.field, c.to_value) for c in updated.changes] == [("assignee", "Alex Agent")]

    [deleted] = parse(_request(delete), "prod", RoleRules()).events
    assert deleted.kind is EventKind.deleted
    assert deleted.event_id == f"servicenow:prod:incident:{delete['sys_id']}:deleted"


def test_a_repeated_or_overlapping_delivery_gives_the_same_ids() -> None:
    insert, comment, *_ = _deliveries(_story)
    first = [e.event_id for e in parse(_request(comment), "prod", RoleRules()).events]
    again = [
        e.event_id for e in parse(_request(comment, **{"X-ELA-Delivery": "d-2"}), "prod", RoleRules()).events
    ]
    assert first == again
    # An entry from the same second comes along with the next delivery, under its own id: one event.
    inserted_ids = {e.event_id for e in parse(_request(insert), "prod", RoleRules()).events}
    assert set(first) & inserted_ids == {e for e in first if e in inserted_ids}


def test_the_connectors_own_column_writes_post_nothing() -> None:
    def story(sim: ServiceNowSimulator) -> None:
        key = sim.create_incident("VPN drops", caller="casey.customer")
        sim.instance.columns["incident"]["u_customer_mood"] = sim.instance.columns["incident"]["category"]
        sim.update(key, {"u_customer_mood": "Negative"}, actor="ela.connector")

    assert [p["operation"] for p in _deliveries(story)] == ["insert"]


def test_the_group_member_without_a_role_is_an_agent_and_a_stranger_a_customer() -> None:
    def story(sim: ServiceNowSimulator) -> None:
        key = sim.create_incident("VPN drops", caller="casey.customer")
        sim.add_comment(key, "I will look at it.", author="sam.support")  # in the group, no role
        sim.add_comment(key, "Me too, same problem here!", author="robin.customer")  # neither

    _, sam, robin = _deliveries(story)
    roles = {}
    for body in (sam, robin):
        for event in parse(_request(body), "prod", RoleRules()).events:
            assert event.comment is not None
            roles[event.comment.text] = event.comment.author_role
    assert roles["I will look at it."] is AuthorRole.agent
    assert roles["Me too, same problem here!"] is AuthorRole.customer


def test_a_configured_system_account_is_a_machine() -> None:
    def story(sim: ServiceNowSimulator) -> None:
        key = sim.create_incident("VPN drops", caller="casey.customer")
        sim.add_comment(key, "Automatic reminder: please reply.", author="system")

    *_, body = _deliveries(story)
    [event] = [e for e in parse(_request(body), "prod", RoleRules()).events if e.comment]
    assert event.comment is not None and event.comment.author_role is AuthorRole.system


@pytest.mark.parametrize("encoding", ["base64", "hex"])
def test_a_signed_delivery_is_accepted(encoding: str) -> None:
    body = b'{"source": "ela-connector"}'
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).digest()
    mac = base64.b64encode(digest).decode() if encoding == "base64" else digest.hex()
    authenticate(_request(body, **{"X-ELA-Signature": f"sha256={mac}"}), WebhookAuth(secret=SECRET))
    assert sign(SECRET, body) == "sha256=" + base64.b64encode(digest).decode()


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing X-ELA-Signature header"),
        ({"X-ELA-Signature": "md5=abc"}, "malformed X-ELA-Signature header"),
        ({"X-ELA-Signature": sign("another-secret-0123456789", b"{}")}, "does not match the body"),
    ],
)
def test_an_unsigned_or_mis_signed_delivery_is_refused(headers: dict[str, str], reason: str) -> None:
    with pytest.raises(Unauthorized, match=reason):
        authenticate(_request(b"{}", **headers), WebhookAuth(secret=SECRET))


def test_a_token_proves_a_sender_that_cannot_sign() -> None:
    auth = WebhookAuth(token="token-0123456789abcdef")
    authenticate(_request(b"{}", **{"X-ELA-Token": "token-0123456789abcdef"}), auth)
    with pytest.raises(Unauthorized, match="wrong token"):
        authenticate(_request(b"{}", **{"X-ELA-Token": "nope"}), auth)
    with pytest.raises(Unauthorized, match="no webhook secret or token"):
        authenticate(_request(b"{}"), WebhookAuth())


def _edited(change: Any) -> dict[str, Any]:
    [insert] = _deliveries(lambda sim: sim.create_incident("VPN", caller="casey.customer"))
    body = copy.deepcopy(insert)
    change(body)
    return body


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda b: b.pop("source"), "not a delivery of the connector's business rule"),
        (lambda b: b.update(version=2), "payload version 2 is not 1"),
        (lambda b: b.update(table="problem"), "table 'problem' is not one the connector serves"),
        (lambda b: b.update(sys_id="no spaces allowed"), "no valid 'sys_id'"),
        (lambda b: b.pop("record"), "insert without a 'record' object"),
        (lambda b: b["record"]["number"].update(value="INC^0001"), "is not a ServiceNow number"),
        (
            lambda b: b.update(journal=[{"sys_id": "x", "element": "description"}]),
            "is not comments or work_notes",
        ),
        (lambda b: b.update(operation=""), "no 'operation' string"),
    ],
)
def test_what_is_not_the_business_rules_payload_is_refused(change: Any, reason: str) -> None:
    with pytest.raises(PayloadRejected, match=reason):
        parse(_request(_edited(change)), "prod", RoleRules())


def test_an_operation_the_connector_does_not_handle_is_answered_with_its_reason() -> None:
    result = parse(_request(_edited(lambda b: b.update(operation="query"))), "prod", RoleRules())
    assert (
        result.events == ()
        and result.ignored_reason == "query: a business rule operation that changes nothing"
    )


def test_not_json_is_refused() -> None:
    with pytest.raises(PayloadRejected, match="malformed JSON"):
        parse(_request(b"<html>"), "prod", RoleRules())


FIXTURES = Path(__file__).parent / "fixtures" / "payloads"


@pytest.mark.parametrize("name", sorted(p.stem for p in FIXTURES.glob("*.json")))
def test_each_recorded_delivery_parses(name: str) -> None:
    body = json.loads((FIXTURES / f"{name}.json").read_text())
    result = parse(_request(body), "prod", RoleRules())
    assert result.events, result.ignored_reason
    assert all(event.ticket.key.startswith(("INC", "CS")) for event in result.events)
