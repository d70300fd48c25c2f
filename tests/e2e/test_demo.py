"""`ela demo` end to end: the story changes the mood fields on the simulated ticket as it should."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from connector.demo import STORY, DemoResult, run_demo
from simulators.jira.testing import default_openapi_spec


@dataclass(frozen=True)
class Played:
    result: DemoResult
    lines: list[str]
    workdir: Path


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Played:
    """One run of the demo (about 15 s) for every assertion about it."""
    lines: list[str] = []
    workdir = tmp_path_factory.mktemp("demo")
    return Played(
        run_demo(lines.append, workdir=workdir, openapi_spec=default_openapi_spec()), lines, workdir
    )


def test_the_demo_story_moves_the_mood_fields(played: Played) -> None:
    result, lines, tmp_path = played.result, played.lines, played.workdir
    assert result.violations == []
    customer_messages = sum(len(s.texts) for s in STORY if s.actor == "customer" and s.action != "raise")
    assert len(result.timeline) == customer_messages
    first, last = result.changes[0], result.fields
    assert first["mood"] in ("Negative", "Very negative")
    assert first["initial_mood"] == first["mood"]
    assert last["mood"] in ("Positive", "Very positive")
    assert last["initial_mood"] == first["mood"]  # the baseline stays the first message's mood
    assert last["mood_score"] == round(result.timeline[-1], 3)
    assert result.burst_writes == 1  # three messages in a row, one write
    assert result.field_writes == len(result.changes)  # every write changed what an agent sees
    assert result.webhooks_sent > result.events_stored  # field writes echo back as ignored updates
    assert (tmp_path / "ela.db").exists()
    text = "\n".join(lines)
    assert "Jira SUP-1 fields: mood - -> " in text and "Summary" in text


def test_the_demo_shows_a_customer_going_at_risk_the_escalation_and_the_recovery(played: Played) -> None:
    result, lines = played.result, played.lines
    ela = result.ela
    assert ela is not None
    assert list(dict.fromkeys(ela.statuses)) == ["On track", "At risk", "Met"]
    assert "ela-at-risk" in ela.during["labels"] and ela.during["priority"] == "High"
    [note] = ela.during["notes"]
    assert "no reply 3h after a" in note.lower() and "last mood" in note
    [chat] = ela.chat
    assert chat.startswith(f"ELA at risk: {ela.ticket}")
    assert "ela-at-risk" not in ela.after["labels"]
    text = "\n".join(lines)
    assert "Slack (simulated) received: ELA at risk" in text
    assert f"ELA of {ela.ticket}: On track -> At risk -> Met" in text
    assert result.fields["sla_ela"] == "Both met"  # the mood story's ticket, resolved with its SLAs met
