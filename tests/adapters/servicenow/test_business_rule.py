"""The shipped business rule (business_rule.js) posts what the simulator's business rule posts, and what
the adapter parses: run under Node.js against stand-ins of the Glide APIs, fed with the simulated
instance as it was at each change."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from adapters.base import Headers, InboundRequest, RoleRules, WebhookAuth
from adapters.servicenow.auth import authenticate
from adapters.servicenow.webhook import parse
from simulators.servicenow import ServiceNowSimulator, render
from simulators.servicenow.rules import payload
from simulators.servicenow.state import Change, Instance

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "adapters" / "servicenow" / "business_rule.js"
HARNESS = Path(__file__).parent / "business_rule_harness.js"
SECRET = "business-rule-secret-0123456789"
URL = "https://ela.example.com/webhooks/servicenow/prod"
NODE = shutil.which("node")
TABLES = ("sys_user", "sys_user_has_role", "sys_user_grmember", "sys_journal_field")


def _row(instance: Instance, table: str, stored: dict[str, str]) -> dict[str, Any]:
    columns = instance.columns[table]
    return {
        "values": {
            k: ("" if columns[k].type == "journal_input" else v) for k, v in stored.items() if k in columns
        },
        "displays": {
            k: render.display_of(instance, table, k, columns[k], v, "UTC")
            for k, v in stored.items()
            if k in columns
        },
    }


def _world(instance: Instance, change: Change) -> dict[str, Any]:
    changed = [k for k in change.current if change.previous.get(k, "") != change.current.get(k, "")]
    changed += sorted({entry["element"] for entry in change.journal})
    return {
        "operation": change.operation,
        "table": change.table,
        "columns": list(instance.columns[change.table]),
        "current": _row(instance, change.table, change.current),
        "previous": _row(instance, change.table, change.previous) if change.operation != "insert" else None,
        "changed": changed if change.operation == "update" else [],
        "user_name": change.user,
        "properties": {"ela.connector.url": URL, "ela.connector.secret": SECRET},
        "tables": {t: [_row(instance, t, r) for r in instance.records[t].values()] for t in TABLES},
    }


def _run(world: dict[str, Any]) -> dict[str, Any]:
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(HARNESS), str(SCRIPT)],
        input=json.dumps(world),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


@pytest.mark.skipif(NODE is None, reason="needs Node.js (node) to run business_rule.js")
def test_the_shipped_script_posts_what_the_simulator_posts_and_the_adapter_reads() -> None:
    sim = ServiceNowSimulator()
    seen: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    sim.instance.listeners.append(
        lambda change: seen.append((_world(sim.instance, change), payload(sim.instance, change)))
    )
    key = sim.create_incident("VPN drops", caller="casey.customer", comment="It keeps dropping!")
    sim.add_comment(key, "Looking at it now.", author="alex.agent")
    sim.update(key, {"state": "2", "work_notes": "Gateway logs pulled."}, actor="alex.agent")
    sim.update(key, {"short_description": "VPN drops every hour"}, actor="alex.agent")  # nothing followed
    sim.delete(key, actor="alex.agent")
    assert len(seen) == 5

    posts = [_run(world) for world, _ in seen]
    assert [p["posted"] for p in posts] == [True, True, True, False, True]
    for post, (_, expected) in zip(posts, seen, strict=True):
        if not post["posted"]:
            assert expected is None
            continue
        assert post["endpoint"] == URL and post["method"] == "post"
        assert json.loads(post["body"]) == expected
        request = InboundRequest(Headers(post["headers"]), post["body"].encode())
        authenticate(request, WebhookAuth(secret=SECRET))  # the script's base64 MAC verifies
        assert parse(request, "prod", RoleRules()).events

    insert, comment, transition = (json.loads(p["body"]) for p in posts[:3])
    assert [e["value"] for e in insert["journal"]] == ["It keeps dropping!"]
    # Entries written in the same second as the update come along too (the connector drops the repeats).
    [agent_entry] = [e for e in comment["journal"] if e["value"] == "Looking at it now."]
    assert agent_entry["author"]["roles"] == ["itil"]
    assert agent_entry["author"]["in_assignment_group"] is True
    assert [c["field"] for c in transition["changes"]] == ["state"]
    assert "work_notes" in [e["element"] for e in transition["journal"]]


@pytest.mark.skipif(NODE is None, reason="needs Node.js (node) to run business_rule.js")
def test_without_its_properties_the_script_posts_nothing() -> None:
    sim = ServiceNowSimulator()
    seen: list[dict[str, Any]] = []
    sim.instance.listeners.append(lambda change: seen.append(_world(sim.instance, change)))
    sim.create_incident("VPN drops", caller="casey.customer")
    world = seen[0]
    world["properties"] = {"ela.connector.url": URL}
    assert _run(world) == {"posted": False}
