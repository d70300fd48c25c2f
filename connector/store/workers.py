"""Worker heartbeats: each worker process says it is alive, so readiness and metrics can tell a queue
that is being worked from one that is not (a dead worker leaves no error behind, only silence)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from connector.store.models import WorkerBeat, utcnow

ALIVE = timedelta(seconds=60)  # the default for "recent"; readiness uses server.worker_stale_seconds
FORGET = timedelta(days=1)


def beat(session: Session, worker_id: str, host: str, pid: int) -> None:
    now = utcnow()
    row = session.get(WorkerBeat, worker_id)
    if row is None:  # worker ids are unique to one process: no other process inserts this one
        session.add(WorkerBeat(worker_id=worker_id, host=host[:255], pid=pid, started_at=now, beat_at=now))
    else:
        row.beat_at = now
    session.execute(delete(WorkerBeat).where(WorkerBeat.beat_at < now - FORGET))


def freshest_beat(session: Session) -> datetime | None:
    return session.scalar(select(func.max(WorkerBeat.beat_at)))


def alive(session: Session, within: timedelta = ALIVE) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(WorkerBeat).where(WorkerBeat.beat_at >= utcnow() - within)
        )
        or 0
    )
