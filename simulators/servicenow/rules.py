"""The connector's business rule, as the simulated instance runs it: after each insert, update or
delete of an incident or case, the payload `adapters/servicenow/business_rule.js` builds, signed
with the shared secret, posted asynchronously (an outbound REST message: the change never waits
for it, and a failed post is not retried, as `RESTMessageV2.executeAsync` does not retry).

Like the script, it posts only when something it reports changed: a state, priority or assignment
change, a new journal entry, an insert or a delete. The connector's own writes to its `u_` columns
therefore cause no delivery.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from simulators.servicenow import render
from simulators.servicenow.state import Change, Instance
from simulators.webhooks import WebhookDispatcher

# What the script reports, in the same order (see business_rule.js).
RECORD_FIELDS = (
    "sys_id",
    "number",
    "sys_class_name",
    "short_description",
    "state",
    "priority",
    "impact",
    "urgency",
    "category",
    "caller_id",
    "contact",
    "opened_for",
    "consumer",
    "assigned_to",
    "assignment_group",
    "opened_at",
    "resolved_at",
    "closed_at",
    "sys_created_on",
    "sys_updated_on",
    "sys_mod_count",
)
WATCHED = ("state", "priority", "assigned_to", "assignment_group")
AGENT_ROLES = ("itil", "sn_customerservice_agent", "admin")
EVENT = "ela.business_rule"


def signature(secret: str, body: bytes) -> str:
    """As GlideCertificateEncryption.generateMac(base64(secret), "HmacSHA256", body) gives it: base64."""
    return "sha256=" + base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def headers_for(secret: str | None) -> Any:
    def headers(
        identifier: str, attempt: int, body: bytes, registration_secret: str | None
    ) -> dict[str, str]:
        found = {"Content-Type": "application/json", "User-Agent": "ServiceNow", "X-ELA-Delivery": identifier}
        key = registration_secret or secret
        if key:
            found["X-ELA-Signature"] = signature(key, body)
        return found

    return headers


def dispatcher(*, timeout: tuple[float, float] = (5.0, 30.0)) -> WebhookDispatcher:
    return WebhookDispatcher(headers_for(None), (), timeout=timeout, thread_name="servicenow-sim-rule")


def _field(instance: Instance, table: str, name: str, stored: dict[str, str]) -> dict[str, str]:
    column = instance.columns[table].get(name)
    value = stored.get(name, "")
    shown = render.display_of(instance, table, name, column, value, "UTC") if column is not None else value
    return {"value": value, "display_value": shown}


def _new_entries(instance: Instance, change: Change) -> list[dict[str, str]]:
    """The entries the script finds: on insert, or when a journal field changed, every entry of the
    record written since the record's `sys_updated_on` (to the second: an entry from an earlier update
    in the same second comes along too, which the connector drops as already seen)."""
    if change.operation == "delete" or (change.operation == "update" and not change.journal):
        return []
    since = change.current.get("sys_updated_on", "")
    found = [
        e
        for e in instance.records["sys_journal_field"].values()
        if e.get("element_id") == change.sys_id
        and e.get("name") == change.table
        and e.get("element") in ("comments", "work_notes")
        and e.get("sys_created_on", "") >= since
    ]
    return sorted(found, key=lambda e: e.get("sys_created_on", ""))


def payload(instance: Instance, change: Change) -> dict[str, Any] | None:
    table, current, previous = change.table, change.current, change.previous
    changes = [
        {
            "field": name,
            "previous": _field(instance, table, name, previous),
            "current": _field(instance, table, name, current),
        }
        for name in WATCHED
        if change.operation == "update" and previous.get(name, "") != current.get(name, "")
    ]
    if change.operation == "update" and not changes and not change.journal:
        return None
    record = {
        name: _field(instance, table, name, current)
        for name in RECORD_FIELDS
        if name in instance.columns[table]
    }
    journal = []
    for entry in _new_entries(instance, change):
        author = instance.user(entry["sys_created_by"])
        roles = instance.roles_of(entry["sys_created_by"])
        groups = instance.groups_of(entry["sys_created_by"])
        journal.append(
            {
                "sys_id": entry["sys_id"],
                "element": entry["element"],
                "value": entry["value"],
                "sys_created_on": entry["sys_created_on"],
                "sys_created_by": entry["sys_created_by"],
                "author": {
                    "sys_id": (author or {}).get("sys_id", ""),
                    "user_name": entry["sys_created_by"],
                    "name": (author or {}).get("name", ""),
                    "email": (author or {}).get("email", ""),
                    "roles": [r for r in AGENT_ROLES if r in roles],
                    "in_assignment_group": bool(current.get("assignment_group"))
                    and current.get("assignment_group") in groups,
                },
            }
        )
    return {
        "source": "ela-connector",
        "version": 1,
        "operation": change.operation,
        "table": table,
        "sys_id": change.sys_id,
        "sys_mod_count": current.get("sys_mod_count", "0"),
        "sys_updated_on": current.get("sys_updated_on", ""),
        "sys_updated_by": change.user,
        "record": record,
        "changes": changes,
        "journal": journal,
    }


class BusinessRule:
    """Turns the instance's changes into deliveries on the dispatcher (installed: a webhook registered)."""

    def __init__(self, instance: Instance, webhooks: WebhookDispatcher) -> None:
        self.instance = instance
        self.webhooks = webhooks
        instance.listeners.append(self.on_change)

    def on_change(self, change: Change) -> None:
        if not self.webhooks.wants(EVENT):
            return
        body = payload(self.instance, change)
        if body is not None:
            self.webhooks.publish(EVENT, body, lane=change.sys_id, issue_key=change.current.get("number"))
