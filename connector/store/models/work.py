"""Work that waits for a worker: per-ticket lanes (the queue heads of events and of the outbox), and
due work (one row per thing to do at a time). Both are claimed with the one lease primitive
(store/leases.py) through the same columns: `state`, `due_at`, `claimed_by`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from connector.store.models.base import Base, Id, UtcDateTime, utcnow


class Lane(Base):
    """One ticket's place in a queue (`events` or `outbox`): a worker leases the lane, not its items, so
    a ticket's items are handled in order by one worker at a time, and a claim reads only lanes.

    `ready` lanes are claimable once `due_at` has passed; while one is held, `due_at` is the end of the
    holder's lease, after which another worker may take it over (the holder died). `idle` lanes have
    nothing waiting; new work makes them ready again.
    """

    __tablename__ = "lanes"
    __table_args__ = (
        UniqueConstraint("queue", "platform", "site", "ticket_key", name="uq_lanes_ticket"),
        Index("ix_lanes_due", "queue", "state", "due_at", "id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    queue: Mapped[str] = mapped_column(String(12))  # events | outbox
    platform: Mapped[str] = mapped_column(String(20))
    site: Mapped[str] = mapped_column(String(64))
    ticket_key: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(8), default="ready")  # ready | idle
    due_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(80))


class DueWork(Base):
    """A thing to do at a time: a survey send, a reminder, an expiry, an ELA timer, a poll.

    Fired exactly once across any number of workers: a worker leases the row, then in one transaction
    checks it still holds it, runs the kind's handler and marks it done. Cancellable by (kind, key)
    while pending; a failing handler is retried with backoff and parked as `failed` after its limit.
    """

    __tablename__ = "due_work"
    __table_args__ = (
        Index("ix_due_work_due", "state", "due_at", "id"),
        # One pending row per key: scheduling the same key again moves it.
        Index(
            "uq_due_work_pending_key",
            "kind",
            "key",
            unique=True,
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
        Index("ix_due_work_ticket", "platform", "site", "ticket_key"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str | None] = mapped_column(String(20))
    site: Mapped[str | None] = mapped_column(String(64))
    ticket_key: Mapped[str | None] = mapped_column(String(100))
    payload: Mapped[str] = mapped_column(Text, default="{}")  # JSON object for the handler
    # pending | done | cancelled | failed
    state: Mapped[str] = mapped_column(String(10), default="pending")
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class WorkerBeat(Base):
    """The latest heartbeat of one worker process."""

    __tablename__ = "worker_beats"

    worker_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
