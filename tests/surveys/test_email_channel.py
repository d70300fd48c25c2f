"""Surveys by e-mail over a real SMTP exchange (aiosmtpd on loopback): the whole life, at most once
when a worker dies mid-send, refusals, and relationship surveys on their cron schedule."""

from __future__ import annotations

import threading
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select

from connector.store import outbox as queue
from connector.store.models import DueWork, OutboxAction
from connector.surveys.channels import EMAIL_KIND
from connector.surveys.email import EmailSender
from tests.surveys.browser import Customer, rating_links
from tests.surveys.conftest import CUSTOMER, CUSTOMER2, Desk

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
EMAIL = (
    "- {name: csat-mail, kind: csat, channel: email, timing: {delay: 1h, reminders: 1, reminder_after: 2d}}"
)


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_an_email_survey_from_send_to_answer(make_desk: Any) -> None:
    desk: Desk = make_desk(EMAIL)
    key = desk.raise_and_resolve("Laptop will not boot")
    desk.later(HOUR + MINUTE)
    [message] = desk.inbox.messages
    assert message["To"] == CUSTOMER and message["From"] == "IT Desk <desk@example.com>"
    assert message["Subject"] == f"How did we do? {key}: Laptop will not boot"
    assert message["Auto-Submitted"] == "auto-generated"
    text, html = parts(message)
    links = rating_links(text)
    assert sorted(links) == [1, 2, 3, 4, 5]
    assert all(url.replace("&", "&amp;") in html for url in links.values())
    assert "Hello Casey Customer" in text
    [send] = desk.sends(key)
    assert (send.state, send.delivery) == ("sent", "delivered")
    assert [c for c in desk.comments(key) if "/s/" in str(c["body"])] == []  # not on the ticket
    desk.later(2 * DAY)
    [_, reminder] = desk.inbox.messages
    assert reminder["Subject"].startswith("Reminder: How did we do?")
    assert rating_links(parts(reminder)[0]) == links
    assert reminder["Message-ID"] != message["Message-ID"]
    Customer().click(links[3])
    desk.settle()
    assert desk.fields(key)["csat_score"] == 3
    assert desk.sends(key)[0].state == "answered"


def test_a_worker_killed_mid_email_never_sends_it_twice(make_desk: Any) -> None:
    desk: Desk = make_desk(EMAIL)
    key = desk.raise_and_resolve()
    desk.clock.advance(HOUR + MINUTE)
    desk.runtime.due.run_once()
    store = desk.runtime.store
    with store.session() as session:
        [lane] = queue.claim(session, "doomed-worker", 10, timedelta(milliseconds=200))
    [action] = [a for a in lane.actions if a.kind == EMAIL_KIND]
    with store.session() as session:
        begun = queue.begin(session, action, "doomed-worker")
    assert begun is not None
    smtp = desk.settings.smtp
    assert smtp is not None
    # The dying worker's SMTP exchange went through; it died before recording that it had.
    EmailSender(smtp, store, desk.clock).send(begun)
    threading.Event().wait(0.3)
    desk.settle()
    assert len(desk.inbox.messages) == 1
    with store.session() as session:
        row = session.get(OutboxAction, action.id)
        assert row is not None
        assert row.state == "failed" and (row.last_error or "").startswith("unconfirmed:")
    [send] = desk.sends(key)
    assert (send.state, send.delivery) == ("sent", "unconfirmed")
    assert "survey.delivery_unconfirmed" in [a for a, _ in desk.audit()]


def test_a_refused_recipient_fails_visibly_and_is_not_retried(make_desk: Any) -> None:
    desk: Desk = make_desk(EMAIL)
    desk.inbox.refuse.add(CUSTOMER)
    key = desk.raise_and_resolve()
    desk.later(HOUR + MINUTE)
    assert desk.inbox.messages == []
    [send] = desk.sends(key)
    assert send.delivery == "failed"
    with desk.runtime.store.session() as session:
        [row] = session.scalars(select(OutboxAction).where(OutboxAction.kind == EMAIL_KIND))
        assert row.state == "failed" and row.attempts == 1
        assert "refused" in (row.last_error or "")


