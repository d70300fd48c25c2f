"""`ela report ela`: compliance per policy and the SLA x ELA quadrants, from a real database, as a table,
CSV and JSON, for a period."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.events import AuthorRole, EventKind, SlaState, StatusCategory
from connector.cli import main
from connector.store import Store
from tests.connector.conftest import T0, EventFactory
from tests.connector.ela.support import ANGRY, CALM, POLICIES, SITE, Clock, Ela, settings_with

MET_SLA = (SlaState(name="Time to resolution", breached=False, completed=True),)
BREACHED_SLA = (SlaState(name="Time to resolution", breached=True, ever_breached=True, completed=True),)
DONE = {"status": "Resolved", "status_category": StatusCategory.done}


@pytest.fixture
def config(store_url: str, tmp_path: Path) -> Path:
    path = tmp_path / "ela.yaml"
    path.write_text(f'database: {{url: "{store_url}"}}\n' + POLICIES + SITE)
    return path


def history(store: Store, make_event: EventFactory) -> None:
    """Four tickets over two days: a reply in time, a breach on a ticket whose SLA was met, a wait
    still running, and a calm customer whose SLA was breached."""
    ela = Ela(store, settings_with(), Clock(T0))
    ela.process(make_event(text=ANGRY, key="SD-1", minutes=0))
    ela.process(make_event(text="On it.", key="SD-1", role=AuthorRole.agent, minutes=60))
    ela.process(make_event(EventKind.transitioned, key="SD-1", minutes=120, slas=MET_SLA, **DONE))
    next_day = 24 * 60
    ela.process(make_event(text=ANGRY, key="SD-2", minutes=next_day))
    ela.fire_at(T0 + timedelta(days=1, hours=5))
    ela.process(make_event(EventKind.transitioned, key="SD-2", minutes=next_day + 360, slas=MET_SLA, **DONE))
    ela.process(make_event(text=ANGRY, key="SD-3", minutes=next_day + 400))
    ela.process(make_event(text=CALM, key="SD-4", minutes=next_day + 10))
    ela.process(
        make_event(EventKind.transitioned, key="SD-4", minutes=next_day + 20, slas=BREACHED_SLA, **DONE)
    )


def run(config: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["report", "ela", "-c", str(config), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_json_report_counts_verdicts_running_waits_and_quadrants(
    store: Store, make_event: EventFactory, config: Path
) -> None:
    history(store, make_event)
    everything = json.loads(run(config, "--format", "json"))
    [reply] = everything["policies"]
    assert reply == {
        "policy": "reply",
        "title": "Reply to unhappy customers",
        "kind": "respond_to_negative",
        "met": 1,
        "breached": 1,
        "at_risk_now": 0,
        "on_track_now": 1,
        "configured": True,
        "compliance": 50.0,
    }
    assert everything["sla_ela"] == {
        "both_met": 1,
        "watermelon": 1,
        "sla_breached": 1,
        "both_breached": 0,
        "no_sla": 0,
        "no_ela": 0,
    }
    assert everything["period"] == {"from": None, "to": None}
    # The second day only: SD-1's verdict and resolution fall on the first.
    second_day = json.loads(run(config, "--from", "2026-11-03", "--to", "2026-11-03", "--format", "json"))
    assert (second_day["policies"][0]["met"], second_day["policies"][0]["breached"]) == (0, 1)
    assert second_day["sla_ela"]["both_met"] == 0 and second_day["sla_ela"]["watermelon"] == 1
    assert second_day["period"] == {"from": "2026-11-03T00:00:00+00:00", "to": "2026-11-04T00:00:00+00:00"}


def test_the_table_and_csv_show_the_same_counts(store: Store, make_event: EventFactory, config: Path) -> None:
    history(store, make_event)
    table = run(config)
    assert "ELA compliance per policy, verdicts from the start to now" in table
    assert "Reply to unhappy customers  respond_to_negative    1         1       50.0%" in table
    assert "SLA met             1             1" in table
    assert "watermelon (SLA met, ELA breached): 1" in table
    first, second = run(config, "--format", "csv").split("\n\n")
    [row] = list(csv.DictReader(io.StringIO(first)))
    assert (row["policy"], row["met"], row["breached"], row["compliance"]) == (
        "Reply to unhappy customers",
        "1",
        "1",
        "50.0",
    )
    quadrants = {r[""]: r for r in csv.DictReader(io.StringIO(second))}
    assert quadrants["SLA met"]["ELA breached"] == "1" and quadrants["SLA breached"]["ELA met"] == "1"


def test_an_empty_database_reports_zeros_and_no_compliance(store: Store, config: Path) -> None:
    report = json.loads(run(config, "--format", "json"))
    assert report["policies"][0]["compliance"] is None
    assert set(report["sla_ela"].values()) == {0}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "yesterday"], "give a day"),
        (["--from", "2026-11-05", "--to", "2026-11-01"], "must come before --to"),
        (["--format", "xml"], "'xml' is not one of"),
    ],
)
def test_bad_options_are_refused(store: Store, config: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["report", "ela", "-c", str(config), *args])
    assert result.exit_code == 2 and message in result.output
