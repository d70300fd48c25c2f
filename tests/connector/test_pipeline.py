"""What each kind of TicketEvent does to the store, with the real scorer and a real database."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from adapters.events import AuthorRole, EventKind, Person
from connector.pipeline import Pipeline
from connector.settings import Settings, parse_settings
from connector.store import Store
from connector.store.models import MoodEntry, OutboxAction, TicketRow
from sentiment import score
from sentiment.engines import get_engine

CONFIG = """
sites:
  jira-prod:
    platform: jira
    url: https://example.atlassian.net
    auth: {email: bot@example.com, api_token: token-1234567890}
    webhook: {secret: s3cret-s3cret-s3cret}
    fields: {mood: Customer mood, mood_score: Mood score, mood_trend: Mood trend, initial_mood: First mood}
  quiet:
    platform: jira
    url: https://quiet.atlassian.net
    auth: {email: bot@example.com, api_token: token-1234567890}
    webhook: {secret: s3cret-s3cret-s3cret}
"""

ANGRY = "This is still broken and nobody answers. Completely unacceptable!"
CALM = "Thank you, that works now. Great help!"


@pytest.fixture
def settings() -> Settings:
    return parse_settings(CONFIG, env={})


@pytest.fixture
def pipeline(settings: Settings) -> Pipeline:
    return Pipeline(settings, get_engine("textblob"))


def run(store: Store, pipeline: Pipeline, *events):  # type: ignore[no-untyped-def]
    outcomes = []
    for event in events:
        with store.session() as session:
            outcomes.append(pipeline.process(session, event))
    return outcomes


def pending_values(store: Store, key: str = "SD-1") -> dict | None:
    with store.session() as session:
        row = session.scalars(
            select(OutboxAction).where(
                OutboxAction.ticket_key == key, OutboxAction.kind == "fields", OutboxAction.state == "pending"
            )
        ).one_or_none()
        return json.loads(row.payload)["values"] if row else None


def ticket(store: Store, key: str = "SD-1") -> TicketRow:
    with store.session() as session:
        return session.scalars(select(TicketRow).where(TicketRow.key == key)).one()


def test_customer_comments_build_the_timeline_and_queue_the_fields(store, pipeline, make_event) -> None:  # type: ignore[no-untyped-def]
    angry, calm = score(ANGRY).polarity, score(CALM).polarity
    assert angry < -0.1 < 0.1 < calm  # the story only makes sense if the scorer reads it so
    outcomes = run(store, pipeline, make_event(text=ANGRY), make_event(text=CALM))
    assert [o.scored for o in outcomes] == [angry, calm]
    row = ticket(store)
    assert (row.baseline_polarity, row.current_polarity, row.lowest_polarity) == (angry, calm, angry)
    assert (row.trend, row.customer_messages) == ("improving", 2)
    values = pending_values(store)
    assert values is not None
    assert values["mood_score"] == round(calm, 3)
    assert values["mood_trend"] == "Improving"
    assert values["initial_mood"] in ("Negative", "Very negative")
    assert values["mood"] in ("Positive", "Very positive")


def test_agent_and_system_comments_are_not_scored(store, pipeline, make_event) -> None:  # type: ignore[no-untyped-def]
    run(
        store,
        pipeline,
        make_event(text="We are looking into it, sorry!", role=AuthorRole.agent),
        make_event(text="Automatic reply: received.", role=AuthorRole.system),
    )
    assert ticket(store).customer_messages == 0
    assert pending_values(store) is None


def test_an_edited_comment_is_rescored_in_place(store, pipeline, make_event) -> None:  # type: ignore[no-untyped-def]
    run(store, pipeline, make_event(text=CALM, comment_id="c1"))
    run(store, pipeline, make_event(EventKind.comment_edited, text=ANGRY, comment_id="c1"))
    with store.session() as session:
        entries = list(session.scalars(select(MoodEntry)))
    assert [(e.comment_id, e.polarity) for e in entries] == [("c1", score(ANGRY).polarity)]


def test_deleting_comments_recomputes_then_clears(store, pipeline, make_event) -> None:  # type: ignore[no-untyped-def]
    run(store, pipeline, make_event(text=ANGRY, comment_id="c1"), make_event(text=CALM, comment_id="c2"))
    run(store, pipeline, make_event(EventKind.comment_deleted, comment_id="c2"))
    assert ticket(store).current_polarity == score(ANGRY).polarity
    run(store, pipeline, make_event(EventKind.comment_deleted, comment_id="c1"))
    assert pending_values(store) == {
        "mood": None,
        "mood_score": None,
        "initial_mood": None,
        "mood_trend": None,
    }
    assert ticket(store).customer_messages == 0


QUOTED_ONLY = "{quote}This is broken and awful, nobody helps.{quote}"
LOG_ONLY = "{code}error: fatal failure, crash, killed{code}"
REPLY_ONLY = "On Mon, 3 Jun 2024 at 10:00, Agent <agent@example.com> wrote:\n> Have you tried turning it off?"


@pytest.mark.parametrize("text", ["   ", QUOTED_ONLY, LOG_ONLY, REPLY_ONLY])
def test_a_comment_with_nothing_of_the_customers_own_words_is_not_scored(
    store, pipeline, make_event, text
) -> None:  # type: ignore[no-untyped-def]
    # a quote, a log or a forwarded reply is not a neutral customer: it is no point of the timeline
    [outcome] = run(store, pipeline, make_event(text=text))
    assert outcome.scored is None
    assert pending_values(store) is None
    assert ticket(store).customer_messages == 0


def test_a_comment_edited_down_to_a_quote_leaves_the_timeline(store, pipeline, make_event) -> None:  # type: ignore[no-untyped-def]
    run(store, pipeline, make_event(text=CALM, comment_id="c1"), make_event(text=ANGRY, comment_id="c2"))
    run(store, pipeline, make_event(EventKind.comment_edited, text=QUOTED_ONLY, comment_id="c2"))
    with store.session() as session:
        live = session.scalars(select(MoodEntry).where(MoodEntry.deleted.is_(False)))
        assert [e.comment_id for e in live] == ["c1"]
    assert ticket(store).current_polarity == score(CALM).polarity


def test_a_deleted_ticket_cancels_its_pending_write_back(store, pipeline, make_event) -> None:  # type: ignore[no-untyped-def]
    run(store, pipeline, make_event(text=ANGRY), make_event(EventKind.deleted))
    assert pending_values(store) is None
    assert ticket(store).deleted is True


def test_a_site_without_mapped_fields_queues_nothing(store, pipeline, make_event) -> None:  # type: ignore[no-untyped-def]
    [outcome] = run(store, pipeline, make_event(text=ANGRY, site="quiet"))
    assert outcome.scored is not None and outcome.queued is None
    assert pending_values(store) is None


def test_partial_snapshots_merge_and_older_events_do_not_roll_back(store, pipeline, make_event) -> None:  # type: ignore[no-untyped-def]
    requester = Person(id="cust-1", name="Casey")
    run(
        store,
        pipeline,
        make_event(
            EventKind.created, minutes=1, status="Waiting for support", priority="High", requester=requester
        ),
        make_event(EventKind.updated, minutes=5, status="In progress"),
        make_event(EventKind.updated, minutes=3, status="Escalated"),  # a late retry of an older delivery
    )
    row = ticket(store)
    assert (row.status, row.priority, row.requester_id) == ("In progress", "High", "cust-1")


def test_a_slim_comment_payload_is_attributed_with_what_the_store_knows(store, pipeline, make_event) -> None:  # type: ignore[no-untyped-def]
    # Jira Cloud's comment_created carries an issue without its reporter, so the adapter could only
    # say "agent"; the ticket stored from an earlier event names the requester.
    casey = Person(id="casey", name="Casey")
    run(store, pipeline, make_event(EventKind.created, requester=casey))
    [outcome] = run(store, pipeline, make_event(text=ANGRY, role=AuthorRole.agent, author=casey))
    assert outcome.scored == score(ANGRY).polarity
    [other] = run(store, pipeline, make_event(text=ANGRY, role=AuthorRole.agent))
    assert other.scored is None  # a real agent stays an agent


def test_customer_groups_are_looked_up_once_and_cached(store, make_event) -> None:  # type: ignore[no-untyped-def]
    import responses

    from adapters.jira.writer import JiraTarget, JiraWriter
    from connector.directory import GroupCache

    settings = parse_settings(
        CONFIG.replace("fields: {mood:", "customers: {groups: [Portal Customers]}\n    fields: {mood:"),
        env={},
    )
    writer = JiraWriter(
        JiraTarget(url="https://example.atlassian.net", email="bot@example.com", api_token="t")
    )
    pipeline = Pipeline(settings, get_engine("textblob"), GroupCache(lambda site: writer))
    member, staff = Person(id="acc-member", name="Member"), Person(id="acc-staff", name="Staff")
    groups_url = "https://example.atlassian.net/rest/api/3/user/groups"
    with responses.RequestsMock() as jira:
        jira.get(
            groups_url,
            match=[responses.matchers.query_param_matcher({"accountId": "acc-member"})],
            json=[{"name": "portal customers", "groupId": "g1"}],
        )
        jira.get(
            groups_url,
            match=[responses.matchers.query_param_matcher({"accountId": "acc-staff"})],
            json=[{"name": "jira-servicedesk-users", "groupId": "g2"}],
        )
        outcomes = run(
            store,
            pipeline,
            make_event(text=ANGRY, role=AuthorRole.agent, author=member),
            make_event(text=CALM, role=AuthorRole.agent, author=member),
            make_event(text=ANGRY, role=AuthorRole.agent, author=staff),
        )
        assert len(jira.calls) == 2  # one lookup per author, then the cache answers
    assert [o.scored is not None for o in outcomes] == [True, True, False]


def test_a_survey_send_credits_the_assignee_and_their_team_at_resolution(store, make_event) -> None:  # type: ignore[no-untyped-def]
    import responses

    from adapters.events import StatusCategory, Transition
    from adapters.jira.writer import JiraTarget, JiraWriter
    from connector.directory import GroupCache
    from connector.store.models import SurveySend

    settings = parse_settings(
        CONFIG
        + "survey_pages: {secret: survey-secret-0123456789-0123456789}\n"
        + "surveys:\n  - {name: csat, kind: csat, teams: [Network Team, Service Desk]}\n",
        env={},
    )
    writer = JiraWriter(
        JiraTarget(url="https://example.atlassian.net", email="bot@example.com", api_token="t")
    )
    pipeline = Pipeline(settings, get_engine("textblob"), GroupCache(lambda site: writer))
    alex = Person(id="acc-alex", name="Alex Agent")
    resolved = make_event(
        EventKind.transitioned,
        requester=Person(id="casey", name="Casey", email="casey@customer.example"),
        assignee=alex,
        status="Resolved",
        status_category=StatusCategory.done,
    ).model_copy(update={"transition": Transition(to_status="Resolved", to_category=StatusCategory.done)})
    with responses.RequestsMock() as jira:
        jira.get(
            "https://example.atlassian.net/rest/api/3/user/groups",
            match=[responses.matchers.query_param_matcher({"accountId": "acc-alex"})],
            json=[{"name": "jira-servicedesk-users"}, {"name": "service desk"}, {"name": "network team"}],
        )
        run(store, pipeline, resolved)
    with store.session() as session:
        [send] = session.scalars(select(SurveySend))
    # The first configured team the assignee is in, whatever the platform's order of groups.
    assert (send.assignee_id, send.assignee_name, send.team) == ("acc-alex", "Alex Agent", "Network Team")


def test_a_resolution_payload_without_the_address_uses_what_the_store_knows(store, make_event) -> None:  # type: ignore[no-untyped-def]
    from adapters.events import StatusCategory, Transition
    from connector.store.models import SurveySend

    settings = parse_settings(
        CONFIG
        + "smtp: {host: 127.0.0.1, security: none}\n"
        + "survey_pages: {secret: survey-secret-0123456789-0123456789}\n"
        + "surveys:\n  - {name: mail, kind: ces, channel: email}\n",
        env={},
    )
    pipeline = Pipeline(settings, get_engine("textblob"))
    casey = Person(id="casey", name="Casey", email="casey@customer.example")
    created = make_event(EventKind.created, requester=casey)
    resolved = make_event(
        EventKind.transitioned,
        requester=Person(id="casey", name="Casey"),  # this payload hides the address
        status="Resolved",
        status_category=StatusCategory.done,
    ).model_copy(update={"transition": Transition(to_status="Resolved", to_category=StatusCategory.done)})
    run(store, pipeline, created, resolved)
    with store.session() as session:
        [send] = session.scalars(select(SurveySend))
    assert (send.state, send.requester_email) == ("scheduled", "casey@customer.example")
