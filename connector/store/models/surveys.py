"""Survey sends (one ticket's instance of a survey, with its state and answer), and the counters that
rate-limit the answer pages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from connector.store.models.base import Base, Id, UtcDateTime, utcnow


class SurveySend(Base):
    """scheduled -> sent -> reminded -> answered | expired | cancelled | skipped (with `reason`).

    `trigger` is what started it (the resolving event's id, or the relationship survey's round), unique
    per survey and site: the same event twice makes one send. Attribution (assignee, team) is taken at
    resolution and kept, so a later reassignment does not move the credit.
    """

    __tablename__ = "survey_sends"
    __table_args__ = (
        UniqueConstraint("survey", "platform", "site", "trigger", name="uq_survey_sends_trigger"),
        Index("ix_survey_sends_ticket", "platform", "site", "ticket_key"),
        Index("ix_survey_sends_requester", "requester_key", "sent_at"),
        Index("ix_survey_sends_state", "state", "survey"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    survey: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(8))  # csat | nps | ces
    relationship: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    channel: Mapped[str] = mapped_column(String(12))  # comment | email
    platform: Mapped[str] = mapped_column(String(20))
    site: Mapped[str] = mapped_column(String(64))
    ticket_key: Mapped[str] = mapped_column(String(100))
    trigger: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(12), default="scheduled")
    reason: Mapped[str | None] = mapped_column(String(200))  # why skipped or cancelled
    requester_key: Mapped[str | None] = mapped_column(String(320))  # the throttle's idea of a person
    requester_id: Mapped[str | None] = mapped_column(String(200))
    requester_name: Mapped[str | None] = mapped_column(String(200))
    requester_email: Mapped[str | None] = mapped_column(String(320))
    locale: Mapped[str | None] = mapped_column(String(20))
    assignee_id: Mapped[str | None] = mapped_column(String(200))
    assignee_name: Mapped[str | None] = mapped_column(String(200))
    team: Mapped[str | None] = mapped_column(String(200))
    scale_min: Mapped[int] = mapped_column(Integer)
    scale_max: Mapped[int] = mapped_column(Integer)
    scheduled_for: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    answers: Mapped[int] = mapped_column(Integer, default=0)  # answers taken: each click or comment
    # queued (in the outbox) | delivered (the channel took it) | unconfirmed (a worker died mid-send
    # of an e-mail: it may have gone out, and is not sent again) | failed
    delivery: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class RateCounter(Base):
    """Requests counted per key (a survey link, a client address) in one-minute windows, in the
    database, so that every web process counts against the same limit."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    minute: Mapped[int] = mapped_column(Integer, primary_key=True)  # minutes since the epoch
    count: Mapped[int] = mapped_column(Integer, default=0)
