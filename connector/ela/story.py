"""`ela demo`'s ELA part: a customer going at risk, the escalation, the agent's reply, the recovery to met.

Its own step of the story, on its own ticket, after the mood story. Nobody waits three hours in a demo:
the desk's clock and the connector's timer clock are moved on together, so the times on the ticket, in
the reason and on the simulated chat all agree.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select

from connector.ela.evaluate import TIMER_KIND
from connector.results import titles
from connector.runtime import Runtime
from connector.store.models import DueWork, utcnow

Print = Callable[[str], None]
SKIP = timedelta(hours=3, minutes=1)  # past the policy's at-risk point (3 of its 4 hours)
SUMMARY = "Laptop will not boot"
CUSTOMER_SAYS = "My laptop will not boot and I present to a client tomorrow morning. This is a disaster!"
AGENT_SAYS = "So sorry, Casey: a courier brings you a replacement laptop within the hour."


class Desk(Protocol):
    """The parts of simulators.desk.Desk this story uses."""

    label: str
    customer: str
    agent: str
    customer_name: str
    agent_name: str

    def raise_ticket(self, summary: str, *, requester: str) -> str: ...
    def comment(self, key: str, text: str, *, author: str, public: bool = True) -> None: ...
    def field_values(self, key: str, field_ids: dict[str, str]) -> dict[str, Any]: ...
    def advance_clock(self, seconds: float) -> None: ...
    def escalation_view(self, key: str) -> dict[str, Any]: ...


class Chat(Protocol):
    """A loopback stand-in for the chat tool's incoming webhook (simulators.testing.WebhookReceiver)."""

    received: list[Any]  # each with .json(): the body the connector posted

    def wait_for(self, count: int, timeout: float = 10.0) -> bool: ...


@dataclass
class ElaStory:
    ticket: str = ""
    statuses: list[str] = field(default_factory=list)  # the ELA status after each step
    during: dict[str, Any] = field(default_factory=dict)  # the ticket while at risk: labels, priority, notes
    after: dict[str, Any] = field(default_factory=dict)  # ... and once the reply has met the policy
    chat: list[str] = field(default_factory=list)


class ElaStoryPlayer:
    def __init__(
        self,
        out: Print,
        *,
        desk: Desk,
        runtime: Runtime,
        chat: Chat,
        field_ids: dict[str, str],
        settle: Callable[[], None],
    ) -> None:
        self.out = out
        self.desk = desk
        self.runtime = runtime
        self.chat = chat
        self.field_ids = field_ids
        self.settle = settle
        self.shown: dict[str, Any] = {}
        self.result = ElaStory()
        self.titles = titles()

    def play(self, number: int) -> ElaStory:
        desk, out = self.desk, self.out
        out(f"\nELA: a promise about how the customer feels ({self._policy_line()})")
        key = desk.raise_ticket(SUMMARY, requester=desk.customer)
        self.result.ticket = key
        out(f"\n{number}. {desk.customer_name} (customer) raises {key}: {SUMMARY!r}")
        desk.comment(key, CUSTOMER_SAYS, author=desk.customer)
        out(f"   {desk.customer_name}: {CUSTOMER_SAYS!r}")
        self._step(key)
        before = desk.escalation_view(key)

        out(f"\n{number + 1}. Three hours pass and nobody replies (the demo moves the clocks on)")
        desk.advance_clock(SKIP.total_seconds())
        self.runtime.due.clock = lambda: utcnow() + SKIP
        self._wait_for_timers(key)
        self._step(key)
        self.result.during = view = desk.escalation_view(key)
        labels = ", ".join(view["labels"]) or "-"
        out(
            f"      escalation on {desk.label} {key}: label {labels}; priority {before['priority']} -> "
            f"{view['priority']}; an internal note for agents:"
        )
        for note in view["notes"]:
            out(f"        {note}")
        if self.chat.wait_for(1, timeout=10):
            self.result.chat = [str(hit.json().get("text")) for hit in self.chat.received]
            for text in self.result.chat:
                out(f"      Slack (simulated) received: {text}")

        out(f"\n{number + 2}. {desk.agent_name} (agent): {AGENT_SAYS!r}")
        desk.comment(key, AGENT_SAYS, author=desk.agent)
        self._step(key)
        self.result.after = after = desk.escalation_view(key)
        left = ", ".join(after["labels"]) or "none"
        out(f"      {desk.label} {key}: the at-risk label is off again (labels now: {left})")
        out(f"\n  ELA of {key}: " + " -> ".join(dict.fromkeys(self.result.statuses)))
        return self.result

    def _policy_line(self) -> str:
        ela = self.runtime.settings.ela
        name, policy = next(iter(ela.policies.items()))
        return f"{ela.title(name)}: {policy.kind}"

    def _step(self, key: str) -> None:
        self.settle()
        now = self.desk.field_values(key, self.field_ids)
        changed = {k: v for k, v in now.items() if self.shown.get(k) != v and k.startswith(("ela", "sla"))}
        if changed:
            parts = [
                f"{self.titles[k]} {self.shown.get(k) or '-'} -> {v if v is not None else '-'}"
                for k, v in changed.items()
            ]
            self.out(f"      {self.desk.label} {key} fields: " + "; ".join(parts))
        self.shown = now
        self.result.statuses.append(str(now.get("ela_status")))

    def _wait_for_timers(self, key: str, timeout: float = 30.0) -> None:
        """Until the worker has fired the ticket's timers that are due by the moved clock (at least
        one: the at-risk timer); a timer whose handler failed stops the story with its error.

        A timer is told by the moment it is for (its payload's `at`), not by its row's `due_at`: a
        claim moves `due_at` on to the end of the lease while the handler runs."""
        store = self.runtime.store
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with store.session() as session:
                rows = session.execute(
                    select(DueWork.state, DueWork.attempts, DueWork.last_error, DueWork.payload).where(
                        DueWork.ticket_key == key, DueWork.kind == TIMER_KIND
                    )
                ).all()
            now = self.runtime.due.clock()
            due_now = [row for row in rows if datetime.fromisoformat(json.loads(row.payload)["at"]) <= now]
            failed = [row for row in due_now if row.state == "failed" or row.attempts]
            if failed:
                raise RuntimeError(f"an ELA timer of {key} failed: {failed[0].last_error}")
            states = {row.state for row in due_now}
            if "done" in states and states <= {"done", "cancelled"}:
                return
            time.sleep(0.05)
        raise TimeoutError(f"the ELA timers of {key} did not fire within {timeout:.0f} s")
