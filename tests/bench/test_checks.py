"""The end-to-end benchmark's check of every acknowledged delivery, against a real store: each key is
looked up by itself, one never stored or not yet processed is named, and answers that were not 2xx
are counted by status (the platform sends those again: not a loss)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from bench.e2e_backlog import store_comment
from bench.e2e_env import SITE, Environment
from bench.e2e_load import Ack, Payloads
from bench.e2e_scenarios import Checks
from connector.settings import parse_settings
from connector.store import Store

CONFIG = f"""
sites:
  {SITE}:
    platform: jira
    url: https://acme-help.atlassian.net
    auth: {{email: bot@example.com, api_token: token-1234567890}}
    webhook: {{secret: bench-webhook-secret-0123456789}}
"""


def store(env: Environment, keys: list[str]) -> None:
    rules = parse_settings(CONFIG, env={}).sites[SITE].customers.rules()
    payloads = Payloads()
    db = Store(env.url)
    db.upgrade()
    with db.session() as session:
        for n, key in enumerate(keys):
            body = payloads.comment(f"SUP-{n + 1}", str(10_000 + n), "Still broken.")
            store_comment(session, body, key, rules)
    db.dispose()


def test_each_acknowledged_key_is_looked_up_and_what_is_not_there_is_named(tmp_path: Path) -> None:
    env = Environment(tmp_path, "checks")
    store(env, ["a", "b", "c"])
    with env.engine.begin() as conn:
        conn.execute(text("UPDATE events SET state = 'done'"))
    checks = Checks("SQLite")
    checks.add(env, "isolated", ["a", "b"])
    assert checks.figure().met is True
    assert checks.figure().value == "2 / 2 of 2"

    with env.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE events SET state = 'pending' WHERE delivery_id = "
                "(SELECT id FROM deliveries WHERE delivery_key = 'c')"
            )
        )
    answers = [
        Ack("c", "SUP-3", 202, 1.0, 1.1, 0.0),
        Ack("d", "SUP-4", 503, 1.0, 1.1, 0.0),
        Ack("e", "SUP-5", 503, 1.0, 1.1, 0.0),
        Ack("f", "SUP-6", 0, 1.0, 1.1, 0.0),
    ]
    checks.add(env, "bursts", ["c", "lost"], answers)
    figure = checks.figure()
    assert figure.met is False
    assert figure.value == "3 / 2 of 4"
    assert "bursts: missing ['lost'], unprocessed ['c']" in figure.note
    assert "bursts: 1 answered nothing, 2 answered 503" in figure.note
    assert "(isolated, bursts; SQLite)" in figure.what
    env.stop()
