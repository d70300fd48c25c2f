"""On ServiceNow too, a worker killed mid-flush and restarted delivers each write, and each comment,
exactly once: the fields are read back from the record, the comment is looked for in the journal."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from connector.runtime import Runtime
from connector.setup import setup_site
from connector.store import outbox
from connector.store.models import AuditEntry
from simulators.servicenow import ServiceNowSimulator
from tests.e2e.support import SECRET, Config, serve, write_site_config
from tests.e2e.test_crash import ANGRY, COMMENT, start_worker, store_rows, wait_until

RECORD = r"^/api/now/table/incident/[0-9a-f]{32}$"


def _config(tmp_path: Path, url: str) -> Config:
    # As in production, the lease outlasts the slowest call: here a 1 s call, a 3 s lease.
    return write_site_config(tmp_path, "servicenow", url, push=True, pull=False, lease=3.0)


def _column_writes(sim: ServiceNowSimulator) -> list[int | None]:
    return [
        r.status
        for r in sim.requests
        if r.method == "PATCH" and isinstance(r.json, dict) and any(str(k).startswith("u_") for k in r.json)
    ]


@pytest.mark.parametrize(
    ("moment", "status", "audit"),
    [("inside-servicenow", None, "writeback.reconciled"), ("before-servicenow-acts", 503, "writeback.sent")],
)
def test_a_killed_worker_never_writes_the_fields_twice(
    tmp_path: Path, moment: str, status: int | None, audit: str
) -> None:
    with ServiceNowSimulator() as sim:
        config = _config(tmp_path, sim.base_url)
        web = serve(Runtime(config.settings), "servicenow", "servicenow")
        sim.install_business_rule(web.url, SECRET)
        store = web.runtime.store
        workers = []
        try:
            setup_site(config.settings.sites["servicenow"], config.settings)
            slow = sim.faults.add(method="PATCH", path=RECORD, latency=1.0, status=status, times=1)
            key = sim.create_incident("VPN", caller="casey.customer", comment=ANGRY)
            assert sim.wait_for_webhooks(10)
            workers.append(start_worker(config.path))
            wait_until(lambda: slow.used == 1, 30, "the worker's PATCH to reach ServiceNow")
            workers[0].kill()
            workers[0].wait(10)
            assert [r.state for r in store_rows(store)] == ["sending"]
            workers.append(start_worker(config.path))
            wait_until(lambda: [r.state for r in store_rows(store)] == ["done"], 30, "the second worker")
            with store.session() as session:
                actions = [a.action for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        finally:
            for worker in workers:
                worker.kill()
                worker.wait(10)
            web.server.shutdown()
            web.server.server_close()
            web.runtime.close()
        landed = [s for s in _column_writes(sim) if s == 200]
        assert len(landed) == 1, f"killed {moment}: exactly one PATCH of the columns must have landed"
        assert sim.record(key)["u_customer_mood"] in ("Negative", "Very negative")
        assert actions == [audit]


@pytest.mark.parametrize(
    ("moment", "status", "audit"),
    [("inside-servicenow", None, "comment.reconciled"), ("before-servicenow-acts", 503, "comment.sent")],
)
def test_a_worker_killed_while_posting_a_comment_leaves_exactly_one(
    tmp_path: Path, moment: str, status: int | None, audit: str
) -> None:
    with ServiceNowSimulator() as sim:
        config = _config(tmp_path, sim.base_url)
        runtime = Runtime(config.settings)
        store = runtime.store
        key = sim.create_incident("VPN", caller="casey.customer")
        with store.session() as session:
            outbox.enqueue_comment(
                session,
                platform="servicenow",
                site="servicenow",
                ticket_key=key,
                text=COMMENT,
                public=True,
                key="c-1",
            )
        slow = sim.faults.add(method="PATCH", path=RECORD, latency=1.0, status=status, times=1)
        workers = []
        try:
            workers.append(start_worker(config.path))
            wait_until(lambda: slow.used == 1, 30, "the worker's comment to reach ServiceNow")
            workers[0].kill()
            workers[0].wait(10)
            workers.append(start_worker(config.path))
            wait_until(lambda: [r.state for r in store_rows(store)] == ["done"], 30, "the comment to settle")
            with store.session() as session:
                actions = [a.action for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        finally:
            for worker in workers:
                worker.kill()
                worker.wait(10)
            runtime.close()
        posted = [e for e in sim.journal(key) if e["value"] == COMMENT]
        assert len(posted) == 1 and posted[0]["element"] == "comments", f"killed {moment}"
        assert actions == [audit]
