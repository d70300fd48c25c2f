"""The ELA step and its timers on a real database, with the due-work runner on a controlled clock: what
each policy does to the ticket's state, its timers, its escalations and its written-back fields."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.events import AuthorRole, EventKind, StatusCategory
from connector.store import Store
from tests.connector.conftest import T0, EventFactory
from tests.connector.ela.support import (
    ANGRY,
    CALM,
    CHASE,
    FRENCH,
    PLAIN,
    POLICIES,
    Clock,
    Ela,
    dated,
    later,
    settings_with,
    utc,
)


@pytest.fixture
def ela(store: Store) -> Ela:
    return Ela(store, settings_with(), Clock(T0))


def test_a_negative_message_goes_at_risk_escalates_and_a_reply_recovers_to_met(
    ela: Ela, make_event: EventFactory
) -> None:
    ela.process(make_event(EventKind.created, minutes=0, priority="Medium", summary="VPN drops"))
    ela.process(make_event(text=ANGRY, minutes=10))
    state = ela.state("reply")
    assert state is not None and (state.status, state.cycle) == ("on_track", 1)
    assert state.due_at == later(T0, minutes=250)
    assert ela.fields()["ela_status"] == "On track"
    assert ela.fields()["ela_due"] == "2026-11-02T13:10:00+00:00"
    assert ela.timers() == [("at_risk", "pending"), ("breached", "pending")]

    assert ela.fire_at(later(T0, minutes=189)) == 0  # a minute before 3/4 of the 4 hours
    assert ela.fire_at(later(T0, minutes=190)) == 1
    assert ela.state("reply").status == "at_risk"  # type: ignore[union-attr]
    fields = ela.fields()
    assert (fields["ela_status"], fields["ela_reason"]) == (
        "At risk",
        "no reply 3h after a very negative message (4h allowed)",
    )
    labels, comment, priority, webhook = ela.actions()
    assert (labels["kind"], labels["add"]) == ("labels", ["ela-at-risk"])
    assert (comment["kind"], comment["public"]) == ("comment", False)
    assert "No reply 3h after a very negative message (4h allowed)." in comment["text"]
    assert "The customer's last mood: Very negative" in comment["text"]
    assert "It breaches at 2026-11-02 13:10 UTC" in comment["text"]
    assert (priority["kind"], priority["priority"]) == ("priority", "High")
    assert webhook["kind"] == "ela.webhook" and webhook["webhook"] == "ops"
    assert webhook["message"]["url"] == "https://example.atlassian.net/browse/SD-1"
    assert webhook["message"]["summary"] == "VPN drops"
    assert "secret-part" not in str(webhook)  # the webhook's URL is its credential: never in the outbox

    ela.process(make_event(text="Looking at it now, sorry for the wait.", role=AuthorRole.agent, minutes=220))
    state = ela.state("reply")
    assert state is not None and (state.status, state.reason) == (
        "met",
        "replied 3h 30m after a very negative message",
    )
    assert ela.timers() == [("at_risk", "done"), ("breached", "cancelled")]
    assert ela.fire_at(later(T0, hours=6)) == 0  # the breach never fires
    assert ela.actions()[-1]["remove"] == ["ela-at-risk"]  # the at-risk label comes off again
    assert (ela.fields()["ela_status"], ela.fields()["ela_due"]) == ("Met", None)
    assert ela.changes() == [("reply", 1, "on_track"), ("reply", 1, "at_risk"), ("reply", 1, "met")]
    assert ela.audits() == ["ela.escalated.at_risk", "ela.recovered"]


def test_no_reply_breaches_once_and_the_breach_time_stays_as_the_due_time(
    ela: Ela, make_event: EventFactory
) -> None:
    ela.process(make_event(EventKind.created, minutes=0, priority="Highest"))
    ela.process(make_event(text=ANGRY, minutes=0))
    assert ela.fire_at(later(T0, hours=9)) == 2  # both timers were due: each fires, in order
    state = ela.state("reply")
    assert state is not None and (state.status, state.breached, state.reason) == (
        "breached",
        1,
        "no reply 4h after a very negative message",
    )
    assert ela.fire_at(later(T0, hours=10)) == 0
    kinds = [a["kind"] for a in ela.actions()]
    # At risk and breached each escalated once; a ticket already at the highest priority keeps it.
    assert kinds == ["labels", "comment", "ela.webhook", "labels", "comment"]
    assert ela.fields()["ela_due"] == "2026-11-02T13:00:00+00:00"
    # A reply after the breach changes nothing: the promise was broken.
    ela.process(make_event(text="Sorry!", role=AuthorRole.agent, minutes=600))
    assert ela.state("reply").status == "breached"  # type: ignore[union-attr]


def test_an_internal_note_or_an_automation_reply_does_not_meet_it(ela: Ela, make_event: EventFactory) -> None:
    ela.process(make_event(text=ANGRY, minutes=0))
    ela.process(make_event(text="Note to self: check the gateway", role=AuthorRole.system, minutes=5))
    note = make_event(text="internal: escalate to network team", role=AuthorRole.agent, minutes=6)
    note = note.model_copy(update={"comment": note.comment.model_copy(update={"public": False})})  # type: ignore[union-attr]
    ela.process(note)
    assert ela.state("reply").status == "on_track"  # type: ignore[union-attr]


def test_business_hours_carry_a_timer_over_a_weekend_a_holiday_and_the_daylight_saving_change(
    store: Store, make_event: EventFactory
) -> None:
    berlin = POLICIES.replace(
        "ela:\n",
        "ela:\n  calendars:\n    berlin:\n      time_zone: Europe/Berlin\n"
        '      hours: {mon-fri: "09:00-17:00"}\n      holidays: [2026-10-26]\n'
        "  site_calendars: {jira-prod: berlin}\n",
    )
    ela = Ela(store, settings_with(berlin), Clock(T0))
    friday_4pm = utc(2026, 10, 23, 14, 0)  # 16:00 summer time in Berlin; clocks go back on Sunday
    ela.process(dated(make_event(text=ANGRY), friday_4pm))
    # 4 business hours: 1 on Friday; the weekend and Monday (a holiday) closed; 3 on Tuesday from
    # 09:00 winter time: 12:00 CET is 11:00 UTC. At risk at 3 hours: 11:00 CET, 10:00 UTC.
    state = ela.state("reply")
    assert state is not None and state.due_at == utc(2026, 10, 27, 11, 0)
    assert state.at_risk_at == utc(2026, 10, 27, 10, 0)
    assert ela.fire_at(utc(2026, 10, 26, 16, 0)) == 0  # Monday: a holiday
    assert ela.fire_at(utc(2026, 10, 27, 9, 59, 59)) == 0
    assert ela.fire_at(utc(2026, 10, 27, 10, 0)) == 1
    assert ela.state("reply").reason == (  # type: ignore[union-attr]
        "no reply 3h of business hours after a very negative message (4h allowed)"
    )
    assert "It breaches at 2026-10-27 12:00 CET" in ela.actions(kinds=["comment"])[0]["text"]
    assert ela.fire_at(utc(2026, 10, 27, 10, 59)) == 0
    assert ela.fire_at(utc(2026, 10, 27, 11, 0)) == 1
    assert ela.state("reply").status == "breached"  # type: ignore[union-attr]


def test_an_unknown_mood_neither_starts_nor_meets_a_policy(store: Store, make_event: EventFactory) -> None:
    policies = POLICIES + "    recover: {kind: recover_by_resolution, target: neutral}\n"
    ela = Ela(store, settings_with(policies), Clock(T0))
    ela.process(make_event(text=FRENCH, minutes=1))
    assert ela.state("reply") is None and ela.state("recover") is None
    assert ela.timers() == [] and ela.fields() == {}
    ela.process(make_event(text=ANGRY, minutes=2))
    assert ela.state("recover").status == "at_risk"  # type: ignore[union-attr]
    # An unscored message after it does not lift the mood to "neutral" for the recovery target.
    ela.process(make_event(text=FRENCH, minutes=3))
    ela.process(
        make_event(EventKind.transitioned, minutes=4, status="Resolved", status_category=StatusCategory.done)
    )
    assert ela.state("recover").status == "breached"  # type: ignore[union-attr]


CHASING = POLICIES.split("  policies:\n")[0] + (
    "  policies:\n"
    "    chasing:\n"
    "      kind: chasing\n"
    "      messages: 3\n"
    "      escalate: {at_risk: {labels: [customer-chasing]}, breached: {comment: true}}\n"
)


def test_chasing_by_the_signal_is_at_risk_at_the_first_ask(store: Store, make_event: EventFactory) -> None:
    ela = Ela(store, settings_with(CHASING), Clock(T0))
    ela.process(make_event(text=CHASE, minutes=1))
    state = ela.state("chasing")
    assert state is not None and (state.status, state.reason) == (
        "at_risk",
        "the customer asked for an update",
    )
    assert [a["kind"] for a in ela.actions()] == ["labels"]
    ela.process(make_event(text="We are on it.", role=AuthorRole.agent, minutes=2))
    assert ela.state("chasing").status == "met"  # type: ignore[union-attr]
    assert ela.actions()[-1]["remove"] == ["customer-chasing"]


def test_chasing_by_count_breaches_at_the_nth_message_without_a_reply(
    store: Store, make_event: EventFactory
) -> None:
    ela = Ela(store, settings_with(CHASING), Clock(T0))
    ela.process(make_event(text=PLAIN, minutes=1))
    assert ela.state("chasing").status == "not_applicable"  # type: ignore[union-attr]
    assert "ela_status" not in ela.fields()  # nothing to show agents before a policy applies
    ela.process(make_event(text="It still does not connect.", minutes=2))
    assert ela.state("chasing").status == "at_risk"  # type: ignore[union-attr]
    ela.process(make_event(text="Still the same here.", minutes=3))
    state = ela.state("chasing")
    assert state is not None and (state.status, state.reason) == (
        "breached",
        "3 customer messages without a public reply",
    )
    [_, comment] = ela.actions()
    assert 'the policy "chasing" was breached' in comment["text"]
    ela.process(make_event(text="And again.", minutes=4))
    assert [a["kind"] for a in ela.actions()] == ["labels", "comment"]  # one chase, one escalation each


def test_recovery_is_decided_at_resolution_and_reopening_reopens_it(
    store: Store, make_event: EventFactory
) -> None:
    policies = POLICIES.split("  policies:\n")[0] + (
        "  policies:\n    recover:\n      kind: recover_by_resolution\n      target: neutral\n"
    )
    ela = Ela(store, settings_with(policies), Clock(T0))
    resolved = {"status": "Resolved", "status_category": StatusCategory.done}
    ela.process(make_event(text=ANGRY, minutes=1), make_event(text=CALM, minutes=2))
    ela.process(make_event(EventKind.transitioned, minutes=3, **resolved))
    state = ela.state("recover")
    assert state is not None and state.status == "met"
    assert state.reason.startswith("resolved with the customer's mood at Very positive")
    ela.process(
        make_event(
            EventKind.transitioned,
            minutes=4,
            status="In Progress",
            status_category=StatusCategory.indeterminate,
        )
    )
    assert ela.state("recover").status == "on_track"  # type: ignore[union-attr]
    ela.process(make_event(text=ANGRY, minutes=5))
    assert ela.state("recover").status == "at_risk"  # type: ignore[union-attr]
    ela.process(make_event(EventKind.transitioned, minutes=6, **resolved))
    assert ela.state("recover").status == "breached"  # type: ignore[union-attr]
    assert [c[2] for c in ela.changes()] == ["at_risk", "on_track", "met", "on_track", "at_risk", "breached"]


def test_a_policy_applies_to_the_tickets_its_filters_name(store: Store, make_event: EventFactory) -> None:
    scoped = POLICIES.replace(
        "      mood: negative\n",
        "      mood: negative\n      filters: {projects: [SD], priorities: [high, highest], labels: [vip, key-account]}\n",
    )
    ela = Ela(store, settings_with(scoped), Clock(T0))
    ela.process(make_event(text=ANGRY, key="SD-1", priority="High", labels=("vip",)))
    ela.process(make_event(text=ANGRY, key="SD-2", priority="Low", labels=("vip",)))
    ela.process(make_event(text=ANGRY, key="SD-3", priority="High"))
    ela.process(make_event(text=ANGRY, key="OPS-4", priority="High", labels=("vip",)))
    assert [ela.state("reply", key) is not None for key in ("SD-1", "SD-2", "SD-3", "OPS-4")] == [
        True,
        False,
        False,
        False,
    ]


def test_the_ticket_shows_the_worst_of_its_policies(store: Store, make_event: EventFactory) -> None:
    both = POLICIES + "    recover: {kind: recover_by_resolution, target: neutral}\n"
    ela = Ela(store, settings_with(both), Clock(T0))
    ela.process(make_event(text=ANGRY, minutes=0))
    # reply: on track (a wait is running); recover: at risk (the mood is below the target).
    summary = ela.summary()
    assert summary is not None and summary.status == "at_risk"
    assert ela.fields()["ela_reason"].startswith("the customer's mood is Very negative")
    assert ela.fields()["ela_due"] == "2026-11-02T13:00:00+00:00"  # the next breach among them


def test_the_evaluation_writes_only_what_changed(ela: Ela, make_event: EventFactory) -> None:
    ela.process(make_event(text=ANGRY, minutes=0))
    ela.process(make_event(EventKind.updated, minutes=1), make_event(EventKind.updated, minutes=2))
    [fields] = ela.actions(kinds=["fields"])
    assert set(fields["values"]) == {"mood", "ela_status", "ela_reason", "ela_due"}


def test_a_site_calendar_must_name_a_site_and_a_calendar() -> None:
    from connector.settings import ConfigError

    with pytest.raises(ConfigError) as caught:
        settings_with(POLICIES.replace("ela:\n", "ela:\n  site_calendars: {jira-staging: emea}\n"))
    text = str(caught.value)
    assert "site_calendars.jira-staging: no calendar named 'emea'" in text
    with pytest.raises(ConfigError, match="no site named jira-staging"):
        settings_with(
            POLICIES.replace(
                "ela:\n",
                'ela:\n  calendars: {emea: {hours: {mon-fri: "09:00-17:00"}}}\n  site_calendars: {jira-staging: emea}\n',
            )
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("within: 4h", "within: 4 hours"), "not a duration: '4 hours'"),
        (("within: 4h", "within: 0m"), "must be longer than zero"),
        (("webhooks: [ops]", "webhooks: [pager]"), "no webhook named 'pager'"),
        (("priority: High,", "priority: Urgent,"), "'Urgent' is not one of ela.priorities"),
        (("mood: negative", "mood: grumpy"), "very_negative"),
        (("kind: respond_to_negative", "kind: respond_fast"), "respond_to_negative"),
        (("    reply:\n", "    Reply Policy:\n"), "names are lower-case letters"),
        (("labels: [ela-at-risk]", "labels: [at risk]"), "labels cannot hold spaces"),
        (
            ("      mood: negative\n", "      mood: negative\n      filters: {sites: [jira-stage]}\n"),
            "no site named jira-stage",
        ),
    ],
)
def test_bad_policies_are_refused_with_the_reason(change: tuple[str, str], message: str) -> None:
    from connector.settings import ConfigError

    with pytest.raises(ConfigError, match=message):
        settings_with(POLICIES.replace(*change))


def test_late_processing_still_dates_the_breach_at_its_due_time(ela: Ela, make_event: EventFactory) -> None:
    ela.process(make_event(text=ANGRY, minutes=0))
    # The worker was down: the agent's reply (after the due time) is processed before the timers fire.
    ela.process(make_event(text="Sorry for the delay", role=AuthorRole.agent, minutes=300))
    state = ela.state("reply")
    assert state is not None and (state.status, state.breached_at) == ("breached", later(T0, hours=4))
    assert ela.fire_at(later(T0, hours=6)) == 0
    assert ela.timers() == [("at_risk", "cancelled"), ("breached", "cancelled")]
    # No timer fired: the verdict came with the reply itself, and so did the breach's escalation.
    assert ela.audits() == ["ela.escalated.breached"]


def test_timers_fire_at_the_scheduled_moment_whatever_the_queue_delay(
    ela: Ela, make_event: EventFactory
) -> None:
    ela.process(make_event(text=ANGRY, minutes=0))
    assert ela.fire_at(later(T0, days=2)) == 2
    with ela.store.session() as session:
        from sqlalchemy import select

        from connector.store.models import ElaChange

        moments = [c.at for c in session.scalars(select(ElaChange).order_by(ElaChange.id))]
    assert moments == [T0, later(T0, hours=3), later(T0, hours=4)]
    assert timedelta(hours=4) == moments[-1] - moments[0]


def test_csat_target_reads_survey_answers_stored_as_events(store: Store, make_event: EventFactory) -> None:
    from adapters.events import SurveyAnswer, Ticket, TicketEvent
    from connector.processor import EventProcessor
    from tests.connector.deliveries import delivered

    policies = POLICIES.split("  policies:\n")[0] + (
        "  policies:\n"
        "    satisfied:\n"
        "      kind: csat_target\n"
        "      target: 4\n"
        "      survey: after-resolution\n"
        "      escalate: {breached: {comment: true}}\n"
    )
    settings = settings_with(policies)
    ela = Ela(store, settings, Clock(T0))
    ela.process(
        make_event(EventKind.transitioned, minutes=0, status="Resolved", status_category=StatusCategory.done)
    )

    def answer(score: int, n: int) -> TicketEvent:
        moment = later(T0, hours=n)
        return TicketEvent(
            platform="jira",
            site="jira-prod",
            event_id=f"survey:send-{n}:answered",
            kind=EventKind.survey_answered,
            ticket=Ticket(key="SD-1"),
            survey=SurveyAnswer(
                survey="after-resolution",
                send_id=f"send-{n}",
                kind="csat",
                score=score,
                scale_min=1,
                scale_max=5,
                answered_at=moment,
            ),
            occurred_at=moment,
        )

    processor = EventProcessor(settings, store, ela.pipeline, "w1")
    for event in (answer(2, 1), answer(2, 1)):  # the second is the same answer delivered again
        with store.session() as session:
            delivered(session, event, webhook_event="survey_answered")
    assert processor.process_once().processed == 1
    state = ela.state("satisfied")
    assert state is not None and (state.status, state.reason) == (
        "breached",
        "CSAT 2 of 5, below the target 4",
    )
    assert [a["kind"] for a in ela.actions()] == ["comment"]
    assert ela.fields()["ela_status"] == "Breached"
    with store.session() as session:
        delivered(session, answer(5, 2), key="again", webhook_event="survey_answered", body=b"{}")
    assert processor.process_once().processed == 1
    assert ela.state("satisfied").status == "met"  # type: ignore[union-attr]
    assert ela.fields()["ela_status"] == "Met"
