"""Comments through the platform API (v2 strings, v3 ADF) and the JSM API (public / internal)."""

from __future__ import annotations

import pytest

from simulators.jira.simulator import JiraSimulator
from simulators.jira.testing import JiraClient, client

ADF = {
    "type": "doc",
    "version": 1,
    "content": [
        {
            "type": "paragraph",
            "content": [
                {"type": "text", "text": "First line"},
                {"type": "hardBreak"},
                {"type": "text", "text": "second line"},
            ],
        },
        {"type": "paragraph", "content": [{"type": "text", "text": "Next paragraph"}]},
    ],
}


@pytest.fixture
def key(sim: JiraSimulator) -> str:
    return sim.create_issue("SUP", "Email bounces", reporter="casey@customer.example")


def test_v2_string_and_v3_adf_are_the_same_comment(agent: JiraClient, key: str) -> None:
    made = agent.post(f"/rest/api/3/issue/{key}/comment", json={"body": ADF})
    assert made.status_code == 201
    assert made.json()["body"] == ADF and made.json()["jsdPublic"] is True
    v2 = agent.get(f"/rest/api/2/issue/{key}/comment").json()
    assert v2["total"] == 1
    assert v2["comments"][0]["body"] == "First line\nsecond line\n\nNext paragraph"

    plain = agent.post(f"/rest/api/2/issue/{key}/comment", json={"body": "Plain text reply"}).json()
    v3 = agent.get(f"/rest/api/3/issue/{key}/comment/{plain['id']}").json()
    assert (
        v3["body"]["type"] == "doc" and v3["body"]["content"][0]["content"][0]["text"] == "Plain text reply"
    )
    assert v3["author"]["emailAddress"] == "alex.agent@example.com"


def test_v3_refuses_a_string_body_and_records_it(sim: JiraSimulator, agent: JiraClient, key: str) -> None:
    answer = agent.post(f"/rest/api/3/issue/{key}/comment", json={"body": "not ADF"})
    assert (answer.status_code, answer.json()) == (400, {"errorMessages": ["INVALID_INPUT"], "errors": {}})
    assert [v.kind for v in sim.violations] == ["body_shape"]
    assert sim.issue(key).comments == []
    sim.clear_records()


def test_empty_comment_is_refused(agent: JiraClient, key: str) -> None:
    answer = agent.post(f"/rest/api/2/issue/{key}/comment", json={"body": "   "})
    assert (answer.status_code, answer.json()["errors"]) == (
        400,
        {"comment": "Comment body can not be empty!"},
    )


def test_internal_note_through_the_comment_property(sim: JiraSimulator, agent: JiraClient, key: str) -> None:
    internal = [{"key": "sd.public.comment", "value": {"internal": True}}]
    made = agent.post(
        f"/rest/api/2/issue/{key}/comment", json={"body": "Customer at risk", "properties": internal}
    )
    assert made.json()["jsdPublic"] is False
    assert sim.issue(key).comments[0]["jsdPublic"] is False


def test_edit_and_delete(sim: JiraSimulator, agent: JiraClient, key: str) -> None:
    comment_id = agent.post(f"/rest/api/2/issue/{key}/comment", json={"body": "tpyo"}).json()["id"]
    edited = agent.put(f"/rest/api/2/issue/{key}/comment/{comment_id}", json={"body": "typo"})
    assert edited.status_code == 200 and edited.json()["body"] == "typo"
    assert sim.issue(key).comments[0]["body"] == "typo"
    assert client(sim, "agent2").delete(f"/rest/api/2/issue/{key}/comment/{comment_id}").status_code == 403
    assert agent.delete(f"/rest/api/2/issue/{key}/comment/{comment_id}").status_code == 204
    assert sim.issue(key).comments == []
    assert agent.get(f"/rest/api/2/issue/{key}/comment/{comment_id}").status_code == 404


def test_customer_comments_publicly_on_their_own_request(sim: JiraSimulator, key: str) -> None:
    customer = client(sim, "customer")
    made = customer.post(
        f"/rest/servicedeskapi/request/{key}/comment", json={"body": "Any news?", "public": True}
    )
    assert made.status_code == 201
    assert made.json()["public"] is True and made.json()["author"]["emailAddress"] == "casey@customer.example"
    assert made.json()["created"]["epochMillis"] > 0
    internal = customer.post(
        f"/rest/servicedeskapi/request/{key}/comment", json={"body": "psst", "public": False}
    )
    assert internal.status_code == 403 and "errorMessage" in internal.json()
    assert [c["body"] for c in sim.issue(key).comments] == ["Any news?"]


