"""Pull mode's state per site: where the next poll of the platform starts, and how polls have gone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from connector.store.models.base import Base, Id, UtcDateTime, utcnow


class PollCursor(Base):
    """One polled site. Leasable like any work (state, due_at, claimed_by): one worker polls a site at
    a time, and `due_at` is when the next poll is due (or, while held, when the holder's lease ends).

    `cursor` is the platform's own text (its poller reads and writes it); it moves in the transaction
    that stores the poll's events, so a crash between the two repeats the poll, and never skips one.
    """

    __tablename__ = "poll_cursors"
    __table_args__ = (
        UniqueConstraint("platform", "site", name="uq_poll_cursors_site"),
        Index("ix_poll_cursors_due", "state", "due_at", "id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(20))
    site: Mapped[str] = mapped_column(String(64))
    cursor: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(8), default="ready")
    due_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    polls: Mapped[int] = mapped_column(Integer, default=0)  # polls that succeeded
    failed_polls: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # in a row, since the last success
    events: Mapped[int] = mapped_column(Integer, default=0)  # new events the polls stored
    last_polled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # the last success
    last_error: Mapped[str | None] = mapped_column(Text)