def test_a_mail_server_that_is_down_is_retried_until_it_answers(make_desk: Any) -> None:
    desk: Desk = make_desk(EMAIL, extra="")
    port = desk.settings.smtp.port if desk.settings.smtp else 0
    key = desk.raise_and_resolve()
    desk.runtime.flusher.senders[EMAIL_KIND] = EmailSender(
        desk.settings.smtp.model_copy(update={"port": 1}),  # type: ignore[union-attr]
        desk.runtime.store,
        desk.clock,
    )
    desk.later(HOUR + MINUTE)
    with desk.runtime.store.session() as session:
        [row] = session.scalars(select(OutboxAction).where(OutboxAction.kind == EMAIL_KIND))
        assert row.state == "pending" and "cannot reach the mail server" in (row.last_error or "")
    assert port
    desk.runtime.flusher.senders[EMAIL_KIND] = EmailSender(desk.settings.smtp, desk.runtime.store, desk.clock)  # type: ignore[arg-type]
    for _ in range(40):
        desk.settle()
        if desk.inbox.messages:
            break
        threading.Event().wait(0.1)
    assert len(desk.inbox.messages) == 1
    assert desk.sends(key)[0].delivery == "delivered"


RELATIONSHIP = """
- name: quarterly-nps
  kind: nps
  channel: email
  schedule: {cron: "0 9 1 1,4,7,10 *", active_within: 90d}
  throttle: 400d
- {name: csat, kind: csat, throttle: 30d}
"""


def test_a_relationship_survey_mails_each_active_requester_once_under_the_throttle(make_desk: Any) -> None:
    desk: Desk = make_desk(RELATIONSHIP)
    desk.raise_and_resolve("Casey's first")
    desk.raise_and_resolve("Casey's second")
    robin = desk.jira.create_issue("SUP", "Robin's", reporter=CUSTOMER2)
    desk.settle()
    desk.later(HOUR + MINUTE)  # Casey's CSAT goes out (one of her two; the other is throttled)
    assert len([s for s in desk.sends() if s.state == "sent"]) == 1
    with desk.runtime.store.session() as session:
        [round_row] = session.scalars(select(DueWork).where(DueWork.kind == "survey.relationship"))
        due_at = round_row.due_at
    assert (due_at.day, due_at.hour, due_at.minute, due_at.month % 3) == (1, 9, 0, 1)
    desk.later(due_at - desk.clock() + MINUTE)
    nps = {s.requester_email: s for s in desk.sends() if s.survey == "quarterly-nps"}
    assert {k: (s.state, s.reason) for k, s in nps.items()} == {
        CUSTOMER: ("skipped", "throttled"),  # surveyed by the CSAT within the NPS's throttle
        CUSTOMER2: ("sent", None),
    }
    [robin_mail] = [m for m in desk.inbox.messages if m["To"] == CUSTOMER2]
    assert robin_mail["Subject"] == "How are we doing?"
    links = rating_links(parts(robin_mail)[0])
    assert sorted(links) == list(range(11))
    Customer().click(links[9])
    desk.settle()
    [answered] = [s for s in desk.sends() if s.id == nps[CUSTOMER2].id]
    assert (answered.state, answered.score) == ("answered", 9)
    assert desk.fields(robin)["nps_score"] is None  # a relationship survey is about no one ticket
    with desk.runtime.store.session() as session:
        rounds = session.scalars(select(DueWork).where(DueWork.kind == "survey.relationship")).all()
    assert sorted(r.state for r in rounds) == ["done", "pending"]  # the next round is scheduled
    assert [m["To"] for m in desk.inbox.messages].count(CUSTOMER2) == 1


def test_ela_surveys_shows_states_reasons_and_deliveries(make_desk: Any, tmp_path: Any) -> None:
    from click.testing import CliRunner

    from connector.cli import main

    desk: Desk = make_desk(EMAIL)
    desk.inbox.refuse.add(CUSTOMER2)
    first = desk.raise_and_resolve("First")
    desk.raise_and_resolve("Second", reporter=CUSTOMER2)
    desk.later(HOUR + MINUTE)
    [message] = desk.inbox.messages
    Customer().click(rating_links(parts(message)[0])[4])
    desk.settle()
    config = tmp_path / "surveys-cli.yaml"
    config.write_text(f'database: {{url: "{desk.settings.database.url}"}}\n')
    result = CliRunner().invoke(main, ["surveys", "-c", str(config)])
    assert result.exit_code == 0, result.output
    assert "csat-mail: 1 answered, 1 sent; response rate 50%; average score 4.0" in result.output
    assert f"csat-mail jira {first}: answered score 4 (delivery delivered)" in result.output
    assert "sent (delivery failed)" in result.output
