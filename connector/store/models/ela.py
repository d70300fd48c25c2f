"""Experience Level Agreements: each policy's state on each ticket, every change with its reason, and the
ticket's verdict over all its policies (with its SLA beside it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from connector.store.models.base import Base, Id, UtcDateTime, utcnow


class ElaState(Base):
    """One policy on one ticket (connector.ela.status.PolicyState, stored). Locked while it changes, so
    a timer firing and a reply arriving at the same moment are decided one after the other."""

    __tablename__ = "ela_states"
    __table_args__ = (
        UniqueConstraint("ticket_pk", "policy", name="uq_ela_states_policy"),
        Index("ix_ela_states_ticket", "platform", "site", "ticket_key"),
        Index("ix_ela_states_report", "policy", "status", "decided_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    ticket_pk: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(20))
    site: Mapped[str] = mapped_column(String(64))
    ticket_key: Mapped[str] = mapped_column(String(100))
    policy: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(16))  # on_track | at_risk | breached | met | not_applicable
    reason: Mapped[str] = mapped_column(Text, default="")
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    open: Mapped[bool] = mapped_column(Boolean, default=False)
    stage: Mapped[str] = mapped_column(String(16), default="on_track")
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    at_risk_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    breached_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    met: Mapped[int] = mapped_column(Integer, default=0)
    breached: Mapped[int] = mapped_column(Integer, default=0)
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    at_risk_escalation: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the kind's own working values
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class ElaChange(Base):
    """What happened to a policy on a ticket, and why: a cycle opened, went at risk, was met or breached.
    Kept for good: the state holds the latest, this the whole story."""

    __tablename__ = "ela_changes"
    __table_args__ = (Index("ix_ela_changes_ticket", "ticket_pk", "at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    ticket_pk: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    policy: Mapped[str] = mapped_column(String(40))
    cycle: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ElaTicket(Base):
    """The ticket's ELA: the worst of its policies, what was written back, and, once resolved, its SLA
    beside its ELA (the quadrant: both_met | watermelon | sla_breached | both_breached)."""

    __tablename__ = "ela_tickets"
    __table_args__ = (
        Index("ix_ela_tickets_quadrant", "quadrant"),
        Index("ix_ela_tickets_resolved", "resolved", "resolved_at"),
    )

    ticket_pk: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="not_applicable")
    reason: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolved: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # When (the platform's resolution date, else the event that resolved it); what reports date it by.
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sla: Mapped[str | None] = mapped_column(String(10))  # met | breached; None: the ticket has no SLA
    quadrant: Mapped[str | None] = mapped_column(String(16))
    written: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the result values last queued
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
