"""A worker process for the due-work race tests: fires rows of kind `race.fire` until none is left.

    python -m tests.connector.due_race DATABASE_URL [--delay SECONDS] [--lease SECONDS] [--batch N]

Each firing writes one audit entry (`due.fired` with the row's key) in the row's own transaction, so
the tests can count how often each row fired.
"""

from __future__ import annotations

import argparse
import json
import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector.due_work import DueWorkRunner
from connector.processor import new_worker_id
from connector.settings import parse_settings
from connector.store import Store
from connector.store.audit import audit
from connector.store.due import DueItem
from connector.store.models import DueWork

KIND = "race.fire"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--lease", type=float, default=30.0)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    settings = parse_settings(
        json.dumps({"worker": {"lease_seconds": args.lease, "batch_size": args.batch}}), env={}
    )
    store = Store(args.url)
    worker = new_worker_id()
    runner = DueWorkRunner(store, settings, worker)

    def fire(session: Session, item: DueItem) -> None:
        time.sleep(args.delay)
        audit(session, None, None, "due.fired", {"key": item.key, "worker": worker})

    runner.register(KIND, fire)
    while True:
        report = runner.run_once()
        if report.fired + report.failed + report.lost:
            continue
        with store.session() as session:
            left = session.scalar(select(func.count()).select_from(DueWork).where(DueWork.state == "pending"))
        if not left:
            break
        time.sleep(0.05)  # rows another worker holds: wait for them to be fired or their lease to end
    store.dispose()


if __name__ == "__main__":
    main()
