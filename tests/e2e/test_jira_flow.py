"""Jira webhooks to mood fields, end to end over real HTTP: simulator -> intake -> worker -> Jira."""

from __future__ import annotations

import time
from typing import Any

from click.testing import CliRunner
from sqlalchemy import select

from connector.cli import main
from connector.setup import setup_site
from connector.store.models import EventRow, OutboxAction
from simulators.jira.simulator import JiraSimulator

CUSTOMER = "casey@customer.example"
AGENT = "alex.agent@example.com"
ANGRY = "This is still broken and nobody answers. Completely unacceptable!"
CALM = "Thank you, that works now. Great help!"
ISSUE_PUT = r"^/rest/api/3/issue/SUP-\d+$"


def settle(jira: JiraSimulator, connector: Any, rounds: int = 50) -> None:
    """Deliver every webhook, then run the worker until nothing is due."""
    assert jira.wait_for_webhooks(10)
    for _ in range(rounds):
        if connector.runtime.worker.run_once().idle:
            return


def field_ids(connector: Any) -> dict[str, str]:
    site = connector.runtime.settings.sites["jira"]
    result = setup_site(site, connector.runtime.settings)
    return {**result.created_or_found, **result.checked}


def mood_fields(jira: JiraSimulator, key: str, ids: dict[str, str]) -> dict[str, Any]:
    fields = jira.issue(key).fields
    return {
        k: (fields[i]["value"] if isinstance(fields.get(i), dict) else fields.get(i)) for k, i in ids.items()
    }


def puts(jira: JiraSimulator, key: str) -> list[Any]:
    return [r for r in jira.requests if r.method == "PUT" and r.path.endswith(f"/issue/{key}")]


def writeback_states(connector: Any) -> list[str]:
    with connector.runtime.store.session() as session:
        return [r.state for r in session.scalars(select(OutboxAction).order_by(OutboxAction.id))]


def test_setup_creates_the_fields_once(jira: JiraSimulator, connector: Any) -> None:
    first = field_ids(connector)
    created = len([r for r in jira.requests if r.method == "POST" and r.path.endswith("/field")])
    second = field_ids(connector)
    assert first == second and len(first) == 4
    assert len([r for r in jira.requests if r.method == "POST" and r.path.endswith("/field")]) == created == 4


def test_a_customer_conversation_becomes_mood_fields(jira: JiraSimulator, connector: Any) -> None:
    ids = field_ids(connector)
    key = jira.create_issue("SUP", "VPN drops", reporter=CUSTOMER, request_type="Report a system problem")
    jira.add_comment(key, ANGRY, author=CUSTOMER)
    settle(jira, connector)
    after_angry = mood_fields(jira, key, ids)
    assert after_angry["mood"] in ("Negative", "Very negative")
    assert after_angry["initial_mood"] == after_angry["mood"]
    assert after_angry["mood_trend"] == "Steady"
    assert after_angry["mood_score"] < -0.1

    jira.add_comment(key, "We are on it, sorry for the wait.", author=AGENT)
    settle(jira, connector)
    assert mood_fields(jira, key, ids) == after_angry  # agents' words change nothing

    jira.add_comment(key, CALM, author=CUSTOMER)
    settle(jira, connector)
    after_calm = mood_fields(jira, key, ids)
    assert after_calm["mood"] in ("Positive", "Very positive")
    assert after_calm["initial_mood"] == after_angry["mood"]
    assert after_calm["mood_trend"] == "Improving"
    assert len(puts(jira, key)) == 2
    assert all(
        r.query.get("notifyUsers") == ["false"] or r.query.get("notifyUsers") == "false"
        for r in puts(jira, key)
    )


def test_a_burst_of_ten_comments_is_one_write(jira: JiraSimulator, connector: Any) -> None:
    ids = field_ids(connector)
    key = jira.create_issue("SUP", "Printer", reporter=CUSTOMER)
    for n in range(10):
        jira.add_comment(key, f"Still waiting, message {n}. This is getting annoying.", author=CUSTOMER)
    assert jira.wait_for_webhooks(10)
    settle(jira, connector)
    assert len(puts(jira, key)) == 1
    assert mood_fields(jira, key, ids)["mood"] is not None
    with connector.runtime.store.session() as session:
        kinds = [e.kind for e in session.scalars(select(EventRow).where(EventRow.kind == "commented"))]
    assert len(kinds) == 10  # every comment stored and scored once, though Jira sent each twice


