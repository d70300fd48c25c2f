"""The surveys room against the Jira simulator and a real SMTP server on loopback, with a clock the
tests move (the simulator's clock moves with it, so its events and our due work agree on the time)."""

from __future__ import annotations

import socket
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from connector.runtime import Runtime
from connector.settings import Settings, parse_settings
from connector.setup import setup_site
from connector.store.models import AuditEntry, SurveySend, utcnow
from simulators.jira.simulator import JiraSimulator
from simulators.jira.testing import default_openapi_spec, running_simulator
from tests.e2e.support import SECRET, Running, serve

CUSTOMER = "casey@customer.example"
CUSTOMER2 = "robin@customer.example"
AGENT = "alex.agent@example.com"
SURVEY_SECRET = "survey-secret-for-tests-0123456789abcdef"


class FakeClock:
    """The room's time: it moves only when a test says so."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or utcnow()
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self.now

    def advance(self, by: timedelta) -> None:
        with self._lock:
            self.now += by


class Inbox:
    """aiosmtpd's handler: every message the server accepted, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def jira() -> Iterator[JiraSimulator]:
    with running_simulator(default_openapi_spec(), webhook_time_scale=0.01) as sim:
        yield sim
        assert [str(v) for v in sim.violations] == [], "requests the real Jira API would not take"


BASE = """
database: {{url: "sqlite:///{db}"}}
worker: {{poll_seconds: 0.1, lease_seconds: 60}}
writeback:
  flush_seconds: 0.1
  coalesce_seconds: 0
  backoff_initial_seconds: 0.2
  backoff_max_seconds: 1
  requests_per_second: 200
logging: {{level: WARNING, format: text}}
smtp: {{host: 127.0.0.1, port: {smtp_port}, security: none, sender: "IT Desk <desk@example.com>"}}
survey_pages: {{base_url: "{pages}", secret: {secret}}}
sites:
  jira:
    platform: jira
    url: {url}
    auth: {{email: ela-connector@example.com, api_token: ela-admin-token}}
    webhook: {{secret: {webhook}}}
    fields:
      mood: Customer mood
      mood_score: Customer mood score
      csat_score: CSAT score
      nps_score: NPS score
      survey_comment: Survey comment
      survey_status: Survey status
surveys:
"""

CSAT = """
- name: csat
  kind: csat
  timing: {delay: 1h, reminder_after: 2d, reminders: 1, expires_after: 7d}
  follow_up: {threshold: 2}
"""


@dataclass
class Desk:
    """The connector serving on loopback beside the simulator, its worker driven by the test."""

    jira: JiraSimulator
    clock: FakeClock
    running: Running
    settings: Settings
    inbox: Inbox
    field_ids: dict[str, str] = field(default_factory=dict)

    @property
    def runtime(self) -> Runtime:
        return self.running.runtime

    @property
    def pages(self) -> str:
        return self.settings.survey_pages.base_url

    def settle(self, rounds: int = 60) -> None:
        assert self.jira.wait_for_webhooks(10)
        idle = 0
        for _ in range(rounds):
            if self.runtime.worker.run_once().idle:
                idle += 1
                if idle == 2 and self.jira.wait_for_webhooks(0.05):
                    return
            else:
                idle = 0

    def later(self, by: timedelta) -> None:
        """Time passes: for the connector's clock and for Jira's."""
        self.clock.advance(by)
        self.jira.advance_clock(by.total_seconds())
        self.settle()

    def raise_and_resolve(self, summary: str = "VPN drops", reporter: str = CUSTOMER, **kwargs: Any) -> str:
        key = self.jira.create_issue("SUP", summary, reporter=reporter, **kwargs)
        self.jira.transition(key, "In progress", actor=AGENT)
        self.jira.transition(key, "Resolved", actor=AGENT)
        self.settle()
        return key

    def sends(self, key: str | None = None) -> list[SurveySend]:
        with self.runtime.store.session() as session:
            query = select(SurveySend).order_by(SurveySend.id)
            if key is not None:
                query = query.where(SurveySend.ticket_key == key)
            return list(session.scalars(query))

    def audit(self, prefix: str = "survey.") -> list[tuple[str, str]]:
        with self.runtime.store.session() as session:
            rows = session.scalars(
                select(AuditEntry).where(AuditEntry.action.like(prefix + "%")).order_by(AuditEntry.id)
            )
            return [(row.action, row.detail) for row in rows]

    def comments(self, key: str) -> list[dict[str, Any]]:
        return self.jira.issue(key).comments

    def fields(self, key: str) -> dict[str, Any]:
        values = self.jira.issue(key).fields
        out = {}
        for logical, field_id in self.field_ids.items():
            raw = values.get(field_id)
            out[logical] = raw.get("value") if isinstance(raw, dict) else raw
        return out


def start_desk(
    jira: JiraSimulator, tmp_path: Path, smtp: tuple[Inbox, int], surveys: str, *, extra: str = ""
) -> Desk:
    inbox, smtp_port = smtp
    pages_port = free_port()
    text = (
        BASE.format(
            db=tmp_path / "ela.db",
            url=jira.base_url,
            webhook=SECRET,
            smtp_port=smtp_port,
            pages=f"http://127.0.0.1:{pages_port}",
            secret=SURVEY_SECRET,
        )
        + textwrap.indent(textwrap.dedent(surveys).strip() + "\n", "  ")
        + extra
    )
    settings = parse_settings(text, "surveys.yaml", env={})
    clock = FakeClock()
    running = serve(Runtime(settings, clock=clock), port=pages_port)
    jira.register_webhook(running.url, secret=SECRET)
    result = setup_site(settings.sites["jira"], settings)
    return Desk(jira, clock, running, settings, inbox, {**result.created_or_found, **result.checked})


@pytest.fixture
def make_desk(jira: JiraSimulator, tmp_path: Path, smtp: tuple[Inbox, int]) -> Iterator[Any]:
    made: list[Desk] = []

    def build(surveys: str = CSAT, extra: str = "") -> Desk:
        desk = start_desk(jira, tmp_path, smtp, surveys, extra=extra)
        made.append(desk)
        return desk

    yield build
    for desk in made:
        desk.running.server.shutdown()
        desk.running.server.server_close()
        desk.runtime.close()
