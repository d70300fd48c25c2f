"""ServiceNow as a desk to play a story on: incidents raised by Casey (customer), worked by Alex (agent,
itil, Service Desk group), the connector's business rule installed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulators.servicenow.seed import AGENT, CUSTOMER
from simulators.servicenow.simulator import ServiceNowSimulator


class Desk:
    platform = "servicenow"
    label = "ServiceNow"
    customer = CUSTOMER
    agent = AGENT
    customer_name = "Casey"
    agent_name = "Alex"
    description = "incidents for the Service Desk group; caller Casey, agent Alex"
    quiet_writes = "u_ columns only, which fire no business rule"
    demo_config = "demo-servicenow.yaml"

    def __init__(self, openapi_spec: Path | None = None) -> None:
        # ServiceNow publishes no OpenAPI definition of the Table API: the simulator checks requests
        # against the Table API's own rules instead (its violations).
        self.sim = ServiceNowSimulator()

    def start(self) -> str:
        return self.sim.start()

    def stop(self) -> None:
        self.sim.stop()

    def register_webhook(self, url: str, secret: str) -> None:
        self.sim.install_business_rule(url, secret)

    def wait_for_webhooks(self, timeout: float) -> bool:
        return self.sim.wait_for_webhooks(timeout)

    def raise_ticket(self, summary: str, *, requester: str) -> str:
        return self.sim.create_incident(summary, caller=requester)

    def comment(self, key: str, text: str, *, author: str, public: bool = True) -> None:
        self.sim.add_comment(key, text, author=author, public=public)

    def resolve(self, key: str, *, actor: str) -> None:
        self.sim.update(
            key, {"state": "6", "close_code": "Solved (Permanently)", "close_notes": "Resolved"}, actor=actor
        )

    def field_values(self, key: str, field_ids: dict[str, str]) -> dict[str, Any]:
        record = self.sim.record(key)
        columns = self.sim.columns("incident")
        values: dict[str, Any] = {}
        for logical, column in field_ids.items():
            raw = record.get(column) or None
            kind = columns[column].type if column in columns else "string"
            values[logical] = float(raw) if raw is not None and kind == "float" else raw
        return values

    def field_writes(self, key: str) -> int:
        sys_id = self.sim.record(key)["sys_id"]
        return sum(
            1
            for r in self.sim.requests
            if r.method == "PATCH"
            and r.path.endswith(f"/{sys_id}")
            and isinstance(r.json, dict)
            and any(str(k).startswith("u_") for k in r.json)
        )

    def webhooks_sent(self) -> int:
        return len(self.sim.deliveries)

    def violations(self) -> list[str]:
        return [str(v) for v in self.sim.violations]
