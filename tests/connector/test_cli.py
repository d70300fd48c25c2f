"""The `ela` command's configuration, database and status commands, through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner

from connector.cli import main
from connector.store import Store

GOOD = """
database:
  url: sqlite:///{db}
sites:
  jira-prod:
    platform: jira
    url: https://example.atlassian.net
    auth: {{email: bot@example.com, api_token: "${{JIRA_TOKEN}}"}}
    webhook: {{secret: s3cret-s3cret-s3cret}}
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "ela.yaml"
    path.write_text(GOOD.format(db=tmp_path / "ela.db"))
    return path


def test_check_config_ok(config: Path) -> None:
    result = CliRunner().invoke(main, ["check-config", str(config)], env={"JIRA_TOKEN": "t" * 20})
    assert result.exit_code == 0, result.output
    assert f"{config}: OK" in result.output
    assert "jira-prod (jira, https://example.atlassian.net/)" in result.output
    assert "t" * 20 not in result.output


def test_check_config_lists_every_problem_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("server:\n  port: -1\n  colour: blue\n")
    result = CliRunner().invoke(main, ["check-config", str(path)])
    assert result.exit_code == 2
    assert f"{path}:2: server.port: Input should be greater than or equal to 0" in result.output
    assert f"{path}:3: server.colour: unknown option" in result.output
    assert "2 problem(s)" in result.output


def test_commands_need_a_configuration() -> None:
    result = CliRunner().invoke(main, ["status"], env={"ELA_CONFIG": ""})
    assert result.exit_code == 2
    assert "pass --config FILE or set ELA_CONFIG" in result.output


def test_db_upgrade_then_status(config: Path) -> None:
    runner = CliRunner(env={"JIRA_TOKEN": "t" * 20})
    upgraded = runner.invoke(main, ["db", "upgrade", "-c", str(config)])
    assert upgraded.exit_code == 0, upgraded.output
    head = ScriptDirectory.from_config(Store("sqlite://").alembic_config()).get_current_head()
    assert f"schema: empty -> {head}" in upgraded.output
    status = runner.invoke(main, ["status", "-c", str(config), "--json"])
    assert status.exit_code == 0, status.output
    report = json.loads(status.output)
    assert report["events"] == {} and report["writebacks"] == {}
    assert report["oldest_pending_seconds"] is None
    text = runner.invoke(main, ["status", "-c", str(config)])
    assert "events       pending 0   failed 0   done 0" in text.output


def test_help_lists_every_command_with_a_summary() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    listed = result.output.split("Commands:\n", 1)[1]
    names = {line.split()[0] for line in listed.splitlines() if line.strip()}
    assert names == {
        "check-config",
        "db",
        "demo",
        "replay",
        "report",
        "retry",
        "sentiment",
        "serve",
        "setup",
        "status",
        "surveys",
        "web",
        "worker",
    }
    for name in names:
        sub = CliRunner().invoke(main, [name, "--help"])
        assert sub.exit_code == 0 and "Usage:" in sub.output


PAYLOADS = Path(__file__).resolve().parents[1] / "adapters" / "jira" / "fixtures" / "payloads"


def test_replay_dry_run_prints_events_and_changes_nothing(config: Path, tmp_path: Path) -> None:
    files = [
        str(PAYLOADS / "jsm-cloud-customer-comment.json"),
        str(PAYLOADS / "jsm-cloud-request-created-by-customer.json"),
    ]
    result = CliRunner().invoke(
        main, ["replay", *files, "-c", str(config), "--dry-run"], env={"JIRA_TOKEN": "t" * 20}
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(e["kind"], e["ticket"]["key"], e["site"]) for e in lines] == [
        ("commented", "ITSD-42", "jira-prod"),
        ("created", "ITSD-42", "jira-prod"),
    ]
    assert "raw" not in lines[0]
    assert "nothing stored (dry run)" in result.stderr
    assert not (tmp_path / "ela.db").exists()


def test_replay_stores_and_processes_once(config: Path) -> None:
    runner = CliRunner(env={"JIRA_TOKEN": "t" * 20})
    files = [
        str(PAYLOADS / "jsm-cloud-request-created-by-customer.json"),
        str(PAYLOADS / "jsm-cloud-customer-comment.json"),
    ]
    first = runner.invoke(main, ["replay", *files, "-c", str(config)])
    assert first.exit_code == 0, first.output
    assert "2 event(s) stored and processed, 0 already replayed" in first.output
    again = runner.invoke(main, ["replay", *files, "-c", str(config)])
    assert "0 event(s) stored and processed, 2 already replayed" in again.output
    report = json.loads(runner.invoke(main, ["status", "-c", str(config), "--json"]).output)
    assert report["events"] == {"done": 2}
    assert report["writebacks"] == {}  # no fields mapped for this site


