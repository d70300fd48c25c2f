"""A stopping worker finishes the action in hand and lets go of the rest at once, for another worker,
instead of keeping them until its leases run out."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from sqlalchemy import select

from connector.runtime import Runtime
from connector.store import outbox
from connector.store.models import Lane, OutboxAction
from simulators.jira.simulator import JiraSimulator
from tests.e2e.support import write_config
from tests.e2e.test_crash import start_worker, wait_until

CUSTOMER = "casey@customer.example"


def test_sigterm_mid_batch_releases_the_claims_it_did_not_start(jira: JiraSimulator, tmp_path: Path) -> None:
    config = write_config(tmp_path, jira.base_url, lease=300)  # leases that would outlast the test
    runtime = Runtime(config.settings)
    keys = [jira.create_issue("SUP", f"Ticket {n}", reporter=CUSTOMER) for n in range(8)]
    with runtime.store.session() as session:
        for n, key in enumerate(keys):
            outbox.enqueue_comment(
                session,
                platform="jira",
                site="jira",
                ticket_key=key,
                text=f"Note {n}",
                public=False,
                key=f"n{n}",
            )
    slow = jira.faults.add(method="POST", path=r"/comment$", latency=1.0, times=None)  # each takes a second
    worker = start_worker(config.path)
    try:
        wait_until(lambda: slow.used == 1, 30, "the first comment to reach Jira")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0
        with runtime.store.session() as session:
            held = session.scalars(select(Lane.ticket_key).where(Lane.claimed_by.is_not(None))).all()
            states = [row.state for row in session.scalars(select(OutboxAction).order_by(OutboxAction.id))]
    finally:
        if worker.poll() is None:
            worker.kill()
        runtime.close()
    assert held == []  # nothing waits for a lease to run out
    # The calls in hand (one per sending thread at most) were finished, not abandoned mid-call; the
    # others were not started.
    in_hand = slow.used  # the calls that reached Jira
    assert 1 <= in_hand <= config.settings.writeback.concurrency
    assert sorted(states) == ["done"] * in_hand + ["pending"] * (8 - in_hand)
    jira.faults.clear()
    started = time.monotonic()
    second = Runtime(config.settings)
    try:
        while any(s != "done" for s in _states(second)):
            second.worker.run_once()
            assert time.monotonic() - started < 60
    finally:
        second.close()
    assert sorted(c["body"] for key in keys for c in jira.issue(key).comments) == sorted(
        f"Note {n}" for n in range(8)
    )


def _states(runtime: Runtime) -> list[str]:
    with runtime.store.session() as session:
        return [row.state for row in session.scalars(select(OutboxAction))]
