"""`ela demo`: a scripted ticket story, end to end, with no real service desk anywhere.

A platform's simulator (a "desk", from simulators.desk) and the connector run on loopback, the
connector with SQLite and its embedded demo configuration. A customer raises a request, gets
frustrated, is helped, calms down; the ticket is resolved. Every webhook really travels over HTTP,
signed, into the intake; the worker scores the customer's words and the outbox writes the fields back to
the simulated ticket, where the demo reads them and prints each change. At the end the connector sends
the customer a CSAT survey, which the customer answers through its link, over HTTP, like a browser.
"""

from __future__ import annotations

import re
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from adapters.events import TicketEvent
from connector.ela.story import ElaStory, ElaStoryPlayer
from connector.pipeline import Outcome
from connector.results import titles
from connector.runtime import Runtime
from connector.settings import Settings, parse_settings
from connector.setup import setup_site
from connector.store.models import EventRow, MoodEntry, OutboxAction, TicketRow
from simulators.desk import DESKS, Desk, desk_for
from simulators.testing import WebhookReceiver

Print = Callable[[str], None]
SITE = "demo"
FIELD_TITLES = titles()


class _Quiet(WSGIRequestHandler):
    """The story prints what matters; an access-log line per webhook would drown it."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


@dataclass(frozen=True)
class Step:
    actor: str  # customer | agent
    action: str  # raise | comment | burst | resolve
    texts: tuple[str, ...] = ()


STORY = (
    Step("customer", "raise", ("VPN drops every few minutes",)),
    Step(
        "customer",
        "comment",
        (
            "This is the third time this week the VPN has dropped. I cannot work like this and nobody "
            "has answered my last ticket. Really frustrating!",
        ),
    ),
    Step("agent", "comment", ("Sorry about this, Casey. I am looking at the VPN gateway logs now.",)),
    Step(
        "customer",
        "comment",
        ("It is STILL broken and I have a client call in an hour. This is unacceptable!!!",),
    ),
    Step(
        "agent",
        "comment",
        ("I have moved your account to the backup gateway. Can you reconnect and tell me if it holds?",),
    ),
    Step(
        "customer",
        "burst",
        (
            "Reconnected, it seems to work.",
            "It has held for twenty minutes now, good.",
            "Thanks, that is much better!",
        ),
    ),
    Step("agent", "resolve"),
    Step("customer", "comment", ("Thank you so much for the quick help, great service!",)),
    # Its own part of the story: the survey, sent after the resolution, answered through its link.
    Step("customer", "survey", ("5", "Quick, friendly and it has worked perfectly ever since. Thank you!")),
)


@dataclass
class DemoResult:
    ticket: str
    fields: dict[str, Any]  # logical key -> value on the simulated ticket at the end
    timeline: list[float]
    webhooks_sent: int
    events_stored: int
    field_writes: int
    seconds: float
    burst_writes: int
    changes: list[dict[str, Any]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    ela: ElaStory | None = None  # the ELA part of the story (connector/ela/story.py)
    survey: dict[str, Any] = field(default_factory=dict)  # what the survey step did


class _Deferred:
    """A WSGI app that forwards to one set later: the server must listen before the app (whose
    survey links name the server's port) can be built."""

    def __init__(self) -> None:
        self.target: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.target(environ, start_response)


def _data(html: str, name: str) -> str:
    found = re.search(rf'data-{name}="([^"]*)"', html)
    return found.group(1) if found else ""


def _heading(html: str) -> str:
    found = re.search(r"<h1>([^<]*)</h1>", html)
    return found.group(1) if found else ""


def demo_settings(env: dict[str, str], config: str = "demo.yaml") -> Settings:
    """The demo's embedded configuration (`config`: the desk's file in the connector package)."""
    text = resources.files("connector").joinpath(config).read_text(encoding="utf-8")
    return parse_settings(text, config, env=env)


class Demo:
    def __init__(self, out: Print, workdir: Path, pace: float, desk: Desk) -> None:
        self.out = out
        self.workdir = workdir
        self.pace = pace
        self.desk = desk
        self.server: BaseWSGIServer | None = None
        self.runtime: Runtime | None = None
        self.field_ids: dict[str, str] = {}
        self.shown: dict[str, Any] = {}
        self.changes: list[dict[str, Any]] = []
        self.burst_writes = 0
        self.chat = WebhookReceiver()  # the ELA escalation's "Slack"
        self.ela: ElaStory | None = None
        self.survey: dict[str, Any] = {}

    # set-up --------------------------------------------------------------------------------------

    def start(self) -> Runtime:
        desk = self.desk
        desk_url = desk.start()
        secret = secrets.token_urlsafe(24)
        # The connector's port is its survey links' base URL: listen first, then build the app on it.
        app = _Deferred()
        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
        public = f"http://127.0.0.1:{self.server.server_port}"
        settings = demo_settings(
            {
                "ELA_DEMO_DIR": str(self.workdir),
                f"ELA_DEMO_{desk.platform.upper()}_URL": desk_url,
                "ELA_DEMO_WEBHOOK_SECRET": secret,
                "ELA_DEMO_SLACK_URL": self.chat.start(),
                "ELA_DEMO_PUBLIC_URL": public,
                "ELA_DEMO_SURVEY_SECRET": secrets.token_urlsafe(32),
            },
            desk.demo_config,
        )
        runtime = Runtime(settings)
        runtime.worker.on_outcome = self._on_outcome
        self.runtime = runtime
        app.target = runtime.app()
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        hook = f"http://127.0.0.1:{self.server.server_port}/webhooks/{desk.platform}/{SITE}"
        simulated = f"{desk.label} (simulated)"
        width = max(len(simulated), len(f"fields on {desk.label}"), len("connector")) + 2
        self.out(f"ELA Connector demo: a simulated {desk.label} service desk and the connector, on loopback.")
        self.out(f"  {simulated:{width}}{desk_url}  {desk.description}")
        self.out(f"  {'connector':{width}}{hook}  (webhooks signed with a secret)")
        self.out(f"  {'database':{width}}{settings.database.url}")
        site = settings.sites[SITE]
        result = setup_site(site, settings)
        self.field_ids = {**result.created_or_found, **result.checked}
        made = ", ".join(f"{site.fields.mapped()[k]} ({v})" for k, v in self.field_ids.items())
        self.out(f"  {'fields on ' + desk.label:{width}}{made}")
        desk.register_webhook(hook, secret)
        runtime.worker.start()
        return runtime

    def stop(self) -> None:
        if self.runtime is not None:
            self.runtime.close()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        self.desk.stop()
        self.chat.stop()

    # the story -----------------------------------------------------------------------------------

    def _on_outcome(self, event: TicketEvent, outcome: Outcome) -> None:
        if outcome.scored is not None and self.runtime is not None:
            settings = self.runtime.settings
            band = self.runtime.pipeline.bands.band(outcome.scored)
            self.out(f"      connector: scored {outcome.scored:+.2f} ({settings.mood.labels.label(band)})")

    def play(self) -> str:
        desk, key = self.desk, ""
        for number, step in enumerate(STORY, 1):
            customer = step.actor == "customer"
            who = f"{desk.customer_name} (customer)" if customer else f"{desk.agent_name} (agent)"
            actor = desk.customer if customer else desk.agent
            if step.action == "raise":
                key = desk.raise_ticket(step.texts[0], requester=actor)
                self.out(f"\n{number}. {who} raises {key}: {step.texts[0]!r}")
            elif step.action == "resolve":
                desk.resolve(key, actor=actor)
                self.out(f"\n{number}. {who} resolves {key}")
            elif step.action == "survey":
                assert self.runtime is not None
                if self.runtime.settings.surveys:  # the desk's demo configuration has a survey
                    self._survey(number, key, who, int(step.texts[0]), step.texts[1])
                    time.sleep(self.pace)
                continue
            else:
                if step.action == "burst":
                    self.out(f"\n{number}. {who} sends {len(step.texts)} messages in a row:")
                for text in step.texts:
                    desk.comment(key, text, author=actor, public=True)
                    prefix = "   " if step.action == "burst" else f"\n{number}. {who}:"
                    self.out(f"{prefix} {text!r}")
                if step.actor == "agent":
                    self.out("      connector: agents' words are not scored")
            before = self._field_writes(key)
            self._settle()
            if step.action == "burst":
                self.burst_writes = self._field_writes(key) - before
            self._show_fields(key)
            time.sleep(self.pace)
        return key

    def play_ela(self) -> ElaStory:
        """The ELA part of the story, on its own ticket (connector/ela/story.py)."""
        assert self.runtime is not None
        player = ElaStoryPlayer(
            self.out,
            desk=self.desk,
            runtime=self.runtime,
            chat=self.chat,
            field_ids=self.field_ids,
            settle=self._settle,
        )
        self.ela = player.play(len(STORY) + 1)
        return self.ela

    # the survey ---------------------------------------------------------------------------------

    def _survey(self, number: int, key: str, who: str, rating: int, words: str) -> None:
        """Wait for the survey's comment on the ticket, then answer it through its link as the
        customer's browser would: open the page (its script then posts the rating), send a comment."""
        message = self._wait_for_survey(key)
        links = dict(re.findall(r"^(\d+)\D[^\n]*?(https?://\S+/s/\S+)$", message, re.MULTILINE))
        link = links[str(rating)]
        self.out(
            f"\n{number}. The connector sends the CSAT survey, a public comment on {key} "
            f"({self.desk.label} mails it):"
        )
        question = next(line for line in message.splitlines() if "?" in line and "/s/" not in line)
        self.out(f"      {question!r}")
        self.out(f"      {len(links)} one-click links, e.g. {link[:60]}...")
        self._settle()
        self._show_fields(key)
        http = requests.Session()
        page = http.get(link, timeout=10)
        csrf = _data(page.text, "csrf")
        answer = http.post(
            link.split("?")[0] + "/answer",
            data={"r": str(rating), "csrf": csrf},
            headers={"Accept": "application/json"},
            timeout=10,
        )
        self.out(
            f"   {who} clicks {rating}: the page says {_heading(page.text)!r} ({answer.json()['outcome']})"
        )
        self._settle()
        self._show_fields(key)
        posted = http.post(
            link.split("?")[0] + "/comment",
            data={"comment": words, "r": str(rating), "csrf": csrf},
            timeout=10,
        )
        self.out(f"   {who} adds a comment on the page: {words!r} (HTTP {posted.status_code})")
        self._settle()
        self._show_fields(key)
        self.survey = {"rating": rating, "comment": words, "page": page.status_code, "link": link}

    def _wait_for_survey(self, key: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [text for text in self.desk.comments(key) if "/s/" in text]
            if found:
                return found[0]
            time.sleep(0.1)
        raise TimeoutError(f"no survey on {key} within {timeout:.0f} s")

    def _field_writes(self, key: str) -> int:
        return self.desk.field_writes(key)

    def _settle(self, timeout: float = 30.0) -> None:
        """Until every webhook is delivered, every event processed and every write-back sent."""
        assert self.runtime is not None
        self.desk.wait_for_webhooks(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.runtime.store.session() as session:
                events = session.scalar(
                    select(func.count()).select_from(EventRow).where(EventRow.state == "pending")
                )
                writes = session.scalar(
                    select(func.count())
                    .select_from(OutboxAction)
                    .where(OutboxAction.state.in_(("pending", "sending")))
                )
            if not events and not writes and self.desk.wait_for_webhooks(0.01):
                return
            time.sleep(0.05)
        raise TimeoutError("the connector did not settle within 30 s")

    def _show_fields(self, key: str) -> None:
        now = self.desk.field_values(key, self.field_ids)
        changed = {k: v for k, v in now.items() if self.shown.get(k) != v}
        if changed:
            parts = [f"{FIELD_TITLES[k]} {self.shown.get(k) or '-'} -> {v}" for k, v in changed.items()]
            self.out(f"      {self.desk.label} {key} fields: " + "; ".join(parts))
            self.changes.append({"ticket": key, **changed})
        self.shown = now

    def summary(self, key: str, started: float) -> DemoResult:
        assert self.runtime is not None
        with self.runtime.store.session() as session:
            ticket = session.scalars(select(TicketRow).where(TicketRow.key == key)).one()
            timeline = list(
                session.scalars(
                    select(MoodEntry.polarity)
                    .where(MoodEntry.ticket_pk == ticket.id, MoodEntry.deleted.is_(False))
                    .order_by(MoodEntry.at, MoodEntry.id)
                )
            )
            stored = session.scalar(select(func.count()).select_from(EventRow)) or 0
        result = DemoResult(
            ticket=key,
            fields=dict(self.shown),
            timeline=timeline,
            webhooks_sent=self.desk.webhooks_sent(),
            events_stored=stored,
            field_writes=self._field_writes(key),
            burst_writes=self.burst_writes,
            seconds=time.monotonic() - started,
            changes=self.changes,
            violations=self.desk.violations(),
            ela=self.ela,
            survey=self.survey,
        )
        self.out("\nSummary")
        self.out("  mood timeline of " + key + ": " + " -> ".join(f"{p:+.2f}" for p in timeline))
        self.out(
            "  fields on the ticket: " + "; ".join(f"{FIELD_TITLES[k]} = {v}" for k, v in self.shown.items())
        )
        label = self.desk.label
        self.out(
            f"  {result.webhooks_sent} signed webhooks sent by {label}, {stored} events stored; "
            f"{result.field_writes} field writes to {label} ({self.desk.quiet_writes}); "
            f"the burst of {len(STORY[5].texts)} messages took {result.burst_writes} write(s)"
        )
        if self.survey:
            self.out(
                f"  survey: CSAT {self.survey['rating']} answered through its link "
                f"(HTTP {self.survey['page']}), written back as csat score, survey status and survey comment"
            )
        self.out(f"  took {result.seconds:.1f} s; data in {self.workdir}")
        return result


def simulated_platforms() -> list[str]:
    """The platforms with a simulated desk to play the story on, the default first."""
    return list(DESKS)


def run_demo(
    out: Print,
    *,
    platform: str | None = None,
    workdir: Path | None = None,
    pace: float = 0.0,
    openapi_spec: Path | None = None,
) -> DemoResult:
    """Play the story on a simulated desk of `platform` (default: the first one simulated).

    `openapi_spec` makes the simulator check every request the connector sends against the platform's
    published API definition (the tests do; users have no copy of it)."""
    started = time.monotonic()
    temporary = None
    if workdir is None:
        temporary = tempfile.TemporaryDirectory(prefix="ela-demo-")
        workdir = Path(temporary.name)
    demo = Demo(out, workdir, pace, desk_for(platform or next(iter(DESKS)), openapi_spec))
    try:
        runtime = demo.start()
        key = demo.play()
        if runtime.settings.ela.policies:  # the desk's demo configuration has ELA policies to show
            demo.play_ela()
        return demo.summary(key, started)
    finally:
        demo.stop()
        if temporary is not None:
            temporary.cleanup()
