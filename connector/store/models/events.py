"""Deliveries as they arrived, and the TicketEvents they carry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from connector.store.models.base import Base, Id, UtcDateTime, utcnow


class Delivery(Base):
    """One accepted webhook delivery (or polled batch), kept raw for replay and audit."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("platform", "site", "delivery_key", name="uq_deliveries_key"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(20))
    site: Mapped[str] = mapped_column(String(64))
    delivery_key: Mapped[str] = mapped_column(String(128))
    webhook_event: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    retry_count: Mapped[int] = mapped_column(Integer, default=0)
    body: Mapped[bytes] = mapped_column(LargeBinary)


class EventRow(Base):
    """A TicketEvent waiting for, or done with, the worker. `id` order is arrival order.

    Workers do not lease events one by one: they lease a ticket's lane (models.work.Lane) and take its
    pending events in order, found through `ix_events_lane`.
    """

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("platform", "site", "event_id", name="uq_events_event_id"),
        Index("ix_events_lane", "platform", "site", "ticket_key", "state", "id"),
        Index("ix_events_state", "state", "received_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id", ondelete="SET NULL"))
    platform: Mapped[str] = mapped_column(String(20))
    site: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    ticket_key: Mapped[str] = mapped_column(String(100))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    data: Mapped[str] = mapped_column(Text)  # the TicketEvent as JSON, without the raw payload
    state: Mapped[str] = mapped_column(String(12), default="pending")  # pending | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