def test_other_customers_need_to_be_participants(sim: JiraSimulator, key: str) -> None:
    robin = client(sim, "customer2")
    refused = robin.post(
        f"/rest/servicedeskapi/request/{key}/comment", json={"body": "me too", "public": True}
    )
    assert refused.status_code == 403
    assert set(refused.json()) == {"errorMessage", "i18nErrorMessage"}
    added = client(sim, "customer").post(
        f"/rest/servicedeskapi/request/{key}/participant",
        json={"accountIds": [sim.user("robin@customer.example").account_id]},
    )
    assert added.status_code == 200 and added.json()["values"][0]["displayName"] == "Robin Requester"
    assert (
        robin.post(
            f"/rest/servicedeskapi/request/{key}/comment", json={"body": "me too", "public": True}
        ).status_code
        == 201
    )
    participants = sim.issue(key).fields[sim.site.state.jsm_fields["participants"]]
    assert [p["accountType"] for p in participants] == ["customer"]


def test_customers_do_not_see_internal_comments(sim: JiraSimulator, agent: JiraClient, key: str) -> None:
    assert (
        agent.post(
            f"/rest/servicedeskapi/request/{key}/comment",
            json={"body": "Internal: escalate", "public": False},
        ).status_code
        == 201
    )
    assert (
        agent.post(
            f"/rest/servicedeskapi/request/{key}/comment", json={"body": "We are on it", "public": True}
        ).status_code
        == 201
    )
    seen_by_customer = client(sim, "customer").get(f"/rest/servicedeskapi/request/{key}/comment").json()
    assert [c["body"] for c in seen_by_customer["values"]] == ["We are on it"]
    seen_by_agent = agent.get(
        f"/rest/servicedeskapi/request/{key}/comment", params={"public": "false"}
    ).json()
    assert [c["body"] for c in seen_by_agent["values"]] == ["Internal: escalate"]
    platform = agent.get(f"/rest/api/2/issue/{key}/comment").json()["comments"]
    assert [c["jsdPublic"] for c in platform] == [False, True]


def test_customer_request_view(sim: JiraSimulator, key: str) -> None:
    request = client(sim, "customer").get(f"/rest/servicedeskapi/request/{key}").json()
    assert request["issueKey"] == key and request["requestTypeId"] == "1"
    assert request["currentStatus"]["status"] == "Waiting for support"
    assert request["reporter"]["emailAddress"] == "casey@customer.example"
    assert client(sim, "customer2").get(f"/rest/servicedeskapi/request/{key}").status_code == 403


def test_customer_raises_a_request_through_the_portal_api(sim: JiraSimulator) -> None:
    customer = client(sim, "customer")
    desks = customer.get("/rest/servicedeskapi/servicedesk").json()["values"]
    desk_id = desks[0]["id"]
    types = customer.get(f"/rest/servicedeskapi/servicedesk/{desk_id}/requesttype").json()["values"]
    hardware = next(t for t in types if t["name"] == "Request new hardware")
    made = customer.post(
        "/rest/servicedeskapi/request",
        json={
            "serviceDeskId": desk_id,
            "requestTypeId": hardware["id"],
            "requestFieldValues": {"summary": "New monitor", "description": "Mine flickers"},
        },
    )
    assert made.status_code == 201, made.text
    key = made.json()["issueKey"]
    view = sim.issue(key)
    assert view.fields["reporter"]["accountType"] == "customer"
    assert (
        view.fields[sim.site.state.jsm_fields["request_type"]]["requestType"]["name"]
        == "Request new hardware"
    )
    assert view.fields["description"] == "Mine flickers"


def test_jsm_body_violations_are_recorded(sim: JiraSimulator, key: str) -> None:
    if sim.site.checker is None:
        pytest.skip("needs the Jira OpenAPI definition from the shared data set")
    answer = client(sim, "agent").post(
        f"/rest/servicedeskapi/request/{key}/comment", json={"body": "x", "internal": True}
    )
    assert answer.status_code == 400
    assert [v.kind for v in sim.violations] == ["invalid_body"]
    assert sim.issue(key).comments == []
    sim.clear_records()


def test_single_request_comment_and_participant_list(sim: JiraSimulator, agent: JiraClient, key: str) -> None:
    internal = agent.post(
        f"/rest/servicedeskapi/request/{key}/comment", json={"body": "note", "public": False}
    )
    comment_id = internal.json()["id"]
    assert agent.get(f"/rest/servicedeskapi/request/{key}/comment/{comment_id}").json()["public"] is False
    customer = client(sim, "customer")
    assert customer.get(f"/rest/servicedeskapi/request/{key}/comment/{comment_id}").status_code == 404
    assert customer.get(f"/rest/servicedeskapi/request/{key}/participant").json()["values"] == []