def test_429_waits_for_retry_after_then_lands(jira: JiraSimulator, connector: Any) -> None:
    ids = field_ids(connector)
    key = jira.create_issue("SUP", "Email", reporter=CUSTOMER)
    jira.faults.add(method="PUT", path=ISSUE_PUT, status=429, retry_after=1, times=1)
    jira.add_comment(key, ANGRY, author=CUSTOMER)
    settle(jira, connector)
    assert writeback_states(connector) == ["pending"]
    assert [r.status for r in puts(jira, key)] == [429]
    time.sleep(1.1)
    settle(jira, connector)
    assert [r.status for r in puts(jira, key)] == [429, 204]
    assert writeback_states(connector) == ["done"]
    assert mood_fields(jira, key, ids)["mood"] in ("Negative", "Very negative")


def test_an_outage_is_retried_with_backoff_until_jira_is_back(jira: JiraSimulator, connector: Any) -> None:
    field_ids(connector)
    key = jira.create_issue("SUP", "Wifi", reporter=CUSTOMER)
    jira.faults.add(method="PUT", path=ISSUE_PUT, status=503, times=3)
    jira.add_comment(key, ANGRY, author=CUSTOMER)
    deadline = time.monotonic() + 20
    while writeback_states(connector) != ["done"] and time.monotonic() < deadline:
        settle(jira, connector)
        time.sleep(0.1)
    assert [r.status for r in puts(jira, key)] == [503, 503, 503, 204]
    assert writeback_states(connector) == ["done"]


def test_a_field_jira_refuses_fails_visibly(jira: JiraSimulator, connector: Any, config: Any) -> None:
    # A field that exists but is not on the project's edit screen: Jira answers 400 with its reason.
    jira.create_custom_field("Customer mood", "select", on_screen=False)
    field_ids(connector)
    key = jira.create_issue("SUP", "Laptop", reporter=CUSTOMER)
    jira.add_comment(key, ANGRY, author=CUSTOMER)
    settle(jira, connector)
    assert writeback_states(connector) == ["failed"]
    status = CliRunner().invoke(main, ["status", "-c", str(config.path)])
    assert status.exit_code == 0
    failures = status.output.split("failed write-backs (newest first):\n")[1].splitlines()[0]
    assert f"jira {key}" in failures
    assert "It is not on the appropriate screen, or unknown" in failures
    metrics = connector.runtime.app().test_client().get("/metrics").get_data(as_text=True)
    assert 'ela_writebacks_total{outcome="failed"} 1.0' in metrics


def test_a_field_missing_from_jira_fails_with_a_suggestion(jira: JiraSimulator, connector: Any) -> None:
    jira.create_custom_field("Customer mood", "select", options=["Negative", "Very negative"])
    key = jira.create_issue("SUP", "Phone", reporter=CUSTOMER)
    jira.add_comment(key, ANGRY, author=CUSTOMER)
    settle(jira, connector)
    with connector.runtime.store.session() as session:
        [row] = session.scalars(select(OutboxAction))
    assert row.state == "failed"
    assert "no Jira field with id or name 'Customer mood score'" in (row.last_error or "")
    assert "did you mean 'Customer mood'" in (row.last_error or "")
    assert puts(jira, key) == []  # nothing half-written


def test_setup_and_worker_once_from_the_command_line(
    jira: JiraSimulator, connector: Any, config: Any
) -> None:
    runner = CliRunner()
    setup = runner.invoke(main, ["setup", "-c", str(config.path)])
    assert setup.exit_code == 0, setup.output
    lines = setup.output.splitlines()
    assert len(lines) == 4 and all(line.startswith("jira: ") for line in lines)
    assert "mood          -> customfield_" in setup.output
    assert runner.invoke(main, ["setup", "-c", str(config.path)]).output == setup.output  # idempotent

    key = jira.create_issue("SUP", "Badge reader", reporter=CUSTOMER)
    jira.add_comment(key, ANGRY, author=CUSTOMER)
    assert jira.wait_for_webhooks(10)
    once = runner.invoke(main, ["worker", "-c", str(config.path), "--once"])
    assert once.exit_code == 0, once.output
    assert "write-backs: 1 sent" in once.output
    assert len(puts(jira, key)) == 1


def test_setup_reports_what_jira_refused(jira: JiraSimulator, connector: Any, config: Any) -> None:
    jira.create_custom_field("Customer mood", "float")  # the name is taken by a field of another type
    result = CliRunner().invoke(main, ["setup", "-c", str(config.path)])
    assert result.exit_code == 1
    assert "a field named 'Customer mood' already exists" in result.output
