"""The five kinds of policy: how each reads what happens on a ticket and moves its state.

Each kind is a small class with `apply(state, observation, facts) -> [Change]`: plain logic on the
PolicyState, no store and no clock (time comes with the observation), so each rule is tested on its own.
The evaluation (connector.ela.evaluate) loads and saves the states, schedules the timers and escalates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from adapters.events import Ticket
from connector.ela.observations import (
    AgentReply,
    CustomerMessage,
    Facts,
    MoodChanged,
    Observation,
    Reopened,
    Resolved,
    SurveyAnswered,
    TimerFired,
)
from connector.ela.status import Change, ElaStatus, PolicyState, format_duration
from connector.settings.ela_policies import (
    Chasing,
    CsatTarget,
    NoDecline,
    PolicyFilters,
    RecoverByResolution,
    RespondToNegative,
)
from sentiment.mood import Mood

_ORDER = list(Mood)  # very_negative ... very_positive


def at_or_below(mood: Mood, level: Mood) -> bool:
    return _ORDER.index(mood) <= _ORDER.index(level)


def matches(filters: PolicyFilters, site: str, ticket: Ticket) -> bool:
    """Whether a ticket is in a policy's scope: each list given must match, case aside."""

    def within(wanted: list[str], *values: str | None) -> bool:
        if not wanted:
            return True
        folded = {w.casefold() for w in wanted}
        return any(v is not None and v.casefold() in folded for v in values)

    return (
        within(filters.sites, site)
        and within(filters.projects, ticket.project)
        and within(filters.request_types, ticket.request_type)
        and within(filters.priorities, ticket.priority)
        and within(filters.labels, *ticket.labels)
    )


class PolicyRule(Protocol):
    name: str
    timed: bool  # its cycles have at-risk and breach timers

    def apply(self, state: PolicyState, observation: Observation, facts: Facts) -> list[Change]: ...


def _change(state: PolicyState, outcome: ElaStatus, reason: str, observation: Observation) -> Change:
    return Change(state.policy, state.cycle, outcome, reason, observation.at)


class RespondRule:
    timed = True

    def __init__(self, name: str, spec: RespondToNegative) -> None:
        self.name = name
        self.spec = spec

    def _waited(self, state: PolicyState, until: Any, facts: Facts) -> str:
        assert state.started_at is not None
        span = format_duration(facts.calendar.elapsed(state.started_at, until))
        return f"{span} of business hours" if facts.calendar.name else span

    def apply(self, state: PolicyState, observation: Observation, facts: Facts) -> list[Change]:
        what = facts.a_message(Mood(state.data.get("mood", self.spec.mood.value)))
        if isinstance(observation, CustomerMessage):
            if observation.polarity is None or state.open:
                return []  # an unknown mood starts nothing; an open wait keeps its first message's clock
            mood = facts.mood(observation.polarity)
            if not at_or_below(mood, self.spec.mood):
                return []
            state.open_cycle(observation.at)
            state.data["mood"] = mood.value
            state.at_risk_at = facts.calendar.add(observation.at, self.spec.within * self.spec.at_risk_at)
            state.due_at = facts.calendar.add(observation.at, self.spec.within)
            allowed = format_duration(self.spec.within)
            if facts.calendar.name:
                allowed += " of business hours"
            reason = f"waiting for a reply to {facts.a_message(mood)} ({allowed} allowed)"
            return [_change(state, ElaStatus.on_track, reason, observation)]
        if isinstance(observation, AgentReply | Resolved) and state.open:
            assert state.due_at is not None
            if observation.at >= state.due_at:
                # The reply came after the due time, before its timer was handled: breached, when due.
                state.close(ElaStatus.breached, state.due_at)
                reason = f"no reply {self._waited(state, state.due_at, facts)} after {what}"
                return [Change(self.name, state.cycle, ElaStatus.breached, reason, state.due_at)]
            state.close(ElaStatus.met, observation.at)
            verb = "replied" if isinstance(observation, AgentReply) else "resolved"
            reason = f"{verb} {self._waited(state, observation.at, facts)} after {what}"
            return [_change(state, ElaStatus.met, reason, observation)]
        if (
            isinstance(observation, TimerFired)
            and observation.policy == self.name
            and state.open
            and observation.cycle == state.cycle
        ):
            waited = self._waited(state, observation.at, facts)
            if observation.stage is ElaStatus.at_risk and state.stage is ElaStatus.on_track:
                state.stage = ElaStatus.at_risk
                allowed = format_duration(self.spec.within)
                reason = f"no reply {waited} after {what} ({allowed} allowed)"
                return [_change(state, ElaStatus.at_risk, reason, observation)]
            if observation.stage is ElaStatus.breached:
                state.close(ElaStatus.breached, observation.at)
                return [_change(state, ElaStatus.breached, f"no reply {waited} after {what}", observation)]
        return []


