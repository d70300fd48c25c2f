"""The simulator serves what atlassian-python-api (the product's Jira client library) sends, with no
violations: field set-up, quiet field writes, comments both ways, transitions and search."""

from __future__ import annotations

import pytest
from atlassian import Jira, ServiceDesk

from simulators.jira.fields import CF
from simulators.jira.simulator import JiraSimulator

ADMIN = ("ela-connector@example.com", "ela-admin-token")


@pytest.fixture
def jira(sim: JiraSimulator) -> Jira:
    return Jira(url=sim.base_url, username=ADMIN[0], password=ADMIN[1], cloud=True)


@pytest.fixture
def service_desk(sim: JiraSimulator) -> ServiceDesk:
    return ServiceDesk(url=sim.base_url, username=ADMIN[0], password=ADMIN[1], cloud=True)


def test_field_setup_and_quiet_writes(sim: JiraSimulator, jira: Jira) -> None:
    names = {f["name"] for f in jira.get_all_fields()}
    assert {"Summary", "Request Type", "Time to resolution"} <= names
    made = jira.create_custom_field("Mood score", CF + "float", search_key=CF + "exactnumber")
    key = sim.create_issue("SUP", "Library", reporter="casey@customer.example")
    jira.update_issue_field(key, {made["id"]: -0.4}, notify_users=False)
    assert sim.issue(key).fields[made["id"]] == -0.4
    assert sim.requests[-1].query == {"notifyUsers": ["false"]}


def test_comments_public_and_internal(sim: JiraSimulator, jira: Jira, service_desk: ServiceDesk) -> None:
    key = sim.create_issue("SUP", "Library", reporter="casey@customer.example")
    jira.issue_add_comment(key, "Public reply")
    service_desk.create_request_comment(key, "Internal: customer unhappy", public=False)
    assert [(c["body"], c["jsdPublic"]) for c in sim.issue(key).comments] == [
        ("Public reply", True),
        ("Internal: customer unhappy", False),
    ]
    assert len(service_desk.get_request_comments(key)) == 2


def test_transition_by_status_name_and_search(sim: JiraSimulator, jira: Jira) -> None:
    key = sim.create_issue("SUP", "Library")
    jira.set_issue_status(key, "Resolved")
    assert jira.get_issue_status(key) == "Resolved"
    found = jira.jql("project = SUP AND statusCategory = Done", fields="summary")
    assert [issue["key"] for issue in found["issues"]] == [key]
