"""The ELA evaluation of one ticket: its policies' states through what just happened, with the reasons
kept, timers scheduled or cancelled, escalations queued, and the ticket's results (status, reason, due,
SLA beside ELA) that changed.

Everything happens in the caller's transaction (an event's, or a timer's due-work row's): the states,
the timers, the escalations and the write-back commit together, or not at all. The ticket's ELA row is
locked first, so a timer and an event on the same ticket are evaluated one after the other.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from adapters.events import Ticket
from connector.ela.calendars import Calendar, calendar_for
from connector.ela.escalation import Escalator, action_key
from connector.ela.observations import (
    Facts,
    MoodTimeline,
    Observation,
    Reopened,
    Resolved,
    TimerFired,
)
from connector.ela.policies import PolicyRule, matches, rule_for
from connector.ela.sla import ela_outcome, quadrant, sla_outcome
from connector.ela.status import Change, ElaStatus, PolicyState, worst
from connector.settings import Settings
from connector.store import due, tickets
from connector.store import ela as store
from connector.store.models import ElaTicket, TicketRow
from sentiment.mood import MoodBands

TIMER_KIND = "ela.timer"
RESULT_KEYS = ("ela_status", "ela_reason", "ela_due", "sla_ela")
_TEXT_MAX = 255  # a single-line text field's limit on the platforms


def timer_key(ticket: TicketRow, policy: str, cycle: int, stage: ElaStatus) -> str:
    return action_key("ela", ticket.platform, ticket.site, ticket.key, policy, cycle, stage.value)


class Evaluator:
    def __init__(self, settings: Settings, bands: MoodBands) -> None:
        self.settings = settings
        self.ela = settings.ela
        self.bands = bands
        self.rules: dict[str, PolicyRule] = {
            name: rule_for(name, spec) for name, spec in self.ela.policies.items()
        }
        self.escalator = Escalator(self.ela)

    @property
    def enabled(self) -> bool:
        return bool(self.rules)

    def evaluate(
        self, session: Session, ticket: TicketRow, observations: list[Observation], *, at: datetime
    ) -> dict[str, Any]:
        """Apply `observations` (and the ticket's resolution or reopening, told apart from what the ELA
        last saw) to every policy in scope; returns the ELA results whose values changed."""
        resolved = ticket.status_category == "done"
        if not observations and not resolved and store.find_summary(session, ticket) is None:
            return {}  # nothing happened that any policy reads, on a ticket no policy has seen
        # What this evaluation writes is read by nothing it queries afterwards: one flush at the end,
        # not one before every query.
        with session.no_autoflush:
            return self._evaluate(session, ticket, observations, at=at, resolved=resolved)

    def _evaluate(
        self,
        session: Session,
        ticket: TicketRow,
        observations: list[Observation],
        *,
        at: datetime,
        resolved: bool,
    ) -> dict[str, Any]:
        summary = store.lock_ticket(session, ticket)
        before: list[Observation] = []
        after: list[Observation] = []
        if resolved and not summary.resolved:
            summary.resolved_at = ticket.resolved_at or at
            after.append(Resolved(summary.resolved_at))
        elif summary.resolved and not resolved:
            summary.resolved_at = None
            before.append(Reopened(at))
        summary.resolved = resolved
        happened = [*before, *observations, *after]
        snapshot = Ticket.model_validate_json(ticket.snapshot) if ticket.snapshot != "{}" else None
        rows = store.states_of(session, ticket)
        timeline = self._timeline(session, ticket)
        states: list[PolicyState] = []
        in_scope = False  # some policy applies to the ticket, whether or not it has had to act yet
        for name, rule in self.rules.items():
            row = rows.get(name)
            if row is None and (
                snapshot is None or not matches(self.ela.policies[name].filters, ticket.site, snapshot)
            ):
                continue  # a ticket enters a policy when it first matches, and then stays in it
            in_scope = True
            kind = self.ela.policies[name].kind
            state = store.to_state(row) if row is not None else PolicyState(name, kind)
            calendar = calendar_for(self.ela, name, ticket.site)
            facts = Facts(timeline, self.bands, self.settings.mood.labels, calendar, resolved)
            cycle_before, data_before = state.cycle, dict(state.data)
            changes = [change for seen in happened for change in rule.apply(state, seen, facts)]
            if not changes and state.data != data_before:
                store.save_state(session, ticket, state, row)  # working values only (a chase count)
            if changes:
                self._settle(state, changes)
                if rule.timed:
                    self._timers(
                        session,
                        ticket=ticket,
                        state=state,
                        changes=changes,
                        cycle_before=cycle_before,
                        happened=happened,
                    )
                self._escalate(
                    session,
                    ticket=ticket,
                    snapshot=snapshot,
                    state=state,
                    changes=changes,
                    facts=facts,
                    calendar=calendar,
                )
                store.save_state(session, ticket, state, row)
                store.record_changes(session, ticket, changes)
            if changes or row is not None:
                states.append(state)
        return self._results(summary, snapshot, states, in_scope=in_scope)

    def _timeline(self, session: Session, ticket: TicketRow) -> MoodTimeline:
        polarities = tuple(p for _, p in tickets.timeline_polarities(session, ticket))
        return MoodTimeline(polarities, 1 if self.ela.baseline == "after_opening" else 0)

    @staticmethod
    def _settle(state: PolicyState, changes: list[Change]) -> None:
        """The policy's status after the changes, and its reason: the latest change that says it."""
        status = state.derived_status()
        saying = [change for change in changes if change.outcome is status]
        if saying:
            state.reason = saying[-1].reason
        elif status is not state.status:
            state.reason = ""
        state.status = status

    def _timers(
        self,
        session: Session,
        *,
        ticket: TicketRow,
        state: PolicyState,
        changes: list[Change],
        cycle_before: int,
        happened: list[Observation],
    ) -> None:
        """A cycle that opened gets its at-risk and breach timers; one that ended has them cancelled (but
        not the one firing now: its row is being marked done)."""
        firing = {
            timer_key(ticket, seen.policy, seen.cycle, seen.stage)
            for seen in happened
            if isinstance(seen, TimerFired)
        }
        for change in changes:
            if change.outcome in (ElaStatus.met, ElaStatus.breached):
                for stage in (ElaStatus.at_risk, ElaStatus.breached):
                    key = timer_key(ticket, state.policy, change.cycle, stage)
                    if key not in firing:
                        store.cancel_timer(session, TIMER_KIND, key)
        if state.open and state.cycle != cycle_before and state.due_at is not None:
            for stage, moment in ((ElaStatus.at_risk, state.at_risk_at), (ElaStatus.breached, state.due_at)):
                if moment is None:
                    continue
                due.schedule(
                    session,
                    TIMER_KIND,
                    timer_key(ticket, state.policy, state.cycle, stage),
                    moment,
                    payload={
                        "policy": state.policy,
                        "cycle": state.cycle,
                        "stage": stage.value,
                        "at": moment.isoformat(),
                    },
                    platform=ticket.platform,
                    site=ticket.site,
                    ticket_key=ticket.key,
                )

    def _escalate(
        self,
        session: Session,
        *,
        ticket: TicketRow,
        snapshot: Ticket | None,
        state: PolicyState,
        changes: list[Change],
        facts: Facts,
        calendar: Calendar,
    ) -> None:
        current = ticket.current_polarity
        mood = facts.described(current) if current is not None else None
        for change in changes:
            if change.outcome in (ElaStatus.at_risk, ElaStatus.breached):
                due_at = state.due_at if state.open else None
                self.escalator.escalate(
                    session,
                    ticket=ticket,
                    snapshot=snapshot or Ticket(key=ticket.key),
                    site=self.settings.sites.get(ticket.site),
                    state=state,
                    change=change,
                    mood=mood,
                    due=due_at,
                    due_text=_local(due_at, calendar),
                )
            elif change.outcome in (ElaStatus.met, ElaStatus.on_track) and state.at_risk_escalation:
                self.escalator.recovered(session, ticket=ticket, state=state)

    def _results(
        self, summary: ElaTicket, snapshot: Ticket | None, states: list[PolicyState], *, in_scope: bool
    ) -> dict[str, Any]:
        status = worst(s.status for s in states)
        written = store.written_values(summary)
        reason = next((s.reason for s in states if s.status is status), "")
        running = [s.due_at for s in states if s.open and s.due_at is not None]
        breached = [s.breached_at for s in states if s.breached_at is not None]
        due_at = min(running) if running else (min(breached) if status is ElaStatus.breached else None)
        summary.status, summary.reason, summary.due_at = status.value, reason, due_at
        summary.sla = sla_outcome(snapshot.slas) if snapshot is not None else None
        outcome = ela_outcome((s.status for s in states), in_scope=in_scope)
        found = quadrant(summary.sla, outcome) if summary.resolved else None
        summary.quadrant = found.value if found is not None else None
        if status is ElaStatus.not_applicable and found is None and not written:
            return {}  # no policy has had to act, and there is no verdict beside an SLA: nothing to show
        labels, quadrants = self.ela.labels.as_dict(), self.ela.quadrant_labels.as_dict()
        values: dict[str, Any] = {
            "ela_status": labels[status.value],
            "ela_reason": _clip(reason) or None,
            "ela_due": store.due_iso(due_at),
            "sla_ela": quadrants[found.value] if found is not None else None,
        }
        changed = {
            key: value
            for key, value in values.items()
            if written.get(key) != value and (key in written or value is not None)
        }
        if changed:
            store.remember_written(summary, values)
        return changed


def _clip(text: str) -> str:
    return text if len(text) <= _TEXT_MAX else text[: _TEXT_MAX - 1] + "…"


def _local(moment: datetime | None, calendar: Calendar) -> str | None:
    """A due time as the agents of the policy's calendar read it (UTC for round-the-clock policies)."""
    if moment is None:
        return None
    zone = getattr(calendar, "zone", UTC)
    local = moment.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or "UTC")
