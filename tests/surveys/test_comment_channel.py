"""A survey by public comment, its whole life against the Jira simulator, on a controlled clock."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from connector.store import outbox as queue
from connector.store.models import EventRow, MoodEntry, OutboxAction, SurveySend, TicketRow
from simulators.jira.testing import client
from tests.surveys.browser import Customer, rating_links
from tests.surveys.conftest import AGENT, CUSTOMER, CUSTOMER2, Desk

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)


def survey_comments(desk: Desk, key: str) -> list[dict[str, Any]]:
    return [c for c in desk.comments(key) if "/s/" in str(c.get("body"))]


def body(comment: dict[str, Any]) -> str:
    return str(comment["body"])


def sent_links(desk: Desk, key: str) -> dict[int, str]:
    [comment] = survey_comments(desk, key)[:1]
    return rating_links(body(comment))


def test_sent_after_its_delay_answered_with_one_click_and_written_back(make_desk: Any) -> None:
    desk: Desk = make_desk()
    key = desk.raise_and_resolve("Printer jams")
    [send] = desk.sends(key)
    assert send.state == "scheduled" and send.assignee_id is None and send.requester_email == CUSTOMER
    desk.later(59 * MINUTE)
    assert desk.sends(key)[0].state == "scheduled" and survey_comments(desk, key) == []
    desk.later(2 * MINUTE)
    [send] = desk.sends(key)
    assert send.state == "sent"
    [comment] = survey_comments(desk, key)
    assert comment["jsdPublic"] is True  # public: Jira mails it to the customer
    assert "How satisfied are you with how we handled" in body(comment) and "Printer jams" in body(comment)
    links = sent_links(desk, key)
    assert sorted(links) == [1, 2, 3, 4, 5]
    assert desk.fields(key)["survey_status"] == "Sent"

    customer = Customer()
    page = customer.click(links[4])
    assert page.status == 200 and "Your rating: <strong>4</strong>" in page.text
    desk.settle()
    assert desk.fields(key)["csat_score"] == 4
    assert desk.fields(key)["survey_status"] == "Answered"
    assert customer.comment(links[4], "Quick and friendly, thank you so much!").status_code == 200
    desk.settle()
    fields = desk.fields(key)
    assert fields["survey_comment"] == "Quick and friendly, thank you so much!"
    assert fields["mood"] in ("Positive", "Very positive")  # the comment joined the mood timeline
    with desk.runtime.store.session() as session:
        entries = session.scalars(select(MoodEntry.comment_id)).all()
    assert entries == [f"survey:{send.id}"]
    actions = [a for a, _ in desk.audit()]
    assert actions == ["survey.scheduled", "survey.sent", "survey.answered", "survey.answer_changed"]
    metrics = desk.runtime.app().test_client().get("/metrics").get_data(as_text=True)
    assert 'ela_survey_sends{state="answered",survey="csat"} 1.0' in metrics


def test_reminders_at_most_n_then_expiry_closes_the_links(make_desk: Any) -> None:
    desk: Desk = make_desk()
    key = desk.raise_and_resolve()
    desk.later(HOUR + MINUTE)
    desk.later(2 * DAY)
    assert desk.sends(key)[0].state == "reminded"
    [_, reminder] = survey_comments(desk, key)
    assert body(reminder).startswith("A reminder: we would still like to hear how we did.")
    assert rating_links(body(reminder)) == sent_links(desk, key)  # the same links
    assert desk.fields(key)["survey_status"] == "Reminded"
    desk.later(2 * DAY + MINUTE)
    assert len(survey_comments(desk, key)) == 2  # reminders: 1
    desk.later(3 * DAY)
    [send] = desk.sends(key)
    assert send.state == "expired"
    assert desk.fields(key)["survey_status"] == "Expired"
    page = Customer().open(sent_links(desk, key)[5])
    assert (page.status, page.problem) == (410, "expired")
    assert desk.sends(key)[0].score is None


def test_the_delay_sends_only_if_the_ticket_is_still_resolved(make_desk: Any) -> None:
    desk: Desk = make_desk()
    key = desk.raise_and_resolve()
    # The ticket left the done category in a way no transition told us of (e.g. a status edited by an
    # admin without a webhook): the send checks the ticket's state when its delay is over.
    with desk.runtime.store.session() as session:
        row = session.scalars(select(TicketRow).where(TicketRow.key == key)).one()
        row.status_category = "indeterminate"
    desk.later(HOUR + MINUTE)
    [send] = desk.sends(key)
    assert (send.state, send.reason) == ("cancelled", "no longer resolved")
    assert survey_comments(desk, key) == []


def test_a_reopened_ticket_cancels_its_survey_and_is_surveyed_again_at_the_next_resolution(
    make_desk: Any,
) -> None:
    desk: Desk = make_desk()
    key = desk.raise_and_resolve()
    desk.later(HOUR + MINUTE)
    first_links = sent_links(desk, key)
    desk.jira.transition(key, "Waiting for support", actor=AGENT)
    desk.settle()
    [first] = desk.sends(key)
    assert (first.state, first.reason) == ("cancelled", "reopened")
    assert desk.fields(key)["survey_status"] == "Cancelled"
    page = Customer().click(first_links[5])
    assert (page.status, page.problem) == (410, "closed")
    desk.jira.transition(key, "Resolved", actor=AGENT)
    desk.settle()
    desk.jira.transition(key, "Closed", actor=AGENT)  # within the done category: no new survey
    desk.settle()
    assert [s.state for s in desk.sends(key)] == ["cancelled", "scheduled"]
    desk.later(HOUR + MINUTE)
    assert [s.state for s in desk.sends(key)] == ["cancelled", "sent"]
    assert len(survey_comments(desk, key)) == 2


def test_on_reopen_once_never_surveys_the_ticket_again(make_desk: Any) -> None:
    desk: Desk = make_desk("- {name: csat, kind: csat, on_reopen: once, throttle: null}")
    key = desk.raise_and_resolve()
    desk.jira.transition(key, "Waiting for support", actor=AGENT)
    desk.settle()
    desk.jira.transition(key, "Resolved", actor=AGENT)
    desk.settle()
    assert [(s.state, s.reason) for s in desk.sends(key)] == [
        ("cancelled", "reopened"),
        ("skipped", "surveyed before (on_reopen: once)"),
    ]


def test_the_throttle_holds_across_tickets_and_surveys(make_desk: Any) -> None:
    desk: Desk = make_desk(
        """
        - {name: csat, kind: csat, throttle: 30d}
        - {name: effort, kind: ces, throttle: 30d, trigger: {request_types: [Get IT help]}}
        """
    )
    first = desk.raise_and_resolve("One", request_type="Get IT help")
    second = desk.raise_and_resolve("Two", request_type="Report a system problem")
    other = desk.raise_and_resolve("Three", reporter=CUSTOMER2, request_type="Report a system problem")
    desk.later(HOUR + MINUTE)
    states = {(s.ticket_key, s.survey): (s.state, s.reason) for s in desk.sends()}
    sent = [k for k, v in states.items() if v == ("sent", None)]
    throttled = [k for k, v in states.items() if v == ("skipped", "throttled")]
    # Casey gets one survey of the three due for her; Robin gets his.
    assert len(sent) == 2 and (other, "csat") in sent
    assert len(throttled) == 2 and all(k[0] in (first, second) for k in throttled)
    desk.later(31 * DAY)
    fourth = desk.raise_and_resolve("Four")
    desk.later(HOUR + MINUTE)
    assert desk.sends(fourth)[0].state == "sent"  # the window has passed


def test_sampling_is_deterministic_per_ticket(make_desk: Any) -> None:
    desk: Desk = make_desk("- {name: csat, kind: csat, sample: 50, throttle: null}")
    keys = [desk.raise_and_resolve(f"Ticket {n}") for n in range(12)]
    first = {s.ticket_key: s.state for s in desk.sends()}
    assert 0 < sum(state == "skipped" for state in first.values()) < 12
    assert {s.reason for s in desk.sends() if s.state == "skipped"} == {"sampled out (50%)"}
    for key in keys[:6]:
        desk.jira.transition(key, "Waiting for support", actor=AGENT)
        desk.jira.transition(key, "Resolved", actor=AGENT)
    desk.settle()
    again = [s for s in desk.sends() if s.id > max(s.id for s in desk.sends() if s.ticket_key == keys[-1])]
    assert {s.ticket_key: s.state == "skipped" for s in again} == {k: first[k] == "skipped" for k in keys[:6]}


def test_exclusions_skip_with_their_reason(make_desk: Any) -> None:
    desk: Desk = make_desk(
        """
        - name: csat
          kind: csat
          throttle: null
          exclude: {labels: [policy-denial], request_types: [Request new hardware], domains: [vip.example]}
        """
    )
    desk.jira.add_user("Val VIP", "val@vip.example", account_type="customer")
    labelled = desk.raise_and_resolve("Denied", fields={"labels": ["policy-denial"]})
    hardware = desk.raise_and_resolve("Laptop", request_type="Request new hardware")
    vip = desk.raise_and_resolve("VIP", reporter="val@vip.example")
    plain = desk.raise_and_resolve("Plain")
    reasons = {s.ticket_key: (s.state, s.reason) for s in desk.sends()}
    assert reasons == {
        labelled: ("skipped", "excluded: label policy-denial"),
        hardware: ("skipped", "excluded: request type Request new hardware"),
        vip: ("skipped", "excluded: requester domain vip.example"),
        plain: ("scheduled", None),
    }


def test_tickets_resolved_too_quickly_are_excluded(make_desk: Any) -> None:
    desk: Desk = make_desk("- {name: csat, kind: csat, exclude: {resolved_within: 10m}}")
    key = desk.jira.create_issue("SUP", "Quick one", reporter=CUSTOMER)
    desk.jira.transition(key, "Resolved", actor=AGENT)
    slow = desk.jira.create_issue("SUP", "Slow one", reporter=CUSTOMER2)
    desk.jira.advance_clock(20 * 60)
    desk.jira.transition(slow, "Resolved", actor=AGENT)
    desk.settle()
    assert {s.ticket_key: s.reason for s in desk.sends()} == {
        key: "excluded: resolved too quickly",
        slow: None,
    }


def test_a_double_click_and_a_prefetch_record_one_answer(make_desk: Any) -> None:
    desk: Desk = make_desk()
    key = desk.raise_and_resolve()
    desk.later(HOUR + MINUTE)
    links = sent_links(desk, key)
    scanner = Customer()
    for url in links.values():  # a mail scanner opens every link of the message
        assert scanner.open(url).status == 200
        assert scanner.http.head(url, timeout=10).status_code == 200
        assert scanner.open(url, Purpose="prefetch").data("record") == "0"
    assert desk.sends(key)[0].state == "sent"
    customer = Customer()
    customer.click(links[5])
    customer.click(links[5])  # the second click of a double click, and a reload
    again = customer.post(
        links[5].split("?")[0] + "/answer", {"r": "5", "csrf": customer.open(links[5]).data("csrf") or ""}
    )
    assert again.json()["outcome"] == "unchanged"
    desk.settle()
    [send] = desk.sends(key)
    assert (send.state, send.score, send.answers) == ("answered", 5, 1)
    with desk.runtime.store.session() as session:
        answered = session.scalars(select(EventRow).where(EventRow.kind == "survey_answered")).all()
    assert len(answered) == 1
    assert [a for a, _ in desk.audit()].count("survey.answered") == 1


def test_a_later_click_changes_the_rating_and_a_low_score_follows_up_once(make_desk: Any) -> None:
    desk: Desk = make_desk()
    key = desk.raise_and_resolve()
    desk.later(HOUR + MINUTE)
    links = sent_links(desk, key)
    customer = Customer()
    customer.click(links[1])
    customer.comment(links[1], "Nobody told me anything for days. Really poor.")
    desk.settle()
    customer.click(links[2])
    desk.settle()
    assert desk.fields(key)["csat_score"] == 2
    assert [c for c in desk.comments(key) if c.get("jsdPublic") is False] == []  # not yet: 5 minutes
    desk.later(6 * MINUTE)
    internal = [c for c in desk.comments(key) if c.get("jsdPublic") is False]
    assert len(internal) == 1
    assert f"on {key} with 2 on a scale of 1-5" in internal[0]["body"]
    assert "Nobody told me anything for days" in internal[0]["body"]
    assert "survey-low-score" in desk.jira.issue(key).fields["labels"]
    customer.click(links[5])
    desk.later(6 * MINUTE)
    assert desk.fields(key)["csat_score"] == 5
    assert len([c for c in desk.comments(key) if c.get("jsdPublic") is False]) == 1  # once per send
    changes = [json.loads(d) for a, d in desk.audit() if a == "survey.answer_changed"]
    assert [(c["previous"], c["score"]) for c in changes] == [(1, 1), (1, 2), (2, 5)]


def test_two_answers_racing_both_count_and_the_latest_wins(make_desk: Any) -> None:
    desk: Desk = make_desk()
    key = desk.raise_and_resolve()
    desk.later(HOUR + MINUTE)
    links = sent_links(desk, key)
    people = [Customer(), Customer()]
    pages = [p.open(links[3 + n]) for n, p in enumerate(people)]
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def answer(n: int) -> None:
        barrier.wait()
        form = {"r": str(3 + n), "csrf": pages[n].data("csrf") or ""}
        outcomes.append(people[n].post(links[3].split("?")[0] + "/answer", form).json())

    threads = [threading.Thread(target=answer, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o["answer"] for o in outcomes) == [1, 2]
    desk.settle()
    [send] = desk.sends(key)
    latest = next(o for o in outcomes if o["answer"] == 2)
    assert (send.answers, send.score) == (2, latest["score"])
    assert desk.fields(key)["csat_score"] == latest["score"]
    assert [a for a, _ in desk.audit()][-2:] == ["survey.answered", "survey.answer_changed"]


def test_tampered_unknown_and_forged_requests_get_friendly_pages(make_desk: Any) -> None:
    desk: Desk = make_desk()
    key = desk.raise_and_resolve()
    desk.later(HOUR + MINUTE)
    link = sent_links(desk, key)[4]
    base, query = link.split("?")
    token = base.rsplit("/", 1)[1]
    customer = Customer()
    # One character of the signed part changed (the first: the last may only carry base64 padding bits).
    flipped = ("B" if token[0] == "A" else "A") + token[1:]
    tampered = customer.open(f"{desk.pages}/s/{flipped}?{query}")
    assert (tampered.status, tampered.problem) == (400, "tampered")
    assert "This link is damaged" in tampered.text
    forged = desk.runtime.surveys.tokens
    assert forged is not None
    send = desk.sends(key)[0]
    assert send.expires_at is not None
    unknown = customer.open(f"{desk.pages}/s/{forged.make(send.id + 99, send.expires_at)}?r=4")
    assert (unknown.status, unknown.problem) == (404, "unknown")
    assert customer.open(f"{base}?r=9").problem == "bad_rating"
    no_cookie = Customer().post(base + "/answer", {"r": "4", "csrf": customer.open(link).data("csrf") or ""})
    assert no_cookie.status_code == 400 and 'data-problem="csrf"' in no_cookie.text
    assert customer.post(base + "/answer", {"r": "4", "csrf": "0" * 64}).status_code == 400
    assert desk.sends(key)[0].answers == 0
    assert token  # the link's token is all the page needs: no login


def test_the_answer_is_credited_to_the_assignee_at_resolution(make_desk: Any) -> None:
    desk: Desk = make_desk()
    key = desk.jira.create_issue("SUP", "Monitor", reporter=CUSTOMER)
    alex = desk.jira.user(AGENT).account_id
    sam = desk.jira.user("sam.support@example.com").account_id
    admin = client(desk.jira, "admin")
    assert admin.put(f"/rest/api/3/issue/{key}", json={"fields": {"assignee": {"accountId": alex}}}).ok
    desk.jira.transition(key, "Resolved", actor=AGENT)
    desk.settle()
    # Reassigned after the resolution: the credit stays with who resolved it.
    assert admin.put(f"/rest/api/3/issue/{key}", json={"fields": {"assignee": {"accountId": sam}}}).ok
    desk.settle()
    desk.later(HOUR + MINUTE)
    Customer().click(sent_links(desk, key)[5])
    desk.settle()
    [send] = desk.sends(key)
    assert (send.assignee_id, send.assignee_name, send.score) == (alex, "Alex Agent", 5)


def test_a_worker_killed_mid_send_posts_the_survey_comment_once(make_desk: Any) -> None:
    desk: Desk = make_desk()
    key = desk.raise_and_resolve()
    desk.clock.advance(HOUR + MINUTE)
    desk.jira.advance_clock(3660)
    desk.runtime.due.run_once()  # the send is due: its comment is in the outbox
    store = desk.runtime.store
    with store.session() as session:
        [lane] = queue.claim(session, "doomed-worker", 10, timedelta(milliseconds=200))
    [action] = [a for a in lane.actions if a.kind == "comment"]
    with store.session() as session:
        begun = queue.begin(session, action, "doomed-worker")
    assert begun is not None
    writer = desk.runtime.writers("jira")
    assert writer is not None
    writer.add_comment(key, str(action.payload["text"]), public=True)  # Jira took it; the worker died
    threading.Event().wait(0.3)  # its lease runs out
    desk.settle()
    assert len(survey_comments(desk, key)) == 1
    with store.session() as session:
        row = session.get(OutboxAction, action.id)
        assert row is not None and row.state == "done"
        send = session.scalars(select(SurveySend)).one()
    assert send.state == "sent"
    assert "comment.reconciled" in [a for a, _ in desk.audit("comment.")]


def test_a_low_score_can_open_a_follow_up_issue_once_even_after_a_crash(make_desk: Any) -> None:
    desk: Desk = make_desk(
        "- {name: csat, kind: csat, follow_up: {threshold: 2, internal_comment: false, label: null,"
        " issue: {project: DEV, issue_type: Task}}}"
    )
    key = desk.raise_and_resolve("Shared drive gone")
    desk.later(HOUR + MINUTE)
    customer = Customer()
    customer.click(sent_links(desk, key)[1])
    customer.comment(sent_links(desk, key)[1], "Three days without my files.")
    desk.settle()
    desk.clock.advance(6 * MINUTE)
    desk.runtime.due.run_once()  # the follow-up is due: its issue is in the outbox
    store = desk.runtime.store
    with store.session() as session:
        [lane] = queue.claim(session, "doomed-worker", 10, timedelta(milliseconds=200))
    [action] = [a for a in lane.actions if a.kind == "issue"]
    with store.session() as session:
        begun = queue.begin(session, action, "doomed-worker")
    assert begun is not None
    writer = desk.runtime.writers("jira")
    assert writer is not None
    payload = action.payload
    made = writer.create_issue(  # Jira created it; the worker died before it could record that
        payload["project"],
        payload["issue_type"],
        payload["summary"],
        payload["description"],
        labels=[payload["marker"], *payload["labels"]],
    )
    threading.Event().wait(0.3)
    desk.settle()
    dev = [k for k in desk.jira.site.state.issues if k.startswith("DEV-")]
    assert dev == [made]
    issue = desk.jira.issue(made)
    assert issue.fields["summary"] == f"Low CSAT score on {key}: 1 of 5"
    assert "Three days without my files." in str(issue.fields["description"])
    assert "survey-follow-up" in issue.fields["labels"]
    with store.session() as session:
        row = session.get(OutboxAction, action.id)
        assert row is not None and (row.state, row.result) == ("done", made)
    assert "issue.reconciled" in [a for a, _ in desk.audit("issue.")]
