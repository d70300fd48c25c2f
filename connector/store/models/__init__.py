"""Every durable fact, as SQLAlchemy models. APScheduler only drives work; these rows are the truth."""

from connector.store.models.audit import AuditEntry
from connector.store.models.base import NAMING, Base, Id, UtcDateTime, utcnow
from connector.store.models.ela import ElaChange, ElaState, ElaTicket
from connector.store.models.events import Delivery, EventRow
from connector.store.models.outbox import OutboxAction, SitePause
from connector.store.models.polls import PollCursor
from connector.store.models.surveys import RateCounter, SurveySend
from connector.store.models.tickets import MoodEntry, TicketRow
from connector.store.models.work import DueWork, Lane, WorkerBeat

__all__ = [
    "NAMING",
    "AuditEntry",
    "Base",
    "Delivery",
    "DueWork",
    "ElaChange",
    "ElaState",
    "ElaTicket",
    "EventRow",
    "Id",
    "Lane",
    "MoodEntry",
    "OutboxAction",
    "PollCursor",
    "RateCounter",
    "SitePause",
    "SurveySend",
    "TicketRow",
    "UtcDateTime",
    "WorkerBeat",
    "utcnow",
]
