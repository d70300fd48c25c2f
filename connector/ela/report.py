"""`ela report ela`: ELA compliance per policy, and resolved tickets' SLA beside their ELA.

Compliance counts tickets: each ticket once per policy, with its verdict so far (breached if any of its
cycles breached, else met), dated by when that verdict came (the breach, else the last met cycle). What
is still running (on track, at risk) is counted as it stands now, whatever the period. The quadrants
count the tickets resolved in the period.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from connector.ela.sla import Quadrant
from connector.reports.tables import Percent, Table
from connector.settings.ela import ElaSettings
from connector.store.models import ElaState, ElaTicket


@dataclass(frozen=True)
class PolicyLine:
    policy: str
    title: str
    kind: str
    met: int = 0
    breached: int = 0
    at_risk_now: int = 0
    on_track_now: int = 0
    configured: bool = True  # False: tickets still hold states of a policy removed from the settings

    @property
    def compliance(self) -> float | None:
        """Percent of the decided tickets that were met; None before any was decided."""
        decided = self.met + self.breached
        return round(100 * self.met / decided, 1) if decided else None


@dataclass(frozen=True)
class Quadrants:
    both_met: int = 0
    watermelon: int = 0  # SLA met, ELA breached
    sla_breached: int = 0  # SLA breached, ELA met
    both_breached: int = 0
    no_sla: int = 0  # resolved tickets without SLA data
    no_ela: int = 0  # resolved tickets no ELA policy applies to


@dataclass(frozen=True)
class ElaReport:
    start: datetime | None
    end: datetime | None
    policies: list[PolicyLine] = field(default_factory=list)
    quadrants: Quadrants = Quadrants()

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": {
                "from": self.start.isoformat() if self.start else None,
                "to": self.end.isoformat() if self.end else None,
            },
            "policies": [{**asdict(line), "compliance": line.compliance} for line in self.policies],
            "sla_ela": asdict(self.quadrants),
        }

    def tables(self) -> list[Table]:
        span = f"{_day(self.start) or 'the start'} to {_day(self.end) or 'now'}"
        rows = [
            [
                line.title if line.configured else f"{line.title} (removed)",
                line.kind,
                line.met,
                line.breached,
                Percent(line.compliance) if line.compliance is not None else None,
                line.at_risk_now,
                line.on_track_now,
            ]
            for line in self.policies
        ]
        compliance = Table(
            f"ELA compliance per policy, verdicts from {span}",
            ["policy", "kind", "met", "breached", "compliance", "at risk now", "on track now"],
            rows,
        )
        q = self.quadrants
        quadrants = Table(
            f"SLA beside ELA, tickets resolved from {span}",
            ["", "ELA met", "ELA breached"],
            [["SLA met", q.both_met, q.watermelon], ["SLA breached", q.sla_breached, q.both_breached]],
            notes=[
                f"watermelon (SLA met, ELA breached): {q.watermelon}",
                f"not classified: {q.no_sla} without SLA data, {q.no_ela} outside every ELA policy",
            ],
        )
        return [compliance, quadrants]


def _day(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else None


def _within(column: Any, start: datetime | None, end: datetime | None) -> Any:
    conditions = [column.is_not(None)]
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return and_(*conditions)


def ela_report(
    session: Session, settings: ElaSettings, *, start: datetime | None = None, end: datetime | None = None
) -> ElaReport:
    decided_at = case((ElaState.status == "breached", ElaState.breached_at), else_=ElaState.decided_at)
    verdicts = session.execute(
        select(ElaState.policy, ElaState.kind, ElaState.status, func.count())
        .where(ElaState.status.in_(("met", "breached")), _within(decided_at, start, end))
        .group_by(ElaState.policy, ElaState.kind, ElaState.status)
    ).all()
    running = session.execute(
        select(ElaState.policy, ElaState.kind, ElaState.status, func.count())
        .where(ElaState.status.in_(("at_risk", "on_track")))
        .group_by(ElaState.policy, ElaState.kind, ElaState.status)
    ).all()
    counts: dict[str, dict[str, int]] = {}
    kinds: dict[str, str] = {}
    for policy, kind, status, count in [*verdicts, *running]:
        counts.setdefault(policy, {})[status] = int(count)
        kinds[policy] = kind
    names = list(settings.policies) + sorted(set(counts) - set(settings.policies))
    lines = [
        PolicyLine(
            policy=name,
            title=settings.title(name) if name in settings.policies else name,
            kind=settings.policies[name].kind if name in settings.policies else kinds[name],
            met=counts.get(name, {}).get("met", 0),
            breached=counts.get(name, {}).get("breached", 0),
            at_risk_now=counts.get(name, {}).get("at_risk", 0),
            on_track_now=counts.get(name, {}).get("on_track", 0),
            configured=name in settings.policies,
        )
        for name in names
    ]
    resolved = session.execute(
        select(ElaTicket.quadrant, ElaTicket.sla, func.count())
        .where(ElaTicket.resolved.is_(True), _within(ElaTicket.resolved_at, start, end))
        .group_by(ElaTicket.quadrant, ElaTicket.sla)
    ).all()
    found: dict[str, int] = {}
    for quadrant, sla, count in resolved:
        bucket = quadrant if quadrant is not None else ("no_sla" if sla is None else "no_ela")
        found[bucket] = found.get(bucket, 0) + int(count)
    quadrants = Quadrants(
        **{q.value: found.get(q.value, 0) for q in Quadrant},
        **{k: found.get(k, 0) for k in ("no_sla", "no_ela")},
    )
    return ElaReport(start, end, lines, quadrants)
