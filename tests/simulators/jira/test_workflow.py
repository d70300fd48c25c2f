"""Transitions, resolution, JSM's comment automation, SLA clocks and the JQL subset."""

from __future__ import annotations

from typing import Any

from simulators.jira.simulator import JiraSimulator
from simulators.jira.testing import JiraClient, client


def transition_ids(api: JiraClient, key: str) -> dict[str, str]:
    listed = api.get(f"/rest/api/3/issue/{key}/transitions").json()["transitions"]
    return {t["to"]["name"]: t["id"] for t in listed}


def sla(sim: JiraSimulator, key: str, role: str) -> dict[str, Any]:
    value: dict[str, Any] = sim.issue(key).fields[sim.site.state.jsm_fields[role]]
    return value


def test_resolve_then_reopen(sim: JiraSimulator, agent: JiraClient) -> None:
    key = sim.create_issue("SUP", "Disk full")
    targets = transition_ids(agent, key)
    assert set(targets) == {"In progress", "Waiting for customer", "Resolved"}
    assert (
        agent.post(
            f"/rest/api/3/issue/{key}/transitions",
            json={"transition": {"id": targets["Resolved"]}, "fields": {"resolution": {"name": "Won't Do"}}},
        ).status_code
        == 204
    )
    resolved = sim.issue(key)
    assert resolved.status == "Resolved"
    assert resolved.fields["resolution"]["name"] == "Won't Do"
    assert resolved.fields["resolutiondate"] is not None
    assert resolved.fields["status"]["statusCategory"]["key"] == "done"
    items = resolved.changelog[-1]["items"]
    assert [(i["field"], i["toString"]) for i in items] == [
        ("resolution", "Won't Do"),
        ("status", "Resolved"),
    ]

    reopen = transition_ids(agent, key)["Waiting for support"]
    assert (
        agent.post(f"/rest/api/2/issue/{key}/transitions", json={"transition": {"id": reopen}}).status_code
        == 204
    )
    reopened = sim.issue(key)
    assert reopened.fields["resolution"] is None and reopened.fields["resolutiondate"] is None
    assert [(i["field"], i["fromString"], i["toString"]) for i in reopened.changelog[-1]["items"]] == [
        ("resolution", "Won't Do", None),
        ("status", "Resolved", "Waiting for support"),
    ]


def test_invalid_transitions_are_refused(sim: JiraSimulator, agent: JiraClient) -> None:
    key = sim.create_issue("SUP", "Nope")
    close = agent.post(f"/rest/api/3/issue/{key}/transitions", json={"transition": {"id": "61"}})
    assert (close.status_code, close.json()["errorMessages"]) == (
        400,
        ["Transition id '61' is not valid for this issue."],
    )
    resolution_too_early = agent.post(
        f"/rest/api/3/issue/{key}/transitions",
        json={"transition": {"id": "21"}, "fields": {"resolution": {"name": "Done"}}},
    )
    assert resolution_too_early.status_code == 400
    assert sim.issue(key).status == "Waiting for support" and sim.issue(key).changelog == []


def test_software_projects_use_the_simple_workflow(sim: JiraSimulator, agent: JiraClient) -> None:
    key = sim.create_issue("DEV", "Refactor")
    assert sim.issue(key).status == "To Do"
    assert set(transition_ids(agent, key)) == {"In progress", "Done"}


def test_comments_move_the_request_between_waiting_statuses(sim: JiraSimulator) -> None:
    key = sim.create_issue("SUP", "Cannot print", reporter="casey@customer.example")
    sim.add_comment(key, "Which printer?", author="alex.agent@example.com")
    assert sim.issue(key).status == "Waiting for customer"
    last = sim.issue(key).changelog[-1]
    assert last["author"]["accountType"] == "app"
    sim.add_comment(key, "internal only", author="alex.agent@example.com", public=False)
    assert sim.issue(key).status == "Waiting for customer"
    sim.add_comment(key, "The one on floor 2", author="casey@customer.example")
    assert sim.issue(key).status == "Waiting for support"