def test_replay_refuses_a_file_that_is_not_a_jira_payload(config: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}')
    result = CliRunner().invoke(main, ["replay", str(bad), "-c", str(config)], env={"JIRA_TOKEN": "t" * 20})
    assert result.exit_code == 2
    assert f"{bad}: not a Jira webhook: no 'webhookEvent' string" in result.output


def test_status_and_metrics_count_due_work(config: Path) -> None:
    from datetime import timedelta

    from connector.app import create_app
    from connector.settings import load_settings
    from connector.store import due
    from connector.store.models import DueWork, utcnow

    runner = CliRunner(env={"JIRA_TOKEN": "t" * 20})
    assert runner.invoke(main, ["db", "upgrade", "-c", str(config)]).exit_code == 0
    settings = load_settings(config, env={"JIRA_TOKEN": "t" * 20})
    store = Store(settings.database.url)
    with store.session() as session:
        due.schedule(session, "survey.send", "s-1", utcnow() + timedelta(hours=1))
        due.schedule(session, "survey.send", "s-2", utcnow() + timedelta(hours=1))
        due.schedule(session, "ela.timer", "t-1", utcnow() + timedelta(hours=1))
        parked = due.schedule(session, "ela.timer", "t-2", utcnow())
        row = session.get(DueWork, parked)
        assert row is not None
        row.state, row.last_error, row.attempts = "failed", "RuntimeError: boom", 8
    report = json.loads(runner.invoke(main, ["status", "-c", str(config), "--json"]).output)
    assert report["due_work"] == {"pending": 3, "failed": 1}
    assert report["due_pending_by_kind"] == {"survey.send": 2, "ela.timer": 1}
    assert [(f["kind"], f["key"], f["error"]) for f in report["failed_due_work"]] == [
        ("ela.timer", "t-2", "RuntimeError: boom")
    ]
    text = runner.invoke(main, ["status", "-c", str(config)]).output
    assert "due work     pending 3   failed 1   done 0   cancelled 0   (ela.timer 1, survey.send 2)" in text
    metrics = create_app(settings, store).test_client().get("/metrics").get_data(as_text=True)
    store.dispose()
    assert 'ela_due_work_pending{kind="survey.send"} 2.0' in metrics
    assert "ela_due_work_failed 1.0" in metrics
    assert 'ela_queue_depth{queue="due_work"} 3.0' in metrics


def test_retry_puts_failed_work_back_by_site_and_ticket(config: Path) -> None:
    from datetime import timedelta

    from sqlalchemy import select

    from connector.settings import load_settings
    from connector.store import due
    from connector.store import outbox as outbox_store
    from connector.store.models import DueWork, Lane, OutboxAction, utcnow

    runner = CliRunner(env={"JIRA_TOKEN": "t" * 20})
    assert runner.invoke(main, ["db", "upgrade", "-c", str(config)]).exit_code == 0
    settings = load_settings(config, env={"JIRA_TOKEN": "t" * 20})
    store = Store(settings.database.url)
    with store.session() as session:
        for key in ("SD-1", "SD-2"):
            outbox_store.enqueue_comment(
                session,
                platform="jira",
                site="jira-prod",
                ticket_key=key,
                text="x",
                public=False,
                key=f"c-{key}",
            )
        due.schedule(
            session, "ela.timer", "t-1", utcnow() - timedelta(seconds=1), site="jira-prod", ticket_key="SD-1"
        )
    with store.session() as session:
        for row in session.scalars(select(OutboxAction)):
            row.state, row.attempts, row.last_error = "failed", 12, "gave up after 12 attempts: 503"
        for lane in session.scalars(select(Lane)):
            lane.state = "idle"
        for row in session.scalars(select(DueWork)):
            row.state, row.attempts = "failed", 8
    one = runner.invoke(main, ["retry", "-c", str(config), "--ticket", "SD-1"])
    assert one.exit_code == 0, one.output
    assert "requeued: 1 outbox actions, 0 events, 1 due work" in one.output
    with store.session() as session:
        states = {r.ticket_key: (r.state, r.attempts) for r in session.scalars(select(OutboxAction))}
        lanes = {lane.ticket_key: lane.state for lane in session.scalars(select(Lane))}
    assert states == {"SD-1": ("pending", 0), "SD-2": ("failed", 12)}
    assert lanes["SD-1"] == "ready"  # the worker sees it again
    assert runner.invoke(main, ["retry", "-c", str(config), "--what", "outbox"]).output.startswith(
        "requeued: 1 outbox actions"
    )
    unknown = runner.invoke(main, ["retry", "-c", str(config), "--site", "nosuch"])
    assert unknown.exit_code == 2 and "no site named nosuch" in unknown.output
    store.dispose()
