"""ELA end to end over real HTTP: the Jira simulator's webhooks into the connector, timers fired by the
worker, escalations landing on the Jira ticket and in a loopback "Slack", the SLA beside the ELA, and
the dashboard JQL of the README counting the tickets."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from connector.runtime import Runtime
from connector.settings import Settings, load_settings
from connector.setup import setup_site
from connector.store.models import AuditEntry, OutboxAction, utcnow
from simulators.jira.simulator import JiraSimulator
from simulators.jira.testing import client
from simulators.testing import WebhookReceiver
from tests.e2e.support import SECRET, Running, serve

REPO = Path(__file__).resolve().parents[2]
CUSTOMER = "casey@customer.example"
AGENT = "alex.agent@example.com"
ANGRY = "This is still broken and nobody answers. Completely unacceptable!"
CALM = "Thank you, that works now. Great help!"
JSM_COMMENT = r"^/rest/servicedeskapi/request/SUP-\d+/comment$"

CONFIG = """
database: {{url: "sqlite:///{db}"}}
worker: {{poll_seconds: 0.1, lease_seconds: {lease}}}
writeback:
  flush_seconds: 0.1
  coalesce_seconds: 0
  backoff_initial_seconds: 0.2
  backoff_max_seconds: 1
  lease_seconds: {lease}
logging: {{level: WARNING, format: text}}
ela:
  webhooks:
    slack: {{url: "{slack}", format: slack, secret: slack-signing-secret-0123}}
  policies:
    reply:
      kind: respond_to_negative
      title: Reply to unhappy customers
      mood: negative
      within: {within}
      at_risk_at: 0.75
      escalate:
        at_risk: {{labels: [ela-at-risk], comment: true, priority: High, webhooks: [slack]}}
        breached: {{labels: [ela-breached]}}
sites:
  jira:
    platform: jira
    url: {url}
    auth: {{email: ela-connector@example.com, api_token: ela-admin-token}}
    webhook: {{secret: {secret}}}
    fields:
      mood: Customer mood
      ela_status: ELA status
      ela_reason: ELA reason
      ela_due: ELA due
      sla_ela: SLA and ELA
