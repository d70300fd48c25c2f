"""The outbox: per ticket, ordered actions to its platform, each sent once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from connector.store.models.base import Base, Id, UtcDateTime, utcnow


class OutboxAction(Base):
    """One action on a ticket: set fields (coalesced: new values merge into the ticket's pending `fields`
    action), add a comment (public or internal), or change labels.

    `sending` is recorded before the platform is called: an action found in that state by the next
    worker has an unknown outcome, and is read back from the platform before it is sent again.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "uq_outbox_one_pending_fields",
            "platform",
            "site",
            "ticket_key",
            unique=True,
            sqlite_where=text("kind = 'fields' AND state = 'pending'"),
            postgresql_where=text("kind = 'fields' AND state = 'pending'"),
        ),
        Index("ix_outbox_lane", "platform", "site", "ticket_key", "state", "id"),
        Index("ix_outbox_key", "platform", "site", "key", unique=True),
        Index("ix_outbox_state", "state", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(20))
    site: Mapped[str] = mapped_column(String(64))
    ticket_key: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))  # fields | comment | labels | priority | a room's own
    key: Mapped[str] = mapped_column(String(200))  # idempotency key: the same key is queued once
    payload: Mapped[str] = mapped_column(Text)  # JSON: {values} | {text, public} | {add, remove}
    # pending | sending | done | failed | superseded | cancelled
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(String(200))  # e.g. the id of the comment posted
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
    first_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # first attempt's start


class SitePause(Base):
    """A platform told us to slow down (429 Retry-After): no action to the site before `until`."""

    __tablename__ = "site_pauses"

    site: Mapped[str] = mapped_column(String(64), primary_key=True)
    until: Mapped[datetime] = mapped_column(UtcDateTime())
    reason: Mapped[str] = mapped_column(Text, default="")
