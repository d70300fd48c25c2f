"""Authentication, and field configuration: GET /field, custom field creation, contexts and options."""

from __future__ import annotations

import requests

from simulators.jira.fields import CF
from simulators.jira.simulator import JiraSimulator
from simulators.jira.testing import JiraClient, client

UNAUTHENTICATED = {"errorMessages": ["Client must be authenticated to access this resource."], "errors": {}}


def test_missing_or_wrong_credentials_get_401(sim: JiraSimulator) -> None:
    url = sim.base_url + "/rest/api/3/myself"
    for auth in (None, ("ela-connector@example.com", "wrong"), ("nobody@example.com", "ela-admin-token")):
        answer = requests.get(url, auth=auth, timeout=5)
        assert (answer.status_code, answer.json()) == (401, UNAUTHENTICATED)
    assert requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=5).status_code == 401
    assert [r.status for r in sim.requests] == [401, 401, 401, 401]


def test_basic_token_and_bearer_pat_both_log_in(sim: JiraSimulator) -> None:
    url = sim.base_url + "/rest/api/3/myself"
    basic = requests.get(url, auth=("ela-connector@example.com", "ela-admin-token"), timeout=5)
    bearer = requests.get(url, headers={"Authorization": "Bearer ela-admin-pat"}, timeout=5)
    assert basic.status_code == bearer.status_code == 200
    assert basic.json()["accountId"] == bearer.json()["accountId"] == sim.requests[-1].user


def test_added_users_log_in_with_their_generated_token(sim: JiraSimulator) -> None:
    user = sim.add_user("Dana Desk", "dana@example.com")
    me = client(sim, "dana@example.com").get("/rest/api/2/myself").json()
    assert me["accountId"] == user.account_id and me["accountType"] == "atlassian"


def test_field_list_describes_system_and_custom_fields(sim: JiraSimulator, admin: JiraClient) -> None:
    fields = {f["id"]: f for f in admin.get("/rest/api/3/field").json()}
    assert fields["summary"]["schema"] == {"type": "string", "system": "summary"}
    assert fields["summary"]["custom"] is False
    request_type = fields[sim.site.state.jsm_fields["request_type"]]
    assert request_type["schema"]["custom"] == "com.atlassian.servicedesk:vp-origin"
    assert request_type["schema"]["type"] == "sd-customerrequesttype"
    sla = fields[sim.site.state.jsm_fields["resolution_sla"]]
    assert (sla["name"], sla["schema"]["custom"]) == (
        "Time to resolution",
        "com.atlassian.servicedesk:sd-sla-field",
    )


def test_create_custom_fields_of_each_kind_the_connector_uses(admin: JiraClient) -> None:
    made = {}
    for name, kind, searcher in (
        ("Mood", "select", "multiselectsearcher"),
        ("Mood score", "float", "exactnumber"),
        ("ELA status", "textfield", "textsearcher"),
        ("Mood trend", "textarea", None),
    ):
        body = {"name": name, "type": CF + kind, **({"searcherKey": CF + searcher} if searcher else {})}
        answer = admin.post("/rest/api/3/field", json=body)
        assert answer.status_code == 201, answer.text
        made[kind] = answer.json()
    assert (
        made["select"]["schema"]["type"] == "option" and made["select"]["schema"]["custom"] == CF + "select"
    )
    assert made["float"]["schema"]["type"] == "number"
    assert made["float"]["schema"]["customId"] == int(made["float"]["id"].split("_")[1])
    assert made["float"]["clauseNames"] == [f"cf[{made['float']['schema']['customId']}]", "Mood score"]
    listed = {f["id"] for f in admin.get("/rest/api/3/field").json()}
    assert {m["id"] for m in made.values()} <= listed


def test_field_creation_is_validated(sim: JiraSimulator, admin: JiraClient) -> None:
    bad_type = admin.post("/rest/api/3/field", json={"name": "X", "type": CF + "hologram"})
    assert bad_type.status_code == 400 and "type" in bad_type.json()["errors"]
    bad_searcher = admin.post(
        "/rest/api/3/field", json={"name": "X", "type": CF + "float", "searcherKey": CF + "textsearcher"}
    )
    assert bad_searcher.status_code == 400 and "searcherKey" in bad_searcher.json()["errors"]
    not_admin = client(sim, "agent").post("/rest/api/3/field", json={"name": "X", "type": CF + "float"})
    assert not_admin.status_code == 403
    before = len(sim.site.state.fields)
    # Jira allows two fields with one name: a set-up command must look before it creates.
    for _ in range(2):
        assert admin.post("/rest/api/3/field", json={"name": "Twin", "type": CF + "float"}).status_code == 201
    assert len(sim.site.state.fields) == before + 2


def test_contexts_and_options(sim: JiraSimulator, admin: JiraClient) -> None:
    field_id = admin.post("/rest/api/3/field", json={"name": "Mood", "type": CF + "select"}).json()["id"]
    contexts = admin.get(f"/rest/api/3/field/{field_id}/context").json()
    assert contexts["total"] == 1 and contexts["values"][0]["isGlobalContext"] is True
    global_id = contexts["values"][0]["id"]

    added = admin.post(
        f"/rest/api/3/field/{field_id}/context/{global_id}/option",
        json={"options": [{"value": "Happy"}, {"value": "Unhappy", "disabled": False}]},
    )
    assert added.status_code == 200
    assert [o["value"] for o in added.json()["options"]] == ["Happy", "Unhappy"]
    listed = admin.get(f"/rest/api/3/field/{field_id}/context/{global_id}/option").json()
    assert [o["id"] for o in listed["values"]] == [o["id"] for o in added.json()["options"]]
    duplicate = admin.post(
        f"/rest/api/3/field/{field_id}/context/{global_id}/option", json={"options": [{"value": "Happy"}]}
    )
    assert duplicate.status_code == 400

    sup_id = sim.site.state.projects["SUP"].id
    project_context = admin.post(
        f"/rest/api/3/field/{field_id}/context",
        json={"name": "Support", "projectIds": [sup_id], "issueTypeIds": []},
    )
    assert project_context.status_code == 201 and project_context.json()["projectIds"] == [sup_id]
    again = admin.post(
        f"/rest/api/3/field/{field_id}/context", json={"name": "Again", "projectIds": [sup_id]}
    )
    assert again.status_code == 409
    assert admin.get(f"/rest/api/3/field/{field_id}/context/99999/option").status_code == 404
    assert admin.get("/rest/api/3/field/customfield_99999/context").status_code == 404

    number_id = admin.post("/rest/api/3/field", json={"name": "Score", "type": CF + "float"}).json()["id"]
    number_context = admin.get(f"/rest/api/3/field/{number_id}/context").json()["values"][0]["id"]
    no_options = admin.post(
        f"/rest/api/3/field/{number_id}/context/{number_context}/option", json={"options": [{"value": "1"}]}
    )
    assert (no_options.status_code, no_options.json()["errorMessages"]) == (
        400,
        ["The custom field doesn't support options."],
    )


def test_server_info_and_user_lookup(sim: JiraSimulator, admin: JiraClient) -> None:
    info = admin.get("/rest/api/3/serverInfo").json()
    assert info["deploymentType"] == "Cloud" and info["baseUrl"] == sim.base_url
    casey = sim.user("casey@customer.example")
    found = admin.get("/rest/api/3/user", params={"accountId": casey.account_id}).json()
    assert (found["displayName"], found["accountType"]) == ("Casey Customer", "customer")
    assert admin.get("/rest/api/3/user", params={"accountId": "nobody"}).status_code == 404