def test_first_response_sla_stops_at_the_first_public_agent_reply(sim: JiraSimulator) -> None:
    key = sim.create_issue("SUP", "Slow laptop", reporter="casey@customer.example")
    sim.add_comment(key, "hello?", author="casey@customer.example")
    sim.add_comment(key, "internal", author="alex.agent@example.com", public=False)
    assert "ongoingCycle" in sla(sim, key, "first_response")
    sim.advance_clock(60)
    sim.add_comment(key, "On it", author="alex.agent@example.com")
    first = sla(sim, key, "first_response")
    assert "ongoingCycle" not in first
    (done,) = first["completedCycles"]
    assert done["breached"] is False and done["elapsedTime"]["millis"] >= 60_000


def test_resolution_sla_pauses_while_waiting_for_the_customer(sim: JiraSimulator) -> None:
    key = sim.create_issue("SUP", "Pause me")
    sim.transition(key, "Waiting for customer")
    paused = sla(sim, key, "resolution_sla")["ongoingCycle"]
    sim.advance_clock(5 * 3600)
    still = sla(sim, key, "resolution_sla")["ongoingCycle"]
    assert paused["paused"] is True and still["elapsedTime"]["millis"] == paused["elapsedTime"]["millis"]
    sim.transition(key, "In progress")
    sim.advance_clock(9 * 3600)
    running = sla(sim, key, "resolution_sla")["ongoingCycle"]
    assert running["paused"] is False and running["breached"] is True
    assert running["remainingTime"]["millis"] < 0
    sim.transition(key, "Resolved")
    value = sla(sim, key, "resolution_sla")
    assert "ongoingCycle" not in value and value["completedCycles"][0]["breached"] is True


def test_sla_through_the_jsm_api(sim: JiraSimulator, agent: JiraClient) -> None:
    key = sim.create_issue("SUP", "SLA", reporter="casey@customer.example")
    slas = agent.get(f"/rest/servicedeskapi/request/{key}/sla").json()["values"]
    assert [s["name"] for s in slas] == ["Time to first response", "Time to resolution"]
    assert client(sim, "customer").get(f"/rest/servicedeskapi/request/{key}/sla").status_code == 403


def test_enhanced_search_with_the_supported_jql(sim: JiraSimulator, agent: JiraClient) -> None:
    first = sim.create_issue("SUP", "One")
    second = sim.create_issue("SUP", "Two")
    sim.create_issue("DEV", "Other project")
    sim.transition(second, "Resolved")
    found = agent.get(
        "/rest/api/3/search/jql",
        params={"jql": 'project = SUP AND updated >= "-1h" ORDER BY updated ASC', "fields": "summary,status"},
    ).json()
    assert [i["key"] for i in found["issues"]] == [first, second] and found["isLast"] is True
    assert set(found["issues"][0]["fields"]) == {"summary", "status"}
    ids_only = agent.post("/rest/api/3/search/jql", json={"jql": "statusCategory = Done"}).json()
    assert ids_only["issues"] == [{"id": sim.issue(second).id}]
    none = agent.get(
        "/rest/api/3/search/jql", params={"jql": "project in (SUP, DEV) AND created > '2999-01-01'"}
    )
    assert none.json() == {"issues": [], "isLast": True}


def test_enhanced_search_pages_with_a_token(sim: JiraSimulator, agent: JiraClient) -> None:
    keys = [sim.create_issue("SUP", f"Issue {n}") for n in range(3)]
    seen: list[str] = []
    token = None
    while True:
        body = {"jql": "project = SUP ORDER BY key ASC", "maxResults": 2, "fields": ["summary"]}
        page = agent.post(
            "/rest/api/3/search/jql", json={**body, **({"nextPageToken": token} if token else {})}
        ).json()
        seen += [issue["key"] for issue in page["issues"]]
        if page["isLast"]:
            break
        token = page["nextPageToken"]
    assert seen == keys


