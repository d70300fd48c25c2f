"""What `ela surveys` shows: each survey's sends by state, its response rate and average score, and
the latest sends with their reason, delivery and answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select

from connector.store import Store
from connector.store.models import SurveySend


@dataclass
class SurveyReport:
    by_survey: dict[str, dict[str, Any]] = field(default_factory=dict)
    recent: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def gather(store: Store, recent: int = 20) -> SurveyReport:
    report = SurveyReport()
    with store.session() as session:
        rows = session.execute(
            select(SurveySend.survey, SurveySend.state, func.count(), func.avg(SurveySend.score)).group_by(
                SurveySend.survey, SurveySend.state
            )
        )
        for survey, state, count, average in rows:
            entry = report.by_survey.setdefault(str(survey), {"states": {}, "average_score": None})
            entry["states"][str(state)] = int(count)
            if state == "answered" and average is not None:
                entry["average_score"] = round(float(average), 2)
        for entry in report.by_survey.values():
            states = entry["states"]
            reached = sum(states.get(s, 0) for s in ("sent", "reminded", "answered", "expired"))
            entry["response_rate"] = round(states.get("answered", 0) / reached, 3) if reached else None
        latest = session.scalars(select(SurveySend).order_by(SurveySend.id.desc()).limit(recent))
        for send in latest:
            report.recent.append(
                {
                    "send": send.id,
                    "survey": send.survey,
                    "site": send.site,
                    "ticket": send.ticket_key,
                    "state": send.state,
                    "reason": send.reason,
                    "delivery": send.delivery,
                    "score": send.score,
                    "assignee": send.assignee_name or send.assignee_id,
                    "sent_at": send.sent_at.isoformat(timespec="seconds") if send.sent_at else None,
                }
            )
    return report


def render(report: SurveyReport) -> str:
    if not report.by_survey:
        return "no survey sends yet"
    lines = []
    for name, entry in sorted(report.by_survey.items()):
        states = ", ".join(f"{count} {state}" for state, count in sorted(entry["states"].items()))
        rate = entry["response_rate"]
        lines.append(
            f"{name}: {states}; response rate {'-' if rate is None else f'{rate:.0%}'}; "
            f"average score {entry['average_score'] if entry['average_score'] is not None else '-'}"
        )
    lines.append("latest sends (newest first):")
    for send in report.recent:
        extra = [x for x in (send["reason"], send["delivery"] and f"delivery {send['delivery']}") if x]
        score = f" score {send['score']}" if send["score"] is not None else ""
        lines.append(
            f"  #{send['send']} {send['survey']} {send['site']} {send['ticket']}: {send['state']}{score}"
            + (f" ({'; '.join(extra)})" if extra else "")
        )
    return "\n".join(lines)
