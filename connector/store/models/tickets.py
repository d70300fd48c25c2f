"""Tickets as the connector knows them, and their mood timelines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from connector.store.models.base import Base, Id, UtcDateTime, utcnow


class TicketRow(Base):
    """The latest snapshot of a ticket and its mood timeline summary."""

    __tablename__ = "tickets"
    __table_args__ = (UniqueConstraint("platform", "site", "key", name="uq_tickets_key"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(20))
    site: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(100))
    ticket_id: Mapped[str | None] = mapped_column(String(100))
    project: Mapped[str | None] = mapped_column(String(100))
    type: Mapped[str | None] = mapped_column(String(100))
    request_type: Mapped[str | None] = mapped_column(String(200))
    priority: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str | None] = mapped_column(String(100))
    status_category: Mapped[str | None] = mapped_column(String(20))
    requester_id: Mapped[str | None] = mapped_column(String(200))
    assignee_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    snapshot: Mapped[str] = mapped_column(Text, default="{}")  # the Ticket model as JSON
    snapshot_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # occurred_at of that snapshot
    baseline_polarity: Mapped[float | None] = mapped_column(Float)
    current_polarity: Mapped[float | None] = mapped_column(Float)
    lowest_polarity: Mapped[float | None] = mapped_column(Float)
    trend: Mapped[str | None] = mapped_column(String(12))
    customer_messages: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    last_customer_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class MoodEntry(Base):
    """One scored customer message on a ticket's mood timeline (unique per comment: rescoring updates it)."""

    __tablename__ = "mood_entries"
    __table_args__ = (
        UniqueConstraint("ticket_pk", "comment_id", name="uq_mood_entries_comment"),
        Index("ix_mood_entries_timeline", "ticket_pk", "at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    ticket_pk: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    comment_id: Mapped[str] = mapped_column(String(100))
    author_id: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    polarity: Mapped[float] = mapped_column(Float)
    label: Mapped[int] = mapped_column(Integer)
    mood: Mapped[str] = mapped_column(String(20))
    engine: Mapped[str] = mapped_column(String(40))
    text_chars: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    scored_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
