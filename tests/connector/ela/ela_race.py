"""A worker process for the ELA timer race tests: fires due ELA timers until none is left.

    python -m tests.connector.ela.ela_race DATABASE_URL [--lease SECONDS] [--start-at EPOCH]
                                           [--hold SECONDS --mark FILE]

With --hold, each timer's handler runs in full (state, escalation, write-back all in its transaction)
and then waits before the transaction commits, after touching FILE: the moment a test kills the worker
"between firing and escalating".
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector.due_work import DueWorkRunner
from connector.ela.evaluate import TIMER_KIND
from connector.ela.timers import TimerHandler
from connector.pipeline import Pipeline
from connector.processor import new_worker_id
from connector.store import Store
from connector.store.due import DueItem
from connector.store.models import DueWork
from tests.connector.ela.support import POLICIES, VoiceEngine, settings_with


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--lease", type=float, default=30.0)
    parser.add_argument("--start-at", type=float, default=0.0)
    parser.add_argument("--hold", type=float, default=0.0)
    parser.add_argument("--mark", type=Path)
    args = parser.parse_args()
    settings = settings_with(POLICIES.replace("lease_seconds: 30", f"lease_seconds: {args.lease}"))
    store = Store(args.url)
    pipeline = Pipeline(settings, VoiceEngine())  # type: ignore[arg-type]
    runner = DueWorkRunner(store, settings, new_worker_id())
    handler = TimerHandler(settings, pipeline.ela)

    def fire(session: Session, item: DueItem) -> None:
        handler(session, item)
        if args.hold:
            assert args.mark is not None
            args.mark.write_text(item.key)
            time.sleep(args.hold)

    runner.register(TIMER_KIND, fire)
    time.sleep(max(0.0, args.start_at - time.time()))
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
