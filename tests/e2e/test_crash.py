"""A worker killed mid-flush and restarted delivers each write, and each comment, exactly once.

The worker runs as a real `ela worker` process and is killed with SIGKILL at two moments: while its
PUT is inside Jira (Jira applies it, the worker never hears back), and before its PUT has left (it is
still listing Jira's fields). Either way the next worker must leave exactly one successful PUT.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from connector.runtime import Runtime
from connector.setup import setup_site
from connector.store import Store, outbox
from connector.store.models import AuditEntry, OutboxAction
from simulators.jira.simulator import JiraSimulator
from tests.e2e.support import SECRET, serve, write_config

REPO = Path(__file__).resolve().parents[2]
CUSTOMER = "casey@customer.example"
ANGRY = "This is still broken and nobody answers. Completely unacceptable!"
ISSUE = r"^/rest/api/3/issue/SUP-\d+$"


def start_worker(config: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "connector", "worker", "--config", str(config)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@pytest.mark.parametrize(
    ("moment", "method", "path", "audit"),
    [
        ("inside-jira", "PUT", ISSUE, "writeback.reconciled"),
        ("before-sending", "GET", r"^/rest/api/3/field$", "writeback.sent"),
    ],
)
def test_a_killed_worker_never_writes_twice(
    jira: JiraSimulator, tmp_path: Path, moment: str, method: str, path: str, audit: str
) -> None:
    # As in production, the lease outlasts the slowest call (a read timeout); here a 1 s call, a 3 s lease.
    config = write_config(tmp_path, jira.base_url, lease=3.0)
    web = serve(Runtime(config.settings))
    jira.register_webhook(web.url, secret=SECRET)
    store = web.runtime.store
    workers: list[subprocess.Popen[bytes]] = []
    try:
        ids = setup_site(config.settings.sites["jira"], config.settings).created_or_found
        slow = jira.faults.add(method=method, path=path, latency=1.0, times=1)
        key = jira.create_issue("SUP", "VPN", reporter=CUSTOMER)
        jira.add_comment(key, ANGRY, author=CUSTOMER)
        assert jira.wait_for_webhooks(10)

        workers.append(start_worker(config.path))
        wait_until(lambda: slow.used == 1, 30, f"the worker's {method} to reach Jira")
        time.sleep(0.3)
        workers[0].kill()  # SIGKILL: no clean-up, the write-back stays in flight
        workers[0].wait(10)
        with store.session() as session:
            [row] = session.scalars(select(OutboxAction))
            assert row.state == "sending"

        workers.append(start_worker(config.path))
        wait_until(
            lambda: [r.state for r in store_rows(store)] == ["done"],
            30,
            "the second worker to settle the write",
        )
        with store.session() as session:
            actions = [a.action for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    finally:
        for worker in workers:
            worker.kill()
            worker.wait(10)
        web.server.shutdown()
        web.server.server_close()
        web.runtime.close()

    writes = [r for r in jira.requests if r.method == "PUT" and r.path.endswith(f"/issue/{key}")]
    assert [r.status for r in writes] == [204], f"killed {moment}: exactly one PUT must have landed"
    issue = jira.issue(key)
    assert issue.fields[ids["mood"]]["value"] in ("Negative", "Very negative")
    # Jira's own history agrees: the mood field changed once.
    mood_changes = [
        item for history in issue.changelog for item in history["items"] if item.get("fieldId") == ids["mood"]
    ]
    assert len(mood_changes) == 1
    assert actions == [audit]


def store_rows(store) -> list[OutboxAction]:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return list(session.scalars(select(OutboxAction)))


COMMENT = "We are on it: an agent will call you within the hour."
JSM_COMMENT = r"^/rest/servicedeskapi/request/SUP-\d+/comment$"


@pytest.mark.parametrize(
    ("moment", "status", "audit"),
    [
        ("inside-jira", None, "comment.reconciled"),  # Jira posts it; the worker never hears back
        ("before-jira-acts", 503, "comment.sent"),  # killed before Jira acted on it
    ],
)
def test_a_worker_killed_while_posting_a_comment_leaves_exactly_one(
    jira: JiraSimulator,
    tmp_path: Path,
    store: Store,
    store_url: str,
    moment: str,
    status: int | None,
    audit: str,
) -> None:
    config = write_config(tmp_path, jira.base_url, lease=3.0, database=store_url)  # `store` migrated it
    runtime = Runtime(config.settings)
    store = runtime.store
    key = jira.create_issue("SUP", "VPN", reporter=CUSTOMER)
    with store.session() as session:
        outbox.enqueue_comment(
            session, platform="jira", site="jira", ticket_key=key, text=COMMENT, public=True, key="c-1"
        )
    slow = jira.faults.add(method="POST", path=JSM_COMMENT, latency=1.0, status=status, times=1)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        workers.append(start_worker(config.path))
        wait_until(lambda: slow.used == 1, 30, "the worker's comment to reach Jira")
        time.sleep(0.3)
        workers[0].kill()
        workers[0].wait(10)
        with store.session() as session:
            [row] = session.scalars(select(OutboxAction))
            assert row.state == "sending"

        workers.append(start_worker(config.path))
        wait_until(lambda: [r.state for r in store_rows(store)] == ["done"], 30, "the comment to settle")
        with store.session() as session:
            actions = [a.action for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    finally:
        for worker in workers:
            worker.kill()
            worker.wait(10)
        runtime.close()

    posted = [c for c in jira.issue(key).comments if COMMENT in str(c.get("body"))]
    assert len(posted) == 1, f"killed {moment}: exactly one comment must be on the ticket"
    assert actions == [audit]