"""


@dataclass
class Setup:
    jira: JiraSimulator
    slack: WebhookReceiver
    connector: Running
    ids: dict[str, str]
    path: Path

    @property
    def runtime(self) -> Runtime:
        return self.connector.runtime

    def settle(self, rounds: int = 60) -> None:
        assert self.jira.wait_for_webhooks(10)
        for _ in range(rounds):
            if self.runtime.worker.run_once().idle:
                assert self.jira.wait_for_webhooks(10)
                if self.runtime.worker.run_once().idle:
                    return

    def fields(self, key: str) -> dict[str, Any]:
        values = self.jira.issue(key).fields
        return {
            k: (values[i]["value"] if isinstance(values.get(i), dict) else values.get(i))
            for k, i in self.ids.items()
        }

    def search(self, jql: str) -> list[str]:
        """The keys Jira's search finds for `jql` (a dashboard gadget's query), as an agent runs it."""
        answer = client(self.jira, "agent").get(
            "/rest/api/3/search/jql", params={"jql": jql, "fields": "summary"}
        )
        assert answer.status_code == 200, answer.text
        return [issue["key"] for issue in answer.json()["issues"]]


def write_config(
    tmp_path: Path, jira: JiraSimulator, slack: str, *, within: str = "4h", lease: float = 60
) -> Path:
    path = tmp_path / "ela.yaml"
    path.write_text(
        CONFIG.format(
            db=tmp_path / "ela.db", url=jira.base_url, secret=SECRET, slack=slack, within=within, lease=lease
        )
    )
    return path


@pytest.fixture
def setup(jira: JiraSimulator, tmp_path: Path) -> Iterator[Setup]:
    with WebhookReceiver() as slack:
        path = write_config(tmp_path, jira, slack.url)
        settings: Settings = load_settings(path)
        running = serve(Runtime(settings))
        jira.register_webhook(running.url, secret=SECRET)
        result = setup_site(settings.sites["jira"], settings)
        try:
            yield Setup(jira, slack, running, {**result.created_or_found, **result.checked}, path)
        finally:
            running.server.shutdown()
            running.server.server_close()
            running.runtime.close()


def test_setup_creates_the_ela_fields_with_their_kinds(setup: Setup) -> None:
    state = setup.jira.site.state
    kinds = {key: state.fields[field_id].type_key for key, field_id in setup.ids.items()}
    cf = "com.atlassian.jira.plugin.system.customfieldtypes:"
    assert kinds == {
        "mood": cf + "select",
        "ela_status": cf + "select",
        "ela_reason": cf + "textfield",
        "ela_due": cf + "datetime",
        "sla_ela": cf + "select",
    }
    options = state.option_values(state.fields[setup.ids["sla_ela"]])
    assert sorted(options.values()) == ["Both breached", "Both met", "SLA breached, ELA met", "Watermelon"]


def test_at_risk_escalates_on_jira_and_slack_then_the_reply_recovers_it_to_met(setup: Setup) -> None:
    jira = setup.jira
    key = jira.create_issue("SUP", "VPN drops", reporter=CUSTOMER, request_type="Report a system problem")
    jira.add_comment(key, ANGRY, author=CUSTOMER)
    setup.settle()
    fields = setup.fields(key)
    assert fields["ela_status"] == "On track"
    assert fields["ela_due"].endswith("+0000")  # Jira's own date-time form, written by the connector

    setup.runtime.due.clock = lambda: utcnow() + timedelta(hours=3, minutes=1)  # three hours later
    setup.settle()
    issue = jira.issue(key)
    assert setup.fields(key)["ela_status"] == "At risk"
    assert "ela-at-risk" in issue.fields["labels"]
    assert issue.fields["priority"]["name"] == "High"
    [note] = [c for c in issue.comments if "ELA Connector" in str(c["body"])]
    assert note["jsdPublic"] is False  # agents only
    assert "no reply 3h" in str(note["body"]).lower() and "last mood: Very negative" in str(note["body"])
    assert setup.slack.wait_for(1)
    [posted] = setup.slack.received
    assert posted.json()["text"].startswith(f"ELA at risk: {key} (VPN drops)")
    assert (posted.header("X-ELA-Signature") or "").startswith("sha256=")
    assert setup.search('project = SUP AND "ELA status" = "At risk"') == [key]

    jira.add_comment(key, "So sorry, Casey: the gateway is fixed, please try again.", author=AGENT)
    setup.settle()
    issue = jira.issue(key)
    assert setup.fields(key)["ela_status"] == "Met"
    assert setup.fields(key)["ela_due"] is None
    assert "ela-at-risk" not in issue.fields["labels"]
    setup.runtime.due.clock = lambda: utcnow() + timedelta(hours=5)
    setup.settle()
    assert setup.fields(key)["ela_status"] == "Met"  # the breach timer was cancelled by the reply

    jira.add_comment(key, CALM, author=CUSTOMER)
    jira.transition(key, "Resolved", actor=AGENT)
    setup.settle()
    assert setup.fields(key)["sla_ela"] == "Both met"
    assert setup.search('project = SUP AND "SLA and ELA" = "Both met"') == [key]


def test_a_breached_ela_on_a_ticket_that_met_its_slas_is_a_watermelon(setup: Setup) -> None:
    jira = setup.jira
    key = jira.create_issue("SUP", "Printer", reporter=CUSTOMER, request_type="Report a system problem")
    calm = jira.create_issue("SUP", "Password", reporter=CUSTOMER, request_type="Report a system problem")
    jira.add_comment(key, ANGRY, author=CUSTOMER)
    jira.add_comment(calm, CALM, author=CUSTOMER)
    setup.settle()
    setup.runtime.due.clock = lambda: utcnow() + timedelta(hours=5)  # nobody answered for five hours
    setup.settle()
    assert setup.fields(key)["ela_status"] == "Breached"
    assert setup.fields(key)["ela_reason"] == "no reply 4h after a very negative message"
    assert "ela-breached" in jira.issue(key).fields["labels"]
    jira.add_comment(key, "Fixed the printer queue.", author=AGENT)
    jira.transition(key, "Resolved", actor=AGENT)
    jira.transition(calm, "Resolved", actor=AGENT)
    setup.settle()
    # Jira's SLA clocks ran on Jira's time (minutes), the ELA's wait on the worker's (five hours).
    assert setup.fields(key)["sla_ela"] == "Watermelon"
    assert setup.fields(calm)["sla_ela"] == "Both met"
    assert setup.search('project = SUP AND "SLA and ELA" = Watermelon') == [key]
    assert setup.search('project = SUP AND "ELA status" = Breached AND "ELA due" >= startOfDay(-7d)') == [key]


def _start_worker(config: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "connector", "worker", "--config", str(config)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_a_worker_killed_while_escalating_leaves_each_action_once(
    jira: JiraSimulator, tmp_path: Path
) -> None:
    with WebhookReceiver() as slack:
        # Real time, real `ela worker` processes: at risk 3 s after the message, the lease 3 s.
        path = write_config(tmp_path, jira, slack.url, within="4s", lease=3.0)
        settings = load_settings(path)
        running = serve(Runtime(settings))
        jira.register_webhook(running.url, secret=SECRET)
        store = running.runtime.store
        workers: list[subprocess.Popen[bytes]] = []
        try:
            setup_site(settings.sites["jira"], settings)
            key = jira.create_issue("SUP", "VPN", reporter=CUSTOMER, request_type="Report a system problem")
            slow = jira.faults.add(method="POST", path=JSM_COMMENT, latency=1.0, times=1)
            jira.add_comment(key, ANGRY, author=CUSTOMER)
            assert jira.wait_for_webhooks(10)
            workers.append(_start_worker(path))
            _wait_until(lambda: slow.used == 1, 30, "the escalation's internal comment to reach Jira")
            time.sleep(0.3)
            workers[0].kill()  # SIGKILL while Jira is posting the comment: its outcome is unknown
            workers[0].wait(10)
            workers.append(_start_worker(path))

            def settled() -> bool:
                with store.session() as session:
                    states = [r.state for r in session.scalars(select(OutboxAction))]
                return bool(states) and all(s == "done" for s in states) and slack.wait_for(1, timeout=0)

            _wait_until(settled, 60, "the second worker to finish the escalation")
            with store.session() as session:
                audits = [a.action for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        finally:
            for worker in workers:
                worker.kill()
                worker.wait(10)
            running.server.shutdown()
            running.server.server_close()
            running.runtime.close()
        time.sleep(0.5)  # anything sent twice would have arrived by now
        received = list(slack.received)
    issue = jira.issue(key)
    notes = [c for c in issue.comments if "ELA Connector" in str(c["body"])]
    assert len(notes) == 1, "exactly one internal comment on the ticket"
    assert issue.fields["labels"].count("ela-at-risk") == 1
    priority_changes = [
        item for history in issue.changelog for item in history["items"] if item.get("field") == "priority"
    ]
    assert len(priority_changes) == 1
    assert len(received) == 1, "exactly one Slack message"
    assert audits.count("ela.escalated.at_risk") == 1
    assert "comment.reconciled" in audits  # found on the ticket, not posted again


def readme_jql() -> list[str]:
    text = (REPO / "README.md").read_text()
    block = text.split("```jql\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_the_readmes_dashboard_jql_finds_the_right_tickets(setup: Setup) -> None:
    at_risk_now, breached_this_week, watermelons = readme_jql()
    jira = setup.jira
    risky = jira.create_issue("SUP", "Risky", reporter=CUSTOMER, request_type="Report a system problem")
    broken = jira.create_issue("SUP", "Broken", reporter=CUSTOMER, request_type="Report a system problem")
    jira.add_comment(broken, ANGRY, author=CUSTOMER)
    setup.settle()
    setup.runtime.due.clock = lambda: utcnow() + timedelta(hours=5)
    setup.settle()  # `broken` breached; `risky` has not been written to yet
    setup.runtime.due.clock = lambda: utcnow() + timedelta(hours=3, minutes=30)
    jira.add_comment(risky, ANGRY, author=CUSTOMER)
    setup.settle()  # three and a half hours into its four, by the worker's clock
    assert setup.fields(risky)["ela_status"] == "At risk"
    jira.add_comment(broken, "Fixed now.", author=AGENT)
    jira.transition(broken, "Resolved", actor=AGENT)
    setup.settle()
    assert setup.search(at_risk_now) == [risky]
    assert setup.search(breached_this_week) == [broken]
    assert setup.search(watermelons) == [broken]
