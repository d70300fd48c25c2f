"""Jira Service Management as a desk to play a story on: project SUP, customer Casey, agent Alex."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulators.jira.simulator import JiraSimulator

REQUEST_TYPE = "Report a system problem"


def _plain(raw: Any) -> Any:
    """A v2 field value as a person reads it: a select's option value, a number, text."""
    if isinstance(raw, dict):
        return raw.get("value")
    if isinstance(raw, list):
        return [_plain(item) for item in raw]
    return raw


class Desk:
    platform = "jira"
    label = "Jira"
    customer = "casey@customer.example"
    agent = "alex.agent@example.com"
    customer_name = "Casey"
    agent_name = "Alex"
    description = "service desk SUP; customer Casey, agent Alex"
    quiet_writes = "notifyUsers=false"
    demo_config = "demo.yaml"

    def __init__(self, openapi_spec: Path | None = None) -> None:
        self.sim = JiraSimulator(openapi_spec, seed="demo")

    def start(self) -> str:
        return self.sim.start()

    def stop(self) -> None:
        self.sim.stop()

    def register_webhook(self, url: str, secret: str) -> None:
        self.sim.register_webhook(url, secret=secret)

    def wait_for_webhooks(self, timeout: float) -> bool:
        return self.sim.wait_for_webhooks(timeout)

    def raise_ticket(self, summary: str, *, requester: str) -> str:
        return self.sim.create_issue("SUP", summary, reporter=requester, request_type=REQUEST_TYPE)

    def comment(self, key: str, text: str, *, author: str, public: bool = True) -> None:
        self.sim.add_comment(key, text, author=author, public=public)

    def resolve(self, key: str, *, actor: str) -> None:
        self.sim.transition(key, "Resolved", actor=actor)

    def comments(self, key: str) -> list[str]:
        return [str(c.get("body", "")) for c in self.sim.issue(key).comments]

    def field_values(self, key: str, field_ids: dict[str, str]) -> dict[str, Any]:
        fields = self.sim.issue(key).fields
        return {logical: _plain(fields.get(field_id)) for logical, field_id in field_ids.items()}

    def field_writes(self, key: str) -> int:
        return sum(1 for r in self.sim.requests if r.method == "PUT" and r.path.endswith(f"/issue/{key}"))

    def webhooks_sent(self) -> int:
        return len(self.sim.deliveries)

    def violations(self) -> list[str]:
        return [str(v) for v in self.sim.violations]

    def advance_clock(self, seconds: float) -> None:
        self.sim.advance_clock(seconds)

    def escalation_view(self, key: str) -> dict[str, Any]:
        issue = self.sim.issue(key)
        priority = issue.fields.get("priority")
        return {
            "labels": list(issue.fields.get("labels") or []),
            "priority": priority.get("name") if isinstance(priority, dict) else None,
            "notes": [str(c["body"]) for c in issue.comments if c.get("jsdPublic") is False],
        }
