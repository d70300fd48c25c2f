"""Two web and two worker processes on one PostgreSQL, as on several machines, under a burst of
deliveries sent to both web processes at once; the database restarted in the middle of it. Nothing
acknowledged is lost, processing resumes by itself, and every action lands exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from connector.settings import load_settings
from connector.setup import setup_site
from connector.store import Store
from connector.store.models import Delivery, EventRow, MoodEntry, OutboxAction
from simulators.jira.simulator import JiraSimulator
from tests.e2e.postgres_server import new_server, postgres_bin
from tests.e2e.support import SECRET
from tests.e2e.test_serve import free_port

REPO = Path(__file__).resolve().parents[2]
CUSTOMER = "casey@customer.example"
ANGRY = "This is broken AGAIN and nobody answers me. Completely unacceptable!"
TICKETS = 12
CONFIG = """
database: {{url: "{url}"}}
worker: {{poll_seconds: 0.2, lease_seconds: 8}}
writeback: {{flush_seconds: 0.2, coalesce_seconds: 0.2, backoff_initial_seconds: 0.2, backoff_max_seconds: 2, lease_seconds: 8}}
logging: {{level: WARNING}}
sites:
  jira:
    platform: jira
    url: {jira}
    auth: {{email: ela-connector@example.com, api_token: ela-admin-token}}
    webhook: {{secret: {secret}}}
    fields: {{mood: Customer mood, mood_score: Customer mood score}}
ela:
  policies:
    reply:
      kind: respond_to_negative
      mood: negative
      within: 8s
      at_risk_at: 0.5
      escalate:
        at_risk: {{comment: true, labels: [ela-at-risk]}}
        breached: {{comment: true, labels: [ela-breached]}}
"""

pytestmark = pytest.mark.skipif(
    postgres_bin() is None, reason="needs PostgreSQL's server binaries (apt-get install postgresql)"
)


def start(*args: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "connector", *args],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_until(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception:  # the database may be restarting
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_two_web_and_two_workers_on_one_postgres_survive_its_restart(
    jira: JiraSimulator, tmp_path: Path
) -> None:
    server = new_server()
    config = tmp_path / "ela.yaml"
    config.write_text(CONFIG.format(url=server.url, jira=jira.base_url, secret=SECRET))
    log = tmp_path / "processes.log"
    processes: list[subprocess.Popen[bytes]] = []
    store = Store(server.url)
    try:
        store.upgrade()
        settings = load_settings(config)
        setup_site(settings.sites["jira"], settings)
        ports = [free_port(), free_port()]
        for port in ports:
            processes.append(
                start(
                    "serve",
                    "--config",
                    str(config),
                    "--no-worker",
                    "--workers",
                    "1",
                    "--port",
                    str(port),
                    log=log,
                )
            )
        for _ in range(2):
            processes.append(start("worker", "--config", str(config), log=log))
        for port in ports:
            wait_until(
                lambda port=port: requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok, 60, "web"
            )
            # Both web processes get every delivery, as two machines behind a retrying sender would.
            jira.register_webhook(f"http://127.0.0.1:{port}/webhooks/jira/jira", secret=SECRET)

        keys = []
        for n in range(TICKETS):
            key = jira.create_issue("SUP", f"Outage {n}", reporter=CUSTOMER)
            jira.add_comment(key, ANGRY, author=CUSTOMER)
            jira.add_comment(key, f"Still nothing after {n + 2} hours. {ANGRY}", author=CUSTOMER)
            keys.append(key)
            if n == TICKETS // 2:
                server.restart()  # mid-burst: connections drop, deliveries get 503, work fails over
        assert jira.wait_for_webhooks(120), "the simulator's webhooks never all got a 2xx"

        def escalated() -> bool:
            with store.session() as session:
                open_actions = session.scalar(
                    select(func.count())
                    .select_from(OutboxAction)
                    .where(OutboxAction.state.in_(("pending", "sending")))
                )
                pending = session.scalar(
                    select(func.count()).select_from(EventRow).where(EventRow.state == "pending")
                )
            notes = [c for key in keys for c in jira.issue(key).comments if not c.get("jsdPublic", True)]
            return not open_actions and not pending and len(notes) >= 2 * TICKETS

        wait_until(escalated, 180, "every ticket to be escalated twice (at risk, then breached)")
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
    with store.session() as session:
        failed = [
            (r.kind, r.last_error)
            for r in session.scalars(select(OutboxAction).where(OutboxAction.state == "failed"))
        ]
        events_failed = session.scalar(
            select(func.count()).select_from(EventRow).where(EventRow.state == "failed")
        )
        scored = Counter(session.scalars(select(MoodEntry.comment_id)))
        kept = set(session.scalars(select(Delivery.delivery_key)))
    store.dispose()
    server.remove()
    assert failed == [] and events_failed == 0
    # Every delivery answered 202 (stored) is in the database: the 503s of the restart were retried
    # until stored. (200 answers are events the connector does not use, such as its own writes echoed.)
    acknowledged = {d.identifier for d in jira.deliveries if d.status == 202}
    refused = [
        d.status for d in jira.deliveries if d.status is not None and d.status >= 400 and d.status != 503
    ]
    assert acknowledged and acknowledged <= kept
    assert refused == []
    # Each customer comment scored once, though both web processes received it.
    customer_comments = [
        c["id"] for key in keys for c in jira.issue(key).comments if c.get("jsdPublic", True)
    ]
    assert sorted(scored) == sorted(customer_comments) and set(scored.values()) == {1}
    # Each escalation once: one at-risk note and one breach note per ticket, each label once.
    for key in keys:
        issue = jira.issue(key)
        notes = [c["body"] for c in issue.comments if not c.get("jsdPublic", True)]
        assert len(notes) == 2, (key, notes)
        assert sorted(issue.fields["labels"]) == ["ela-at-risk", "ela-breached"]
