"""ELA statuses, how they rank, and one policy's state on one ticket as the evaluation works on it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class ElaStatus(StrEnum):
    on_track = "on_track"
    at_risk = "at_risk"
    breached = "breached"
    met = "met"
    not_applicable = "not_applicable"


# A ticket's status is the worst of its policies'. A promise still running (on track) ranks above one
# kept (met): the ticket is not done with it yet.
_RANK = {
    ElaStatus.not_applicable: 0,
    ElaStatus.met: 1,
    ElaStatus.on_track: 2,
    ElaStatus.at_risk: 3,
    ElaStatus.breached: 4,
}


def rank(status: ElaStatus) -> int:
    return _RANK[status]


def worst(statuses: Iterable[ElaStatus]) -> ElaStatus:
    return max(statuses, key=rank, default=ElaStatus.not_applicable)


@dataclass
class PolicyState:
    """One policy on one ticket. A policy runs in cycles (a wait for a reply, a chase, the time until
    resolution); each cycle ends met or breached, and the policy's status is breached when any cycle
    breached, else the running cycle's stage, else met when a cycle was met."""

    policy: str
    kind: str
    cycle: int = 0  # the number of the latest cycle (0: none yet)
    open: bool = False  # that cycle is running
    stage: ElaStatus = ElaStatus.on_track  # the running cycle's: on_track | at_risk
    started_at: datetime | None = None  # the running cycle's start
    at_risk_at: datetime | None = None  # timed policies: when the running cycle goes at risk
    due_at: datetime | None = None  # timed policies: when it breaches; once breached, when it was due
    met: int = 0  # cycles met
    breached: int = 0  # cycles breached
    breached_at: datetime | None = None  # the first breach
    decided_at: datetime | None = None  # the latest verdict (met or breached)
    escalations: int = 0  # escalations so far: numbers each one's idempotency keys
    at_risk_escalation: int | None = None  # the escalation that went with the running at-risk stage
    reason: str = ""
    status: ElaStatus = ElaStatus.not_applicable
    data: dict[str, Any] = field(default_factory=dict)  # a kind's own working values (chase counts)

    def derived_status(self) -> ElaStatus:
        if self.breached:
            return ElaStatus.breached
        if self.open:
            return self.stage
        if self.met:
            return ElaStatus.met
        return ElaStatus.not_applicable

    def open_cycle(self, at: datetime, stage: ElaStatus = ElaStatus.on_track) -> None:
        self.cycle += 1
        self.open = True
        self.stage = stage
        self.started_at = at
        self.at_risk_at = None
        self.due_at = None
        self.at_risk_escalation = None

    def close(self, outcome: ElaStatus, at: datetime) -> None:
        """End the running cycle (or, for a policy without cycles, give its verdict) as met or breached."""
        self.open = False
        self.decided_at = at
        if outcome is ElaStatus.breached:
            self.breached += 1
            if self.breached_at is None:
                self.breached_at = at
        else:
            self.met += 1


@dataclass(frozen=True)
class Change:
    """What happened to a policy on a ticket: a cycle opened, went at risk, was met or breached."""

    policy: str
    cycle: int
    outcome: ElaStatus
    reason: str
    at: datetime


def format_duration(span: timedelta) -> str:
    """3h 10m, 2d 4h, 45m, 30s: how long, as people say it."""
    seconds = max(0, int(span.total_seconds()))
    days, seconds = divmod(seconds, 86_400)
    hours, seconds = divmod(seconds, 3_600)
    minutes, seconds = divmod(seconds, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m"
    return f"{seconds}s"