class ChasingRule:
    timed = False

    def __init__(self, name: str, spec: Chasing) -> None:
        self.name = name
        self.spec = spec

    def apply(self, state: PolicyState, observation: Observation, facts: Facts) -> list[Change]:
        if isinstance(observation, CustomerMessage) and observation.polarity is not None:
            run = int(state.data.get("run", 0)) + 1
            state.data["run"] = run
            changes = []
            chased = observation.chasing or run >= 2
            # After a breach the run goes on unanswered; it is one chase until an agent replies.
            if chased and not state.open and not state.data.get("spent"):
                state.open_cycle(observation.at, ElaStatus.at_risk)
                state.data["spent"] = True
                reason = (
                    "the customer asked for an update"
                    if observation.chasing
                    else f"{run} customer messages without a reply"
                )
                changes.append(_change(state, ElaStatus.at_risk, reason, observation))
            if state.open and run >= self.spec.messages:
                state.close(ElaStatus.breached, observation.at)
                reason = f"{run} customer messages without a public reply"
                changes.append(_change(state, ElaStatus.breached, reason, observation))
            return changes
        if isinstance(observation, AgentReply | Resolved):
            state.data.update(run=0, spent=False)
            if state.open:
                state.close(ElaStatus.met, observation.at)
                verb = "an agent replied" if isinstance(observation, AgentReply) else "resolved"
                return [_change(state, ElaStatus.met, f"{verb} after the customer chased", observation)]
        return []


class RecoverRule:
    timed = False

    def __init__(self, name: str, spec: RecoverByResolution) -> None:
        self.name = name
        self.spec = spec

    def _target(self, facts: Facts) -> str:
        return facts.labels.label(self.spec.target)

    def _stage(self, current: float, facts: Facts) -> tuple[ElaStatus, str]:
        if at_or_below(self.spec.target, facts.mood(current)):
            reason = f"the customer's mood is {facts.described(current)} (target {self._target(facts)})"
            return ElaStatus.on_track, reason
        return (
            ElaStatus.at_risk,
            f"the customer's mood is {facts.described(current)}, below the target {self._target(facts)}",
        )

    def apply(self, state: PolicyState, observation: Observation, facts: Facts) -> list[Change]:
        current = facts.timeline.current
        if isinstance(observation, Reopened) and state.cycle and not state.open:
            # Reopened: the verdict given at resolution is withdrawn until the next one.
            state.met = state.breached = 0
            state.breached_at = None
            if current is None:
                state.open_cycle(observation.at)
                return [_change(state, ElaStatus.on_track, "reopened", observation)]
            stage, reason = self._stage(current, facts)
            state.open_cycle(observation.at, stage)
            return [_change(state, stage, f"reopened: {reason}", observation)]
        if isinstance(observation, CustomerMessage | MoodChanged) and not facts.resolved:
            if isinstance(observation, CustomerMessage) and observation.polarity is None:
                return []
            if current is None:
                return []
            stage, reason = self._stage(current, facts)
            if not state.open:
                state.open_cycle(observation.at, stage)
            elif stage is state.stage:
                return []
            state.stage = stage
            return [_change(state, stage, reason, observation)]
        if isinstance(observation, Resolved) and current is not None and (state.open or not state.cycle):
            if not state.open:
                state.open_cycle(observation.at)
            target = self._target(facts)
            if at_or_below(self.spec.target, facts.mood(current)):
                state.close(ElaStatus.met, observation.at)
                reason = f"resolved with the customer's mood at {facts.described(current)} (target {target})"
                return [_change(state, ElaStatus.met, reason, observation)]
            state.close(ElaStatus.breached, observation.at)
            reason = (
                f"resolved with the customer's mood at {facts.described(current)}, below the target {target}"
            )
            return [_change(state, ElaStatus.breached, reason, observation)]
        return []


