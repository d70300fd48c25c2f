"""JSM SLA clocks: time to first response and time to resolution, in the value shape Cloud returns.

The rules follow JSM's default SLA goals: first response stops at the first public agent comment (or
resolution); resolution pauses while the request waits for the customer, stops when the issue reaches a
done status, and a reopened issue starts a new cycle. Calendars are not modelled (24/7).
"""

from __future__ import annotations

from typing import Any

from simulators.jira.model import Issue, Sla, SlaCycle, jsm_date

TIME_TO_FIRST_RESPONSE = "Time to first response"
TIME_TO_RESOLUTION = "Time to resolution"
WAITING_FOR_CUSTOMER = "Waiting for customer"


def new_slas(now: int, *, first_response_hours: float = 4, resolution_hours: float = 8) -> list[Sla]:
    hour = 3_600_000
    return [
        Sla(
            "1",
            TIME_TO_FIRST_RESPONSE,
            int(first_response_hours * hour),
            stops_on_first_response=True,
            cycles=[SlaCycle(start=now)],
        ),
        Sla(
            "2",
            TIME_TO_RESOLUTION,
            int(resolution_hours * hour),
            pause_statuses=frozenset({WAITING_FOR_CUSTOMER}),
            cycles=[SlaCycle(start=now)],
        ),
    ]


def on_status_change(issue: Issue, new_status: str, *, done: bool, was_done: bool, now: int) -> None:
    for sla in issue.slas:
        current = sla.cycles[-1] if sla.cycles else None
        if done:
            if current and current.stop is None:
                _stop(current, now)
            continue
        if was_done and not sla.stops_on_first_response:
            sla.cycles.append(SlaCycle(start=now))
            current = sla.cycles[-1]
        if current is None or current.stop is not None:
            continue
        paused = new_status in sla.pause_statuses
        if paused and current.paused_since is None:
            current.paused_since = now
        elif not paused and current.paused_since is not None:
            current.paused_total += now - current.paused_since
            current.paused_since = None


def on_public_agent_comment(issue: Issue, now: int) -> None:
    for sla in issue.slas:
        if sla.stops_on_first_response and sla.cycles and sla.cycles[-1].stop is None:
            _stop(sla.cycles[-1], now)


def _stop(cycle: SlaCycle, now: int) -> None:
    if cycle.paused_since is not None:
        cycle.paused_total += now - cycle.paused_since
        cycle.paused_since = None
    cycle.stop = now


def _duration(ms: int) -> dict[str, Any]:
    minutes, _ = divmod(abs(ms), 60_000)
    hours, minutes = divmod(minutes, 60)
    sign = "-" if ms < 0 else ""
    friendly = f"{sign}{hours}h {minutes}m" if hours else f"{sign}{minutes}m"
    return {"millis": ms, "friendly": friendly}


def _cycle(sla: Sla, cycle: SlaCycle, now: int) -> dict[str, Any]:
    elapsed = cycle.elapsed(now)
    remaining = sla.goal_ms - elapsed
    body: dict[str, Any] = {
        "startTime": jsm_date(cycle.start),
        "breachTime": jsm_date(cycle.start + cycle.paused_total + sla.goal_ms),
        "breached": remaining < 0,
        "goalDuration": _duration(sla.goal_ms),
        "elapsedTime": _duration(elapsed),
        "remainingTime": _duration(remaining),
    }
    if cycle.stop is not None:
        body["stopTime"] = jsm_date(cycle.stop)
    else:
        body["paused"] = cycle.paused_since is not None
        body["withinCalendarHours"] = True
    return body


def render_sla(sla: Sla, issue: Issue, base_url: str, now: int) -> dict[str, Any]:
    """The SLA custom field's value (also an item of GET /rest/servicedeskapi/request/{key}/sla)."""
    completed = [_cycle(sla, c, now) for c in sla.cycles if c.stop is not None]
    value: dict[str, Any] = {
        "id": sla.id,
        "name": sla.name,
        "_links": {"self": f"{base_url}/rest/servicedeskapi/request/{issue.id}/sla/{sla.id}"},
        "completedCycles": completed,
    }
    if sla.cycles and sla.cycles[-1].stop is None:
        value["ongoingCycle"] = _cycle(sla, sla.cycles[-1], now)
    value["slaDisplayFormat"] = "NEW_SLA_FORMAT"
    return value