def test_enhanced_search_refuses_unbounded_jql(agent: JiraClient) -> None:
    answer = agent.get("/rest/api/3/search/jql", params={"jql": "ORDER BY created DESC"})
    assert answer.status_code == 400 and "Unbounded JQL" in answer.json()["errorMessages"][0]


def test_the_removed_search_still_answers_but_is_flagged(sim: JiraSimulator, agent: JiraClient) -> None:
    key = sim.create_issue("SUP", "Old client")
    found = agent.get("/rest/api/2/search", params={"jql": "project = SUP"}).json()
    assert [i["key"] for i in found["issues"]] == [key] and found["total"] == 1
    assert [v.kind for v in sim.violations] == ["removed_from_cloud"]
    sim.clear_records()


def test_unsupported_jql_is_loud(sim: JiraSimulator, agent: JiraClient) -> None:
    answer = agent.get("/rest/api/3/search/jql", params={"jql": "project = SUP OR project = DEV"})
    assert answer.status_code == 400 and "Error in the JQL Query" in answer.json()["errorMessages"][0]
    assert [v.kind for v in sim.violations] == ["not_implemented"]
    sim.clear_records()


def test_custom_fields_are_searchable_by_name_and_id_with_date_functions(
    sim: JiraSimulator, agent: JiraClient
) -> None:
    status = sim.create_custom_field("ELA status", "select", options=["At risk", "Breached", "Met"])
    due = sim.create_custom_field("ELA due", "datetime")
    keys = [sim.create_issue("SUP", f"Ticket {n}") for n in range(3)]
    now = sim.site.state.now()
    writes = [
        {status.id: {"value": "At risk"}, due.id: "2025-06-02T10:00:00.000+0000"},
        {status.id: {"value": "Breached"}},
        {},
    ]
    for key, fields in zip(keys, writes, strict=True):
        if fields:
            assert agent.put(f"/rest/api/3/issue/{key}", json={"fields": fields}).status_code == 204
    assert sim.issue(keys[0]).fields[due.id] == "2025-06-02T10:00:00.000+0000"

    def search(jql: str) -> list[str]:
        answer = agent.get("/rest/api/3/search/jql", params={"jql": jql, "fields": "summary"})
        assert answer.status_code == 200, answer.text
        return [issue["key"] for issue in answer.json()["issues"]]

    number = status.id.removeprefix("customfield_")
    assert search('project = SUP AND "ELA status" = "At risk"') == [keys[0]]
    assert search(f"project = SUP AND cf[{number}] in (Breached, Met) ORDER BY key ASC") == [keys[1]]
    assert search('project = SUP AND "ela status" != Breached') == [keys[0]]  # empty fields never match !=
    assert search('project = SUP AND "ELA status" is EMPTY') == [keys[2]]
    assert search('project = SUP AND "ELA due" >= "2025-06-02" AND "ELA due" < "2025-06-03"') == [keys[0]]
    # This week, by Jira's functions: a due time set to the site's "now" is on or after startOfWeek().
    from simulators.jira.model import jira_time

    agent.put(f"/rest/api/3/issue/{keys[2]}", json={"fields": {due.id: jira_time(now)}})
    assert search('project = SUP AND "ELA due" >= startOfWeek() AND "ELA due" <= endOfWeek()') == [keys[2]]
    assert search('project = SUP AND "ELA due" >= startOfWeek(1w)') == []
    assert keys[2] in search('project = SUP AND "ELA due" >= startOfDay(-7d)')


def test_a_date_time_field_refuses_what_jira_refuses(sim: JiraSimulator, agent: JiraClient) -> None:
    due = sim.create_custom_field("ELA due", "datetime")
    key = sim.create_issue("SUP", "Dates")
    wrong = agent.put(f"/rest/api/3/issue/{key}", json={"fields": {due.id: "1 December 2026"}})
    assert wrong.status_code == 400 and "Invalid date format" in str(wrong.json()["errors"])
    shape = agent.put(f"/rest/api/3/issue/{key}", json={"fields": {due.id: 1764583200000}})
    assert shape.status_code == 400
    sim.clear_records()
