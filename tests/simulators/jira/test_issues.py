"""Issues over real HTTP: create, read with field filters, edit with Jira's rejections, delete."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from simulators.jira.model import Field
from simulators.jira.simulator import JiraSimulator
from simulators.jira.testing import JiraClient, client

NOT_FOUND = {"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}}


@pytest.fixture
def mood(sim: JiraSimulator) -> Field:
    return sim.create_custom_field("Customer mood", "select", options=["Happy", "Neutral", "Unhappy"])


def test_create_through_rest_then_read_in_v2_and_v3(admin: JiraClient) -> None:
    created = admin.post(
        "/rest/api/2/issue",
        json={
            "fields": {
                "project": {"key": "SUP"},
                "issuetype": {"name": "Service Request"},
                "summary": "VPN drops every hour",
                "description": "Since Monday.\n\nOn every laptop.",
            }
        },
    )
    assert created.status_code == 201
    key = created.json()["key"]
    assert key == "SUP-1" and created.json()["self"].endswith(f"/rest/api/2/issue/{created.json()['id']}")

    v2 = admin.get(f"/rest/api/2/issue/{key}").json()
    assert v2["fields"]["summary"] == "VPN drops every hour"
    assert v2["fields"]["description"] == "Since Monday.\n\nOn every laptop."
    assert v2["fields"]["status"]["name"] == "Waiting for support"
    assert v2["fields"]["status"]["statusCategory"]["key"] == "new"
    assert v2["fields"]["reporter"]["emailAddress"] == "ela-connector@example.com"

    v3 = admin.get(f"/rest/api/3/issue/{key}").json()
    paragraphs = v3["fields"]["description"]["content"]
    assert v3["fields"]["description"]["type"] == "doc"
    assert [p["content"][0]["text"] for p in paragraphs] == ["Since Monday.", "On every laptop."]


def test_create_reports_every_missing_field_and_creates_nothing(
    sim: JiraSimulator, admin: JiraClient
) -> None:
    answer = admin.post(
        "/rest/api/2/issue", json={"fields": {"project": {"key": "NOPE"}, "issuetype": {"id": "10003"}}}
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "errorMessages": [],
        "errors": {
            "project": "Specify a valid project ID or key",
            "summary": "You must specify a summary of the issue.",
        },
    }
    assert sim.site.state.issues == {}


def test_fields_filter_selects_and_excludes(sim: JiraSimulator, admin: JiraClient) -> None:
    key = sim.create_issue("SUP", "Printer jam", description="Tray 2")
    only = admin.get(f"/rest/api/3/issue/{key}", params={"fields": "summary,status"}).json()
    assert set(only["fields"]) == {"summary", "status"}
    without = admin.get(f"/rest/api/3/issue/{key}", params={"fields": "*all,-description,-comment"}).json()
    assert "description" not in without["fields"] and "comment" not in without["fields"]
    assert "summary" in without["fields"] and "customfield_10000" in without["fields"]


def test_unknown_issue_is_404_with_jira_message(admin: JiraClient) -> None:
    for method in ("GET", "PUT"):
        answer = admin.request(
            method, "/rest/api/3/issue/SUP-999", json={"fields": {}} if method == "PUT" else None
        )
        assert (answer.status_code, answer.json()) == (404, NOT_FOUND)


def test_custom_field_writes_persist_and_grow_the_changelog(
    sim: JiraSimulator, admin: JiraClient, mood: Field
) -> None:
    score = sim.create_custom_field("Mood score", "float")
    note = sim.create_custom_field("Mood note", "textfield")
    key = sim.create_issue("SUP", "Laptop will not boot", reporter="casey@customer.example")

    first = admin.put(
        f"/rest/api/3/issue/{key}",
        params={"notifyUsers": "false"},
        json={"fields": {mood.id: {"value": "Unhappy"}, score.id: -0.6, note.id: "angry"}},
    )
    assert first.status_code == 204 and first.content == b""
    fields = sim.issue(key).fields
    assert fields[mood.id]["value"] == "Unhappy" and fields[score.id] == -0.6 and fields[note.id] == "angry"

    admin.put(f"/rest/api/3/issue/{key}", json={"fields": {score.id: 0.2, mood.id: {"value": "Neutral"}}})
    admin.put(f"/rest/api/3/issue/{key}", json={"fields": {score.id: 0.2}})  # no change: no history

    histories = admin.get(f"/rest/api/3/issue/{key}/changelog").json()
    assert histories["total"] == 2
    second = {item["fieldId"]: item for item in histories["values"][1]["items"]}
    assert second[score.id] == {
        "field": "Mood score",
        "fieldtype": "custom",
        "fieldId": score.id,
        "from": None,
        "fromString": "-0.6",
        "to": None,
        "toString": "0.2",
    }
    neutral = next(o.id for o in mood.contexts[0].options if o.value == "Neutral")
    assert second[mood.id]["from"] != neutral and second[mood.id]["to"] == neutral
    assert (second[mood.id]["fromString"], second[mood.id]["toString"]) == ("Unhappy", "Neutral")
    assert histories["values"][1]["author"]["emailAddress"] == "ela-connector@example.com"


def test_unknown_field_is_refused_and_nothing_changes(
    sim: JiraSimulator, admin: JiraClient, mood: Field
) -> None:
    key = sim.create_issue("SUP", "Mouse broken")
    answer = admin.put(
        f"/rest/api/3/issue/{key}", json={"fields": {mood.id: {"value": "Happy"}, "customfield_10099": 1}}
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "errorMessages": [],
        "errors": {
            "customfield_10099": "Field 'customfield_10099' cannot be set. "
            "It is not on the appropriate screen, or unknown."
        },
    }
    assert sim.issue(key).fields[mood.id] is None and sim.issue(key).changelog == []


def test_field_off_the_edit_screen_cannot_be_set(sim: JiraSimulator, admin: JiraClient) -> None:
    hidden = sim.create_custom_field("Hidden", "textfield", on_screen=False)
    key = sim.create_issue("SUP", "Screen test")
    answer = admin.put(f"/rest/api/2/issue/{key}", json={"fields": {hidden.id: "x"}})
    assert answer.status_code == 400
    assert "It is not on the appropriate screen, or unknown." in answer.json()["errors"][hidden.id]


def test_select_value_must_be_an_option_of_the_field(
    sim: JiraSimulator, admin: JiraClient, mood: Field
) -> None:
    key = sim.create_issue("SUP", "Keyboard sticky")
    by_value = admin.put(f"/rest/api/3/issue/{key}", json={"fields": {mood.id: {"value": "Furious"}}})
    assert (by_value.status_code, by_value.json()["errors"]) == (
        400,
        {mood.id: "Option value 'Furious' is not valid"},
    )
    by_id = admin.put(f"/rest/api/3/issue/{key}", json={"fields": {mood.id: {"id": "99999"}}})
    assert by_id.json()["errors"] == {mood.id: "Option id '99999' is not valid"}
    happy = next(o.id for o in mood.contexts[0].options if o.value == "Happy")
    assert admin.put(f"/rest/api/3/issue/{key}", json={"fields": {mood.id: {"id": happy}}}).status_code == 204


def test_a_project_context_replaces_the_global_options(
    sim: JiraSimulator, admin: JiraClient, mood: Field
) -> None:
    sup = sim.site.state.projects["SUP"]
    context = sim.site.state.add_context(mood, "Support only", project_ids=[sup.id])
    sim.site.state.add_options(mood, context, [{"value": "Delighted"}])
    key = sim.create_issue("SUP", "Context test")
    assert (
        admin.put(f"/rest/api/2/issue/{key}", json={"fields": {mood.id: {"value": "Happy"}}}).status_code
        == 400
    )
    assert (
        admin.put(f"/rest/api/2/issue/{key}", json={"fields": {mood.id: {"value": "Delighted"}}}).status_code
        == 204
    )


def test_wrong_json_type_is_refused_and_recorded_as_a_violation(
    sim: JiraSimulator, admin: JiraClient
) -> None:
    score = sim.create_custom_field("Mood score", "float")
    key = sim.create_issue("SUP", "Number test")
    answer = admin.put(f"/rest/api/3/issue/{key}", json={"fields": {score.id: "0.5"}})
    assert (answer.status_code, answer.json()["errors"]) == (
        400,
        {score.id: "Operation value must be a number"},
    )
    assert [v.kind for v in sim.violations] == ["field_value_shape"]
    assert sim.issue(key).fields[score.id] is None
    sim.clear_records()


def test_v3_rich_text_must_be_adf_while_v2_takes_a_string(sim: JiraSimulator, admin: JiraClient) -> None:
    key = sim.create_issue("SUP", "Rich text")
    assert admin.put(f"/rest/api/2/issue/{key}", json={"fields": {"description": "plain"}}).status_code == 204
    refused = admin.put(f"/rest/api/3/issue/{key}", json={"fields": {"description": "plain again"}})
    assert refused.status_code == 400
    assert "Atlassian Document" in refused.json()["errors"]["description"]
    assert sim.issue(key).fields["description"] == "plain"
    sim.clear_records()


def test_notify_users_false_needs_an_administrator(sim: JiraSimulator, mood: Field) -> None:
    key = sim.create_issue("SUP", "Quiet write")
    agent = client(sim, "agent")
    refused = agent.put(
        f"/rest/api/3/issue/{key}",
        params={"notifyUsers": "false"},
        json={"fields": {mood.id: {"value": "Happy"}}},
    )
    assert refused.status_code == 403
    assert refused.json() == {
        "errorMessages": [
            "To discard the user notification either admin or project admin permissions are required."
        ],
        "errors": {},
    }
    assert (
        agent.put(f"/rest/api/3/issue/{key}", json={"fields": {mood.id: {"value": "Happy"}}}).status_code
        == 204
    )
    assert (
        client(sim, "admin")
        .put(
            f"/rest/api/3/issue/{key}",
            params={"notifyUsers": "false"},
            json={"fields": {mood.id: {"value": "Unhappy"}}},
        )
        .status_code
        == 204
    )


def test_update_operations_add_and_remove_labels(sim: JiraSimulator, admin: JiraClient) -> None:
    key = sim.create_issue("SUP", "Labels", fields={"labels": ["vpn"]})
    answer = admin.put(
        f"/rest/api/2/issue/{key}", json={"update": {"labels": [{"add": "at-risk"}, {"remove": "vpn"}]}}
    )
    assert answer.status_code == 204
    assert sim.issue(key).fields["labels"] == ["at-risk"]


def test_delete_needs_admin_and_then_the_issue_is_gone(sim: JiraSimulator, admin: JiraClient) -> None:
    key = sim.create_issue("SUP", "Spam")
    assert client(sim, "agent").delete(f"/rest/api/3/issue/{key}").status_code == 403
    assert admin.delete(f"/rest/api/3/issue/{key}").status_code == 204
    assert admin.get(f"/rest/api/3/issue/{key}").json() == NOT_FOUND


def test_portal_customers_cannot_use_the_platform_api(sim: JiraSimulator) -> None:
    key = sim.create_issue("SUP", "Mine", reporter="casey@customer.example")
    customer = client(sim, "customer")
    assert customer.get(f"/rest/api/3/issue/{key}").status_code == 404
    assert customer.put(f"/rest/api/3/issue/{key}", json={"fields": {"summary": "x"}}).status_code == 403
    assert customer.post(f"/rest/api/2/issue/{key}/comment", json={"body": "hi"}).status_code == 403
    assert customer.get("/rest/api/3/myself").json()["accountType"] == "customer"


def test_concurrent_writers_each_get_a_changelog_entry(sim: JiraSimulator) -> None:
    score = sim.create_custom_field("Mood score", "float")
    key = sim.create_issue("SUP", "Busy")

    def writer(offset: int) -> list[int]:
        api = client(sim, "admin")
        statuses = [
            api.put(f"/rest/api/2/issue/{key}", json={"fields": {score.id: offset * 100 + n}}).status_code
            for n in range(10)
        ]
        api.close()
        return statuses

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = [s for batch in pool.map(writer, range(8)) for s in batch]
    assert statuses == [204] * 80
    changelog = sim.issue(key).changelog
    assert len(changelog) == 80
    assert len({group["id"] for group in changelog}) == 80
