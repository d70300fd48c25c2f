"""The ServiceNow simulator's Table API answers as the real one does: shapes, queries, paging, auth,
ACLs, faults; and it records what a client must not rely on."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from simulators.servicenow import ServiceNowSimulator
from simulators.servicenow.seed import CONNECTOR, CONNECTOR_PASSWORD, CONNECTOR_TOKEN

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def sim() -> Iterator[ServiceNowSimulator]:
    with ServiceNowSimulator() as simulator:
        yield simulator


def get(
    sim: ServiceNowSimulator,
    path: str,
    auth: tuple[str, str] = (CONNECTOR, CONNECTOR_PASSWORD),
    **params: str,
) -> requests.Response:
    return requests.get(sim.base_url + path, params=params, auth=auth, timeout=10)


def test_records_in_each_display_value_shape(sim: ServiceNowSimulator) -> None:
    key = sim.create_incident("VPN drops", caller="casey.customer")
    caller = sim.instance.user("casey.customer")
    assert caller is not None
    plain = get(sim, "/api/now/table/incident", sysparm_query=f"number={key}").json()["result"][0]
    assert plain["state"] == "1" and plain["caller_id"]["value"] == caller["sys_id"]
    assert plain["caller_id"]["link"].endswith(f"/api/now/table/sys_user/{caller['sys_id']}")
    assert plain["comments"] == ""  # journal fields read back empty
    shown = get(
        sim, "/api/now/table/incident", sysparm_display_value="true", sysparm_fields="state,caller_id"
    )
    assert shown.json()["result"][0] == {
        "state": "New",
        "caller_id": {"display_value": "Casey Customer", "link": plain["caller_id"]["link"]},
    }
    both = get(
        sim,
        "/api/now/table/incident",
        sysparm_display_value="all",
        sysparm_exclude_reference_link="true",
        sysparm_fields="state,sys_created_on",
    ).json()["result"][0]
    assert both["state"] == {"display_value": "New", "value": "1"}
    # Times: the value is UTC, the display value in the reading user's zone (US Pacific here).
    assert both["sys_created_on"]["value"] != both["sys_created_on"]["display_value"]


def test_encoded_queries_order_and_page_with_link_headers(sim: ServiceNowSimulator) -> None:
    keys = [sim.create_incident(f"Printer {n}", caller="casey.customer") for n in range(5)]
    sim.set_state(keys[1], "2", actor="alex.agent")
    answer = get(
        sim,
        "/api/now/table/incident",
        sysparm_query="state=1^ORDERBYDESCnumber",
        sysparm_limit="2",
        sysparm_fields="number",
    )
    assert [r["number"] for r in answer.json()["result"]] == [keys[4], keys[3]]
    assert answer.headers["X-Total-Count"] == "4"
    links = answer.links
    assert set(links) == {"first", "next", "last"}
    following = requests.get(links["next"]["url"], auth=(CONNECTOR, CONNECTOR_PASSWORD), timeout=10)
    assert [r["number"] for r in following.json()["result"]] == [keys[2], keys[0]]
    assert "next" not in following.links and "prev" in following.links
    query = f"numberIN{keys[0]},{keys[1]}^stateIN1,2^short_descriptionSTARTSWITHprinter"
    assert len(get(sim, "/api/now/table/incident", sysparm_query=query).json()["result"]) == 2
    assert len(get(sim, "/api/now/table/incident", sysparm_query="sys_mod_count>0").json()["result"]) == 1
    assert sim.violations == []


def test_what_the_real_instance_would_misread_is_a_violation(sim: ServiceNowSimulator) -> None:
    sim.create_incident("VPN", caller="casey.customer")
    # A misspelt column is ignored by ServiceNow: every record matches. The simulator does the same, and records it.
    assert len(get(sim, "/api/now/table/incident", sysparm_query="stat=6").json()["result"]) == 1
    get(sim, "/api/now/table/incident", sysparm_query="state=1^ORstate=2")
    get(sim, "/api/now/table/incident", sysparm_query="caller_id.name=Casey")
    get(sim, "/api/now/table/incident", sysparm_limt="1")
    kinds = [(v.kind, v.detail) for v in sim.violations]
    assert [k for k, _ in kinds] == [
        "unsupported_query",
        "unsupported_query",
        "unsupported_query",
        "unknown_parameter",
    ]
    assert "no such column" in kinds[0][1] and "dot-walking" in kinds[2][1]


def test_auth_acls_and_errors_in_servicenows_shape(sim: ServiceNowSimulator) -> None:
    unauthenticated = get(sim, "/api/now/table/incident", auth=(CONNECTOR, "wrong"))
    assert unauthenticated.status_code == 401
    assert unauthenticated.json() == {
        "error": {"message": "User Not Authenticated", "detail": "Required to provide Auth information"},
        "status": "failure",
    }
    token = requests.get(
        sim.base_url + "/api/now/table/incident",
        headers={"Authorization": f"Bearer {CONNECTOR_TOKEN}"},
        timeout=10,
    )
    assert token.status_code == 200
    customer = get(sim, "/api/now/table/sys_audit", auth=("casey.customer", "casey-customer-password"))
    assert customer.status_code == 403 and customer.json()["error"]["message"] == "User Not Authorized"
    agent_audit = get(sim, "/api/now/table/sys_audit", auth=("alex.agent", "alex-agent-password"))
    assert agent_audit.status_code == 403  # the audit is the admin's, as on a base instance
    missing = get(sim, "/api/now/table/incident/0123456789abcdef0123456789abcdef")
    assert missing.status_code == 404 and missing.json()["error"]["message"] == "No Record found"


def test_updates_write_the_audit_and_the_journal(sim: ServiceNowSimulator) -> None:
    key = sim.create_incident("VPN", caller="casey.customer")
    sys_id = sim.record(key)["sys_id"]
    answer = requests.patch(
        f"{sim.base_url}/api/now/table/incident/{sys_id}",
        json={"state": "2", "comments": "On it", "no_such_column": "x"},
        auth=(CONNECTOR, CONNECTOR_PASSWORD),
        timeout=10,
    )
    assert answer.status_code == 200 and "no_such_column" not in answer.json()["result"]
    assert sim.record(key)["sys_mod_count"] == "1"
    audit = [a for a in sim.instance.records["sys_audit"].values() if a["documentkey"] == sys_id]
    assert sorted((a["fieldname"], a["record_checkpoint"]) for a in audit) == [
        ("comments", "1"),
        ("state", "1"),
    ]
    [entry] = sim.journal(key)
    assert (entry["element"], entry["value"], entry["sys_created_by"]) == ("comments", "On it", CONNECTOR)


def test_faults_are_injected(sim: ServiceNowSimulator) -> None:
    sim.faults.add(method="GET", path="/api/now/table/incident", status=429, retry_after=3)
    limited = get(sim, "/api/now/table/incident")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3"
    sim.faults.add(method="GET", path="/api/now/table/incident", latency=0.3, times=1)
    started = time.monotonic()
    assert get(sim, "/api/now/table/incident").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_the_control_api_drives_the_instance(sim: ServiceNowSimulator) -> None:
    base = sim.base_url + "/_sim"
    created = requests.post(
        f"{base}/incidents", json={"short_description": "VPN", "caller": "casey.customer"}, timeout=10
    )
    number = created.json()["number"]
    requests.post(
        f"{base}/records/{number}/comments", json={"text": "Help", "author": "casey.customer"}, timeout=10
    )
    requests.post(f"{base}/records/{number}/state", json={"state": "2", "actor": "alex.agent"}, timeout=10)
    state = requests.get(f"{base}/records/{number}", timeout=10).json()
    assert state["record"]["state"] == "2" and [e["value"] for e in state["journal"]] == ["Help"]
    assert requests.post(f"{base}/faults", json={"status": 503, "nope": 1}, timeout=10).status_code == 400


def test_it_runs_as_a_process() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators.servicenow", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("ServiceNow simulator on http://127.0.0.1:")
        url = line.split()[3]
        assert requests.get(f"{url}/_sim/health", timeout=10).json()["ok"] is True
    finally:
        process.terminate()
        code = process.wait(10)
        if process.stdout is not None:
            process.stdout.close()
    assert code == 0


def _shape(value: object) -> object:
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in sorted(value.items())}
    return type(value).__name__


def test_answers_are_shaped_like_servicenows_own(sim: ServiceNowSimulator, shared_data: Path) -> None:
    import json

    real = json.loads(
        (
            shared_data
            / "servicenow"
            / "ServiceNowDocs_c_TableAPI__02_Table_GET_now_table_tableName_sys_id.json"
        ).read_text()
    )["result"]
    key = sim.create_incident("VPN drops", caller="casey.customer")
    sim.assign(key, "alex.agent", actor="alex.agent")
    sys_id = sim.record(key)["sys_id"]
    ours = get(sim, f"/api/now/table/incident/{sys_id}").json()["result"]
    shared = [name for name in ours if name in real and real[name] != "" and ours[name] != ""]
    assert len(shared) >= 15
    assert {name: _shape(ours[name]) for name in shared} == {name: _shape(real[name]) for name in shared}
    # The journal rows have the columns of a real sys_journal_field answer.
    rows = json.loads(
        (
            shared_data
            / "servicenow"
            / "insightconnect-plugins__get_incident_comments_worknotes_journal.json.resp"
        ).read_text()
    )["result"]
    sim.add_comment(key, "Hello", author="casey.customer")
    [entry] = get(sim, "/api/now/table/sys_journal_field", sysparm_query=f"element_id={sys_id}").json()[
        "result"
    ]
    assert set(rows[0]) - {"sys_tags"} <= set(entry)
