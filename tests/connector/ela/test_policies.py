"""Each kind of policy as a plain rule over a state: what moves it, what does not, and the reasons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connector.ela.calendars import AlwaysOpen
from connector.ela.observations import (
    AgentReply,
    CustomerMessage,
    Facts,
    MoodChanged,
    MoodTimeline,
    Reopened,
    Resolved,
    SurveyAnswered,
    TimerFired,
)
from connector.ela.policies import ChasingRule, CsatRule, NoDeclineRule, RecoverRule, RespondRule
from connector.ela.status import ElaStatus, PolicyState, format_duration, worst
from connector.settings import MoodLabels
from connector.settings.ela import Chasing, CsatTarget, NoDecline, RecoverByResolution, RespondToNegative
from sentiment.mood import Mood, MoodBands

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
BANDS = MoodBands(-0.5, -0.1, 0.1, 0.5)
VERY_NEGATIVE, NEGATIVE, NEUTRAL, POSITIVE = -0.7, -0.3, 0.0, 0.4


def facts(*polarities: float, resolved: bool = False, baseline_index: int = 0) -> Facts:
    return Facts(MoodTimeline(polarities, baseline_index), BANDS, MoodLabels(), AlwaysOpen(), resolved)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def respond() -> tuple[RespondRule, PolicyState]:
    spec = RespondToNegative(kind="respond_to_negative", mood=Mood.negative, within="4h", at_risk_at=0.75)
    return RespondRule("reply", spec), PolicyState("reply", "respond_to_negative")


def test_respond_to_negative_opens_on_a_negative_message_and_is_met_by_a_public_reply() -> None:
    rule, state = respond()
    assert rule.apply(state, CustomerMessage(at(0), NEUTRAL), facts(NEUTRAL)) == []
    [opened] = rule.apply(state, CustomerMessage(at(10), VERY_NEGATIVE), facts(NEUTRAL, VERY_NEGATIVE))
    assert (opened.outcome, opened.reason) == (
        ElaStatus.on_track,
        "waiting for a reply to a very negative message (4h allowed)",
    )
    assert (state.at_risk_at, state.due_at) == (at(10 + 180), at(10 + 240))
    # A second negative message does not restart the clock: the customer has waited since the first.
    assert rule.apply(state, CustomerMessage(at(30), NEGATIVE), facts(NEGATIVE)) == []
    assert state.due_at == at(250)
    [met] = rule.apply(state, AgentReply(at(75)), facts(NEGATIVE))
    assert (met.outcome, met.reason) == (ElaStatus.met, "replied 1h 5m after a very negative message")
    assert state.derived_status() is ElaStatus.met


def test_respond_to_negative_goes_at_risk_then_breaches_on_its_timers() -> None:
    rule, state = respond()
    rule.apply(state, CustomerMessage(at(0), NEGATIVE), facts(NEGATIVE))
    other_policy = TimerFired(at(180), "another-policy", ElaStatus.at_risk, 1)
    assert rule.apply(state, other_policy, facts(NEGATIVE)) == []
    [risk] = rule.apply(state, TimerFired(at(180), "reply", ElaStatus.at_risk, 1), facts(NEGATIVE))
    assert (risk.outcome, risk.reason) == (
        ElaStatus.at_risk,
        "no reply 3h after a negative message (4h allowed)",
    )
    [breach] = rule.apply(state, TimerFired(at(240), "reply", ElaStatus.breached, 1), facts(NEGATIVE))
    assert (breach.outcome, breach.reason) == (ElaStatus.breached, "no reply 4h after a negative message")
    assert (state.breached, state.breached_at) == (1, at(240))
    # A reply after the breach opens nothing and changes nothing: the breach stands.
    assert rule.apply(state, AgentReply(at(300)), facts(NEGATIVE)) == []
    assert state.derived_status() is ElaStatus.breached


def test_a_reply_that_came_after_the_due_time_is_a_breach_at_the_due_time() -> None:
    rule, state = respond()
    rule.apply(state, CustomerMessage(at(0), NEGATIVE), facts(NEGATIVE))
    [late] = rule.apply(state, AgentReply(at(241)), facts(NEGATIVE))
    assert (late.outcome, late.at) == (ElaStatus.breached, at(240))


def test_an_unknown_mood_neither_starts_nor_meets() -> None:
    rule, state = respond()
    assert rule.apply(state, CustomerMessage(at(0), None), facts()) == []
    chasing = ChasingRule("chase", Chasing(kind="chasing", messages=3))
    chase_state = PolicyState("chase", "chasing")
    for minute in range(5):
        assert chasing.apply(chase_state, CustomerMessage(at(minute), None, chasing=True), facts()) == []
    recover = RecoverRule("recover", RecoverByResolution(kind="recover_by_resolution", target=Mood.neutral))
    recover_state = PolicyState("recover", "recover_by_resolution")
    assert recover.apply(recover_state, CustomerMessage(at(0), None), facts()) == []


def test_chasing_by_count_is_at_risk_at_the_second_message_and_breached_at_the_third() -> None:
    rule, state = ChasingRule("chase", Chasing(kind="chasing", messages=3)), PolicyState("chase", "chasing")
    assert rule.apply(state, CustomerMessage(at(0), NEUTRAL), facts()) == []
    [risk] = rule.apply(state, CustomerMessage(at(5), NEUTRAL), facts())
    assert (risk.outcome, risk.reason) == (ElaStatus.at_risk, "2 customer messages without a reply")
    [breach] = rule.apply(state, CustomerMessage(at(9), NEUTRAL), facts())
    assert (breach.outcome, breach.reason) == (
        ElaStatus.breached,
        "3 customer messages without a public reply",
    )
    assert rule.apply(state, CustomerMessage(at(12), NEUTRAL), facts()) == []  # still the same chase
    assert rule.apply(state, AgentReply(at(20)), facts()) == []
    assert state.data["run"] == 0  # the reply ends the run: the next message starts counting again
    assert rule.apply(state, CustomerMessage(at(30), NEUTRAL), facts()) == []


def test_chasing_by_signal_is_at_risk_at_once_and_met_by_a_reply() -> None:
    rule, state = ChasingRule("chase", Chasing(kind="chasing", messages=3)), PolicyState("chase", "chasing")
    [risk] = rule.apply(state, CustomerMessage(at(0), NEUTRAL, chasing=True), facts())
    assert (risk.outcome, risk.reason) == (ElaStatus.at_risk, "the customer asked for an update")
    [met] = rule.apply(state, AgentReply(at(3)), facts())
    assert (met.outcome, state.derived_status()) == (ElaStatus.met, ElaStatus.met)


def test_recover_by_resolution_follows_the_mood_and_decides_at_resolution() -> None:
    rule = RecoverRule("recover", RecoverByResolution(kind="recover_by_resolution", target=Mood.neutral))
    state = PolicyState("recover", "recover_by_resolution")
    [risk] = rule.apply(state, CustomerMessage(at(0), NEGATIVE), facts(NEGATIVE))
    assert risk.reason == "the customer's mood is Negative (-0.30), below the target Neutral"
    [back] = rule.apply(state, CustomerMessage(at(5), POSITIVE), facts(NEGATIVE, POSITIVE))
    assert back.outcome is ElaStatus.on_track
    [met] = rule.apply(state, Resolved(at(10)), facts(NEGATIVE, POSITIVE, resolved=True))
    assert (met.outcome, met.reason) == (
        ElaStatus.met,
        "resolved with the customer's mood at Positive (+0.40) (target Neutral)",
    )
    # A message after resolution does not change the verdict ...
    assert (
        rule.apply(state, CustomerMessage(at(11), VERY_NEGATIVE), facts(VERY_NEGATIVE, resolved=True)) == []
    )
    # ... but reopening withdraws it until the next resolution.
    [reopened] = rule.apply(state, Reopened(at(12)), facts(NEGATIVE, POSITIVE, VERY_NEGATIVE))
    assert (reopened.outcome, state.met, state.cycle) == (ElaStatus.at_risk, 0, 2)
    [breach] = rule.apply(state, Resolved(at(20)), facts(VERY_NEGATIVE, resolved=True))
    assert (
        breach.reason
        == "resolved with the customer's mood at Very negative (-0.70), below the target Neutral"
    )
    assert state.derived_status() is ElaStatus.breached


def test_no_decline_measures_from_the_baseline_chosen() -> None:
    spec = NoDecline(kind="no_decline", margin=0.5, at_risk_at=0.5)
    rule, state = NoDeclineRule("steady", spec), PolicyState("steady", "no_decline")
    # The opening message is angry; measured from the one after it, the later dip is a decline.
    first = facts(VERY_NEGATIVE, baseline_index=1)
    assert rule.apply(state, CustomerMessage(at(0), VERY_NEGATIVE), first) == []
    [opened] = rule.apply(
        state, CustomerMessage(at(5), POSITIVE), facts(VERY_NEGATIVE, POSITIVE, baseline_index=1)
    )
    assert opened.reason == "baseline Positive (+0.40)"
    [risk] = rule.apply(state, MoodChanged(at(6)), facts(VERY_NEGATIVE, POSITIVE, 0.1, baseline_index=1))
    assert risk.outcome is ElaStatus.at_risk
    [breach] = rule.apply(
        state,
        CustomerMessage(at(9), NEGATIVE),
        facts(VERY_NEGATIVE, POSITIVE, 0.1, NEGATIVE, baseline_index=1),
    )
    assert breach.reason == (
        "the mood fell from Positive (+0.40) to Negative (-0.30), more than 0.50 below the baseline"
    )
    assert rule.apply(state, Resolved(at(20)), facts(POSITIVE, resolved=True)) == []  # a breach is for good
    assert state.derived_status() is ElaStatus.breached


def test_no_decline_is_met_at_resolution_when_the_mood_held() -> None:
    rule = NoDeclineRule("steady", NoDecline(kind="no_decline", margin=0.5))
    state = PolicyState("steady", "no_decline")
    rule.apply(state, CustomerMessage(at(0), NEUTRAL), facts(NEUTRAL))
    rule.apply(state, CustomerMessage(at(5), NEGATIVE), facts(NEUTRAL, NEGATIVE))
    [met] = rule.apply(state, Resolved(at(9)), facts(NEUTRAL, NEGATIVE, resolved=True))
    assert met.outcome is ElaStatus.met


def test_csat_target_takes_the_latest_answer_of_its_survey() -> None:
    rule = CsatRule("csat", CsatTarget(kind="csat_target", target=4, survey="after-resolution"))
    state = PolicyState("csat", "csat_target")
    other = SurveyAnswered(at(0), "quarterly", "csat", 1, 1, 5)
    nps = SurveyAnswered(at(0), "after-resolution", "nps", 2, 0, 10)
    assert rule.apply(state, other, facts()) == rule.apply(state, nps, facts()) == []
    [low] = rule.apply(state, SurveyAnswered(at(1), "after-resolution", "csat", 2, 1, 5), facts())
    assert (low.outcome, low.reason) == (ElaStatus.breached, "CSAT 2 of 5, below the target 4")
    [high] = rule.apply(state, SurveyAnswered(at(2), "after-resolution", "csat", 5, 1, 5), facts())
    assert (high.outcome, state.derived_status()) == (ElaStatus.met, ElaStatus.met)


def test_the_ticket_status_is_the_worst_and_durations_read_as_people_say_them() -> None:
    assert worst([ElaStatus.met, ElaStatus.on_track, ElaStatus.not_applicable]) is ElaStatus.on_track
    assert worst([ElaStatus.at_risk, ElaStatus.breached]) is ElaStatus.breached
    assert worst([]) is ElaStatus.not_applicable
    assert [format_duration(timedelta(seconds=s)) for s in (30, 600, 11_400, 3_600, 190_800)] == [
        "30s",
        "10m",
        "3h 10m",
        "1h",
        "2d 5h",
    ]
