"""SLA beside ELA from real-shaped JSM payloads: each resolved ticket's SLA met or breached (read from
the SLA fields' ongoing and completed cycles) against its ELA met or breached. Variants are edits of
deep copies of the real fixtures."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.base import Headers, InboundRequest, RoleRules
from adapters.events import AuthorRole, TicketEvent
from adapters.jira.webhook import ADAPTER
from connector.store import Store
from tests.connector.conftest import T0, EventFactory
from tests.connector.ela.support import ANGRY, POLICIES, Clock, Ela, dated, settings_with

PAYLOADS = Path(__file__).resolve().parents[2] / "adapters" / "jira" / "fixtures" / "payloads"
RESOLVED = json.loads((PAYLOADS / "jsm-datacenter-resolved-with-internal-comment.json").read_text())
ACME = """
sites:
  acme:
    platform: jira
    url: https://jira.acme.example
    deployment: datacenter
    api_version: "2"
    auth: {personal_access_token: pat-0123456789}
    webhook: {token: acme-token-0123456789}
    customers: {request_participants_field: customfield_10101}
    fields: {ela_status: ELA status, sla_ela: SLA and ELA}
"""
RESOLUTION = "customfield_10111"  # "Time to resolution" on this Data Center site


def parse(payload: dict[str, Any], delivery: str) -> list[TicketEvent]:
    request = InboundRequest(
        headers=Headers({"X-Atlassian-Webhook-Identifier": delivery}), body=json.dumps(payload).encode()
    )
    return list(
        ADAPTER.parse(request, "acme", RoleRules(request_participants_field="customfield_10101")).events
    )


@pytest.fixture
def ela(store: Store) -> Ela:
    return Ela(store, settings_with(POLICIES, ACME), Clock(T0))


def angry_at(make_event: EventFactory, moment: datetime) -> TicketEvent:
    return dated(make_event(text=ANGRY, key="HELP-318", site="acme", role=AuthorRole.customer), moment)


def test_the_real_payload_breached_its_sla_while_the_customer_got_an_answer(
    ela: Ela, make_event: EventFactory
) -> None:
    # The customer wrote at 14:10 UTC; the request was resolved at 17:40, within the 4 hours.
    ela.process(angry_at(make_event, datetime(2024, 11, 18, 14, 10, tzinfo=UTC)))
    ela.process(*parse(RESOLVED, "d-1"))
    summary = ela.summary("HELP-318")
    assert summary is not None and (summary.sla, summary.status, summary.quadrant) == (
        "breached",
        "met",
        "sla_breached",
    )
    assert ela.fields("HELP-318")["sla_ela"] == "SLA breached, ELA met"


def test_sla_met_and_ela_breached_is_a_watermelon(ela: Ela, make_event: EventFactory) -> None:
    payload = copy.deepcopy(RESOLVED)
    cycle = payload["issue"]["fields"][RESOLUTION]["completedCycles"][0]
    cycle.update(breached=False, remainingTime={"millis": 60_000, "friendly": "1m"})
    # The customer wrote at 10:00 UTC: nobody answered within 4 hours, the resolution came at 17:40.
    ela.process(angry_at(make_event, datetime(2024, 11, 18, 10, 0, tzinfo=UTC)))
    ela.process(*parse(payload, "d-2"))
    summary = ela.summary("HELP-318")
    assert summary is not None and (summary.sla, summary.status, summary.quadrant) == (
        "met",
        "breached",
        "watermelon",
    )
    assert ela.fields("HELP-318")["sla_ela"] == "Watermelon"
    assert ela.state("reply", "HELP-318").breached_at == datetime(2024, 11, 18, 14, 0, tzinfo=UTC)  # type: ignore[union-attr]


def test_a_reopened_request_whose_first_cycle_breached_missed_its_sla(
    ela: Ela, make_event: EventFactory
) -> None:
    payload = copy.deepcopy(RESOLVED)
    sla = payload["issue"]["fields"][RESOLUTION]
    first = copy.deepcopy(sla["completedCycles"][0])
    second = copy.deepcopy(first)
    second.update(breached=False, remainingTime={"millis": 5_000_000, "friendly": "1h 23m"})
    sla["completedCycles"] = [first, second]  # breached, then (reopened) met
    ela.process(angry_at(make_event, datetime(2024, 11, 18, 14, 10, tzinfo=UTC)))
    ela.process(*parse(payload, "d-3"))
    assert ela.summary("HELP-318").quadrant == "sla_breached"  # type: ignore[union-attr]


def test_a_ticket_without_sla_fields_gets_no_quadrant(ela: Ela, make_event: EventFactory) -> None:
    payload = copy.deepcopy(RESOLVED)
    for field in ("customfield_10110", RESOLUTION):
        del payload["issue"]["fields"][field]
    ela.process(angry_at(make_event, datetime(2024, 11, 18, 14, 10, tzinfo=UTC)))
    ela.process(*parse(payload, "d-4"))
    summary = ela.summary("HELP-318")
    assert summary is not None and (summary.sla, summary.quadrant) == (None, None)
    assert "sla_ela" not in ela.fields("HELP-318")


def test_reopening_clears_the_quadrant_until_the_next_resolution(ela: Ela, make_event: EventFactory) -> None:
    ela.process(angry_at(make_event, datetime(2024, 11, 18, 14, 10, tzinfo=UTC)))
    ela.process(*parse(RESOLVED, "d-5"))
    reopened = copy.deepcopy(RESOLVED)
    fields = reopened["issue"]["fields"]
    fields["status"] = {"name": "In Progress", "statusCategory": {"key": "indeterminate"}}
    fields["resolution"] = fields["resolutiondate"] = None
    reopened["timestamp"] += 60_000
    reopened["changelog"]["items"] = [
        {"field": "status", "fromString": "Resolved", "toString": "In Progress"}
    ]
    ela.process(*parse(reopened, "d-6"))
    assert ela.summary("HELP-318").quadrant is None  # type: ignore[union-attr]
    assert ela.fields("HELP-318")["sla_ela"] is None
