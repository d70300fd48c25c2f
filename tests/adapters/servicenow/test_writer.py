"""The writer against the simulated instance: fields by PATCH and read back, comments into the journal
and found again, labels, priority, and every failure mapped onto the outbox's error classes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
import responses

from adapters.errors import PermanentWriteError, RateLimited, TransientWriteError
from adapters.events import Person
from adapters.results import FieldSpec
from adapters.servicenow.settings import writer
from adapters.servicenow.setup import setup
from adapters.servicenow.writer import ServiceNowWriter
from simulators.servicenow import ServiceNowSimulator
from tests.adapters.servicenow.conftest import site_settings

SPECS = [
    FieldSpec("mood", "u_customer_mood", "select", ("Negative", "Positive")),
    FieldSpec("mood_score", "u_customer_mood_score", "number"),
]


@pytest.fixture
def ready(sim: ServiceNowSimulator, snow: ServiceNowWriter) -> tuple[ServiceNowWriter, str]:
    setup(site_settings(sim.base_url), SPECS, snow)
    return snow, sim.create_incident("VPN drops", caller="casey.customer")


def _patches(sim: ServiceNowSimulator) -> list[object]:
    return [r for r in sim.requests if r.method == "PATCH"]


def test_fields_are_written_in_one_patch_and_read_back(
    sim: ServiceNowSimulator, ready: tuple[ServiceNowWriter, str]
) -> None:
    snow, key = ready
    snow.write_fields(key, {"mood": "Negative", "mood_score": -0.512})
    record = sim.record(key)
    assert (record["u_customer_mood"], float(record["u_customer_mood_score"])) == ("Negative", -0.512)
    [patch] = _patches(sim)
    assert patch.path == f"/api/now/table/incident/{record['sys_id']}"  # type: ignore[attr-defined]
    assert snow.read_fields(key, ["mood", "mood_score"]) == {"mood": "Negative", "mood_score": -0.512}
    snow.write_fields(key, {"mood": None})
    assert snow.read_fields(key, ["mood"]) == {"mood": None}
    assert record["sys_mod_count"] == "1"


def test_a_column_the_table_does_not_have_is_a_clear_failure(
    sim: ServiceNowSimulator, snow: ServiceNowWriter
) -> None:
    key = sim.create_incident("VPN drops", caller="casey.customer")
    # ServiceNow answers 200 and ignores an unknown column: the writer notices it is not in the answer.
    with pytest.raises(PermanentWriteError, match=r"incident has no column u_customer_mood.*ela setup"):
        snow.write_fields(key, {"mood": "Negative"})


def test_a_value_the_instance_did_not_keep_is_a_failure(
    sim: ServiceNowSimulator, ready: tuple[ServiceNowWriter, str]
) -> None:
    snow, key = ready
    sim.instance.write_protected.add("u_customer_mood")  # a field-level write ACL: the value is dropped
    with pytest.raises(PermanentWriteError, match="did not keep u_customer_mood"):
        snow.write_fields(key, {"mood": "Positive"})


def test_comments_go_to_the_right_journal_field_and_are_found_again(
    sim: ServiceNowSimulator, ready: tuple[ServiceNowWriter, str]
) -> None:
    snow, key = ready
    since = datetime.now(UTC) - timedelta(seconds=1)
    public = snow.add_comment(key, "We are on it: an agent will call you.", public=True)
    internal = snow.add_comment(key, "Customer at risk: call them.", public=False)
    entries = {e["sys_id"]: e for e in sim.journal(key)}
    assert entries[public]["element"] == "comments" and entries[internal]["element"] == "work_notes"
    assert entries[public]["sys_created_by"] == "ela.connector"
    assert snow.find_comment(key, "We are on it:  an agent will call you.", since=since) == public
    assert (
        snow.find_comment(key, "We are on it: an agent will call you.", since=since, exclude=[public]) is None
    )
    assert snow.find_comment(key, "Never posted", since=since) is None
    sim.add_comment(key, "Customer at risk: call them.", author="alex.agent", public=False)
    assert snow.find_comment(key, "Customer at risk: call them.", since=since, exclude=[internal]) is None


def test_labels_need_a_configured_column(
    sim: ServiceNowSimulator, ready: tuple[ServiceNowWriter, str]
) -> None:
    snow, key = ready
    with pytest.raises(PermanentWriteError, match="ServiceNow records have no labels; set `labels_field`"):
        snow.change_labels(key, add=["ela-at-risk"])
    site = site_settings(sim.base_url, labels_field="u_ela_labels")
    labelled = writer(site)
    setup(site, [], labelled)
    labelled.change_labels(key, add=["ela-at-risk", "vip"])
    labelled.change_labels(key, add=["vip"], remove=["ela-at-risk"])
    assert sim.record(key)["u_ela_labels"] == "vip"
    with pytest.raises(PermanentWriteError, match="not labels"):
        labelled.change_labels(key, add=["two words"])


def test_priority_is_set_through_impact_and_urgency(
    sim: ServiceNowSimulator, ready: tuple[ServiceNowWriter, str]
) -> None:
    snow, key = ready
    snow.set_priority(key, "2 - High")
    assert (sim.record(key)["priority"], sim.record(key)["impact"], sim.record(key)["urgency"]) == (
        "2",
        "1",
        "2",
    )
    snow.set_priority(key, "Critical")
    assert sim.record(key)["priority"] == "1"
    with pytest.raises(PermanentWriteError, match="is not a ServiceNow priority"):
        snow.set_priority(key, "urgent-ish")


def test_a_number_nowhere_is_a_clear_failure(snow: ServiceNowWriter) -> None:
    with pytest.raises(PermanentWriteError, match="no record numbered INC0999999"):
        snow.write_fields("INC0999999", {"mood": "Negative"})
    with pytest.raises(PermanentWriteError, match="is not a ServiceNow number"):
        snow.write_fields("INC^1", {"mood": "Negative"})


def test_groups_of_a_user(sim: ServiceNowSimulator, snow: ServiceNowWriter) -> None:
    agent = sim.instance.user("alex.agent")
    assert agent is not None
    assert snow.groups_of(Person(id=agent["sys_id"])) == frozenset({"Service Desk"})


def test_rate_limits_outages_and_credentials(
    sim: ServiceNowSimulator, ready: tuple[ServiceNowWriter, str]
) -> None:
    snow, key = ready
    sim.faults.add(method="PATCH", path=r"/api/now/table/incident/", status=429, retry_after=7)
    with pytest.raises(RateLimited) as limited:
        snow.write_fields(key, {"mood": "Negative"})
    assert limited.value.retry_after == 7
    sim.faults.add(method="PATCH", path=r"/api/now/table/incident/", status=503)
    with pytest.raises(TransientWriteError, match="ServiceNow answered 503"):
        snow.write_fields(key, {"mood": "Negative"})
    sim.faults.add(method="PATCH", path=r"/api/now/table/incident/", reset=True)
    with pytest.raises(TransientWriteError, match="cannot reach ServiceNow"):
        snow.write_fields(key, {"mood": "Negative"})
    wrong = writer(site_settings(sim.base_url, auth={"user": "ela.connector", "password": "wrong"}))
    with pytest.raises(
        PermanentWriteError, match=r"rejected the credentials \(401\).*user name \(ela.connector\)"
    ):
        wrong.write_fields(key, {"mood": "Negative"})
    token = writer(
        site_settings(sim.base_url, auth={"user": "ela.connector", "oauth_token": "ela-oauth-token"})
    )
    token.write_fields(key, {"mood": "Positive"})
    assert sim.record(key)["u_customer_mood"] == "Positive"


def test_no_access_to_the_table_names_the_role(sim: ServiceNowSimulator) -> None:
    sim.instance.add_user("intern", "Intern", "intern@example.com", password="intern-password")
    key = sim.create_incident("VPN drops", caller="casey.customer")
    intern = writer(site_settings(sim.base_url, auth={"user": "intern", "password": "intern-password"}))
    with pytest.raises(PermanentWriteError, match=r"refused permission \(403\).*itil role"):
        intern.write_fields(key, {"mood": "Negative"})


@responses.activate
def test_a_page_that_is_not_json_is_worth_another_try() -> None:
    url = "https://acme.service-now.com"
    responses.get(
        f"{url}/api/now/table/incident", body="<html>Your instance is hibernating</html>", status=200
    )
    snow = writer(site_settings(url))
    with pytest.raises(TransientWriteError, match="expected JSON from ServiceNow"):
        snow.write_fields("INC0010001", {"mood": "Negative"})
    responses.get(
        f"{url}/api/now/table/sn_customerservice_case", status=302, headers={"Location": "https://login"}
    )
    responses.replace(responses.GET, f"{url}/api/now/table/incident", json={"result": []})
    with pytest.raises(PermanentWriteError, match="redirected"):
        snow.write_fields("INC0010001", {"mood": "Negative"})
    assert isinstance(snow.api.session, requests.Session)
