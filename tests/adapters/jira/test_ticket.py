"""JSM fields found by value shape (request type, SLAs) or by configuration only (participants)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from adapters.base import RoleRules
from adapters.events import Person, SlaState
from adapters.jira.ticket import person, ticket

REQUEST = json.loads(
    (
        Path(__file__).parent / "fixtures" / "payloads" / "jsm-cloud-request-created-by-customer.json"
    ).read_text()
)["issue"]


@pytest.fixture
def issue() -> dict[str, Any]:
    return copy.deepcopy(REQUEST)


def test_participants_are_unknown_unless_the_field_is_configured(issue: dict[str, Any]) -> None:
    # customfield_10026 (Request participants) and customfield_10027 (an approvers picker) are both lists of
    # users; nothing in the payload tells them apart.
    assert ticket("ITSD-42", issue, RoleRules()).participants == ()
    approvers = ticket(
        "ITSD-42", issue, RoleRules(request_participants_field="customfield_10027")
    ).participants
    assert [p.name for p in approvers] == ["Alex Agent"]


def test_a_configured_participants_field_that_is_not_a_user_list_gives_none(issue: dict[str, Any]) -> None:
    rules = RoleRules(request_participants_field="customfield_10010")
    assert ticket("ITSD-42", issue, rules).participants == ()


def test_request_type_is_found_whatever_its_field_id(issue: dict[str, Any]) -> None:
    fields = issue["fields"]
    fields["customfield_12345"] = fields.pop("customfield_10010")
    assert ticket("ITSD-42", issue, RoleRules()).request_type == "Get IT help"
    del fields["customfield_12345"]
    assert ticket("ITSD-42", issue, RoleRules()).request_type is None


def test_sla_that_has_not_started_has_no_state(issue: dict[str, Any]) -> None:
    sla = issue["fields"]["customfield_10030"]
    del sla["ongoingCycle"]
    [first_response, resolution] = ticket("ITSD-42", issue, RoleRules()).slas
    assert resolution == SlaState(name="Time to resolution")
    assert first_response.name == "Time to first response"


def test_paused_and_breached_ongoing_cycle(issue: dict[str, Any]) -> None:
    cycle = issue["fields"]["customfield_10030"]["ongoingCycle"]
    cycle.update(paused=True, breached=True, remainingTime={"millis": -60000, "friendly": "-1m"})
    resolution = ticket("ITSD-42", issue, RoleRules()).slas[1]
    assert resolution == SlaState(
        name="Time to resolution",
        breached=True,
        ever_breached=True,
        paused=True,
        completed=False,
        goal_ms=28800000,
        remaining_ms=-60000,
    )


def test_the_ongoing_cycle_wins_over_completed_ones(issue: dict[str, Any]) -> None:
    sla = issue["fields"]["customfield_10030"]
    sla["completedCycles"] = [
        {"breached": True, "goalDuration": {"millis": 28800000}, "remainingTime": {"millis": -5}},
    ]
    resolution = ticket("ITSD-42", issue, RoleRules()).slas[1]
    assert resolution.completed is False
    assert resolution.breached is False
    assert resolution.ever_breached is True  # the reopened request missed its SLA once


def test_an_sla_never_breached_in_any_cycle(issue: dict[str, Any]) -> None:
    sla = issue["fields"]["customfield_10030"]
    sla["completedCycles"] = [{"breached": False, "goalDuration": {"millis": 28800000}}]
    resolution = ticket("ITSD-42", issue, RoleRules()).slas[1]
    assert (resolution.breached, resolution.ever_breached) == (False, False)


def test_values_of_other_shapes_are_not_slas_or_request_types(issue: dict[str, Any]) -> None:
    fields = issue["fields"]
    fields.update(
        customfield_20000={"name": "Not an SLA", "value": "x"},
        customfield_20001={"requestType": "Get IT help"},
        customfield_20002="com.atlassian.servicedesk.internal.sla.model.SLAValue@1a2b",
        customfield_20003=[{"name": "Time to resolution", "ongoingCycle": {}}],
        summary={"name": "Time to resolution", "completedCycles": []},  # not a custom field
    )
    found = ticket("ITSD-42", issue, RoleRules())
    assert [sla.name for sla in found.slas] == ["Time to first response", "Time to resolution"]
    assert found.request_type == "Get IT help"
    assert found.summary is None


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        (
            {
                "accountId": "5b10",
                "name": "alex",
                "key": "alex",
                "displayName": "Alex",
                "emailAddress": '"?"',
            },
            Person(id="5b10", name="Alex"),
        ),
        (
            {
                "name": "pat.lee",
                "key": "JIRAUSER10311",
                "emailAddress": "pat@globex.example",
                "displayName": "Pat",
            },
            Person(id="JIRAUSER10311", name="Pat", email="pat@globex.example"),
        ),
        ({"name": "legacy"}, Person(id="legacy")),
        ({"avatarUrls": {}}, None),
        ("admin", None),
        (None, None),
    ],
    ids=["cloud-hidden-email", "data-center", "name-only", "nothing-useful", "string", "null"],
)
def test_person_from_cloud_and_data_center_users(user: object, expected: Person | None) -> None:
    assert person(user) == expected