class NoDeclineRule:
    timed = False

    def __init__(self, name: str, spec: NoDecline) -> None:
        self.name = name
        self.spec = spec

    def apply(self, state: PolicyState, observation: Observation, facts: Facts) -> list[Change]:
        timeline = facts.timeline
        baseline, current, lowest = timeline.baseline, timeline.current, timeline.lowest_since_baseline
        if state.breached or baseline is None or current is None or lowest is None:
            return []  # "never falls": a breach is for good
        margin = self.spec.margin
        if isinstance(observation, Reopened) and state.met and not state.open:
            state.met = 0
            state.open_cycle(observation.at)
            return [_change(state, ElaStatus.on_track, "reopened", observation)]
        if isinstance(observation, Resolved) and state.open:
            state.close(ElaStatus.met, observation.at)
            reason = f"resolved without the mood falling more than {margin:.2f} below the baseline"
            return [_change(state, ElaStatus.met, reason, observation)]
        if not isinstance(observation, CustomerMessage | MoodChanged) or facts.resolved:
            return []
        if isinstance(observation, CustomerMessage) and observation.polarity is None:
            return []
        base = facts.described(baseline)
        changes = []
        if not state.open:
            state.open_cycle(observation.at)
            changes.append(_change(state, ElaStatus.on_track, f"baseline {base}", observation))
        if baseline - lowest > margin:
            state.close(ElaStatus.breached, observation.at)
            reason = (
                f"the mood fell from {base} to {facts.described(lowest)}, more than {margin:.2f} "
                "below the baseline"
            )
            return [*changes, _change(state, ElaStatus.breached, reason, observation)]
        drop = baseline - current
        stage = ElaStatus.at_risk if drop > margin * self.spec.at_risk_at else ElaStatus.on_track
        if stage is not state.stage:
            state.stage = stage
            reason = (
                f"the mood fell {drop:.2f} below the baseline {base} ({margin:.2f} allowed)"
                if stage is ElaStatus.at_risk
                else f"the mood is back within {margin:.2f} of the baseline {base}"
            )
            changes.append(_change(state, stage, reason, observation))
        return changes


class CsatRule:
    timed = False

    def __init__(self, name: str, spec: CsatTarget) -> None:
        self.name = name
        self.spec = spec

    def apply(self, state: PolicyState, observation: Observation, facts: Facts) -> list[Change]:
        if not isinstance(observation, SurveyAnswered) or observation.kind != "csat":
            return []
        if self.spec.survey is not None and observation.survey != self.spec.survey:
            return []
        # The latest answer is the customer's word: it replaces an earlier one.
        state.met = state.breached = 0
        state.breached_at = None
        state.cycle += 1
        score = f"CSAT {observation.score} of {observation.scale_max}"
        if observation.score >= self.spec.target:
            state.close(ElaStatus.met, observation.at)
            return [_change(state, ElaStatus.met, f"{score} (target {self.spec.target})", observation)]
        state.close(ElaStatus.breached, observation.at)
        reason = f"{score}, below the target {self.spec.target}"
        return [_change(state, ElaStatus.breached, reason, observation)]


RULES: dict[str, Callable[[str, Any], PolicyRule]] = {
    "respond_to_negative": RespondRule,
    "chasing": ChasingRule,
    "recover_by_resolution": RecoverRule,
    "no_decline": NoDeclineRule,
    "csat_target": CsatRule,
}


def rule_for(name: str, spec: Any) -> PolicyRule:
    return RULES[spec.kind](name, spec)
