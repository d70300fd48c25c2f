"""Injected faults (429 + Retry-After, 503, latency, dropped connections) and the /_sim control API,
in-process and with the simulator running as its own process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from simulators.jira.simulator import JiraSimulator
from simulators.jira.testing import JiraClient, client
from simulators.testing import WebhookReceiver

REPO = Path(__file__).resolve().parents[3]


def test_rate_limit_with_retry_after_then_success(sim: JiraSimulator, admin: JiraClient) -> None:
    key = sim.create_issue("SUP", "Throttled")
    sim.faults.add(method="PUT", path=r"/rest/api/\d/issue/", status=429, retry_after=2, times=1)
    limited = admin.put(f"/rest/api/3/issue/{key}", json={"fields": {"summary": "new"}})
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "2"
    assert limited.json()["errorMessages"] == ["Rate limit exceeded."]
    assert sim.issue(key).fields["summary"] == "Throttled"
    assert admin.put(f"/rest/api/3/issue/{key}", json={"fields": {"summary": "new"}}).status_code == 204
    assert sim.issue(key).fields["summary"] == "new"
    assert [(r.status, r.fault is not None) for r in sim.requests] == [(429, True), (204, False)]


def test_outage_until_the_fault_is_removed(sim: JiraSimulator, admin: JiraClient) -> None:
    key = sim.create_issue("SUP", "Outage")
    rule = sim.faults.add(path=r"/issue/", status=503, times=None)
    assert [admin.get(f"/rest/api/2/issue/{key}").status_code for _ in range(3)] == [503, 503, 503]
    assert admin.get("/rest/api/2/myself").status_code == 200
    assert sim.faults.remove(rule.id)
    assert admin.get(f"/rest/api/2/issue/{key}").status_code == 200


def test_latency_makes_a_short_client_timeout_expire(sim: JiraSimulator, admin: JiraClient) -> None:
    sim.faults.add(method="GET", path=r"/myself$", latency=1.0, times=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        admin.get("/rest/api/3/myself", timeout=0.2)
    assert admin.get("/rest/api/3/myself", timeout=5).status_code == 200


def test_connection_reset(sim: JiraSimulator, admin: JiraClient) -> None:
    sim.faults.add(method="GET", path=r"/myself$", reset=True, times=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        admin.get("/rest/api/3/myself")
    assert admin.get("/rest/api/3/myself").status_code == 200


def test_fault_rules_are_validated(sim: JiraSimulator) -> None:
    with pytest.raises(ValueError, match="4xx or 5xx"):
        sim.faults.add(status=200)
    with pytest.raises(ValueError, match="needs a status"):
        sim.faults.add(path="x")


def test_control_api_in_process(sim: JiraSimulator) -> None:
    control = sim.base_url + "/_sim"
    with WebhookReceiver() as hook:
        made = requests.post(
            control + "/webhooks",
            json={"url": hook.url, "events": ["jira:issue_created"], "secret": "s"},
            timeout=5,
        )
        assert made.status_code == 201 and made.json()["signed"] is True
        key = requests.post(
            control + "/issues",
            json={"project": "SUP", "summary": "From control", "reporter": "casey@customer.example"},
            timeout=5,
        ).json()["key"]
        assert hook.wait_for(1) and hook.received[0].json()["issue"]["key"] == key
    fault = requests.post(
        control + "/faults", json={"method": "GET", "path": "/myself", "status": 503}, timeout=5
    )
    assert fault.status_code == 201
    assert client(sim, "admin").get("/rest/api/3/myself").status_code == 503
    assert requests.post(control + "/faults", json={"colour": "red"}, timeout=5).status_code == 400
    listed = requests.get(control + "/requests", timeout=5).json()
    assert [(r["path"], r["status"]) for r in listed] == [("/rest/api/3/myself", 503)]
    assert requests.get(control + f"/issues/{key}", timeout=5).json()["fields"]["summary"] == "From control"
    assert requests.get(control + "/issues/SUP-404", timeout=5).status_code == 404
    assert requests.post(control + "/reset", json={"state": True}, timeout=5).status_code == 204
    assert sim.requests == [] and sim.faults.list() == []
    assert requests.get(control + f"/issues/{key}", timeout=5).status_code == 404


def test_control_api_creates_many_issues_at_once(sim: JiraSimulator) -> None:
    control = sim.base_url + "/_sim"
    one = requests.post(control + "/issues", json={"project": "SUP", "summary": "One"}, timeout=5).json()
    assert one["id"] == sim.issue(one["key"]).id
    many = requests.post(
        control + "/issues", json={"project": "SUP", "summary": "Bulk", "count": 3}, timeout=5
    ).json()
    assert len(many["keys"]) == len(set(many["keys"])) == 3
    assert [sim.issue(key).id for key in many["keys"]] == many["ids"]
    assert {sim.issue(key).fields["summary"] for key in many["keys"]} == {"Bulk"}
    for bad in (0, -1, 10_001, "3", True):
        refused = requests.post(
            control + "/issues", json={"project": "SUP", "summary": "No", "count": bad}, timeout=5
        )
        assert refused.status_code == 400 and "count" in refused.json()["error"]
    assert (
        requests.post(control + "/issues", json={"project": "NOPE", "summary": "x"}, timeout=5).status_code
        == 400
    )


def test_control_api_turns_the_rate_limit_on_and_off(sim: JiraSimulator) -> None:
    control = sim.base_url + "/_sim/rate-limit"
    admin = client(sim, "admin")
    assert [admin.get("/rest/api/3/myself").status_code for _ in range(5)] == [200] * 5
    set_on = requests.put(control, json={"rate": 0.5, "burst": 2}, timeout=5)
    assert set_on.status_code == 200 and set_on.json() == {"rate": 0.5, "burst": 2}
    answers = [admin.get("/rest/api/3/myself") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[2].headers["Retry-After"]) >= 1
    for bad in ({}, {"rate": "fast"}, {"rate": True}, {"rate": 0}, {"rate": 5, "colour": "red"}):
        assert requests.put(control, json=bad, timeout=5).status_code == 400
    assert admin.get("/rest/api/3/myself").status_code == 429  # a refused change left the limit as it was
    assert requests.put(control, json={"rate": None}, timeout=5).json() == {"rate": None, "burst": None}
    assert admin.get("/rest/api/3/myself").status_code == 200


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_runs_as_a_process() -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators.jira", "--port", str(port), "--seed", "demo"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(base + "/_sim/health", timeout=1).json()["ok"]:
                    break
            except requests.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        with WebhookReceiver() as hook:
            requests.post(base + "/_sim/webhooks", json={"url": hook.url}, timeout=5)
            key = requests.post(
                base + "/_sim/issues", json={"project": "SUP", "summary": "Hello"}, timeout=5
            ).json()["key"]
            customer = requests.post(
                base + f"/rest/servicedeskapi/request/{key}/comment",
                auth=("casey@customer.example", "casey-customer-token"),
                json={"body": "not mine", "public": True},
                timeout=5,
            )
            assert customer.status_code == 403
            assert requests.post(base + "/_sim/wait-idle", json={"timeout": 5}, timeout=10).json() == {
                "idle": True
            }
            assert "jira:issue_created" in hook.events()
        users = requests.get(base + "/_sim/users", timeout=5).json()
        assert {u["accountType"] for u in users} == {"atlassian", "customer", "app"}
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    assert f"Jira simulator on {base}" in out and "casey@customer.example:casey-customer-token" in out
