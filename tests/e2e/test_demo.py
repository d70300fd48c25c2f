"""`ela demo` end to end, on every simulated desk: the story changes the mood fields on the simulated
ticket as it should, and (where the desk's demo configuration has ELA policies) a customer goes at
risk, is escalated and recovers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from connector.cli import main
from connector.demo import STORY, DemoResult, run_demo, simulated_platforms
from simulators.jira.testing import default_openapi_spec


@dataclass(frozen=True)
class Played:
    result: DemoResult
    lines: list[str]
    workdir: Path


_played: dict[str, Played] = {}


@pytest.fixture(scope="module")
def play(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One run of the demo per desk (about 15 s each) for every assertion about it."""

    def played(platform: str) -> Played:
        if platform not in _played:
            lines: list[str] = []
            workdir = tmp_path_factory.mktemp(f"demo-{platform}")
            result = run_demo(
                lines.append, platform=platform, workdir=workdir, openapi_spec=default_openapi_spec()
            )
            _played[platform] = Played(result, lines, workdir)
        return _played[platform]

    yield played
    _played.clear()


@pytest.mark.parametrize("platform", simulated_platforms())
def test_the_demo_story_moves_the_mood_fields(play, platform: str) -> None:  # type: ignore[no-untyped-def]
    result, lines, tmp_path = play(platform).result, play(platform).lines, play(platform).workdir
    assert result.violations == []
    customer_messages = sum(
        len(s.texts) for s in STORY if s.action in ("comment", "burst") and s.actor == "customer"
    )
    if result.survey:  # the desk's demo configuration has a survey (Jira's)
        customer_messages += 1  # the survey answer's comment joins the mood timeline
    assert len(result.timeline) == customer_messages
    first, last = result.changes[0], result.fields
    assert first["mood"] in ("Negative", "Very negative")
    assert first["initial_mood"] == first["mood"]
    assert last["mood"] in ("Positive", "Very positive")
    assert last["initial_mood"] == first["mood"]  # the baseline stays the first message's mood
    assert last["mood_score"] == round(result.timeline[-1], 3)
    assert result.burst_writes == 1  # three messages in a row, one write
    assert result.field_writes == len(result.changes)  # every write changed what an agent sees
    if platform == "jira":
        assert result.webhooks_sent > result.events_stored  # field writes echo back as ignored updates
    else:
        # The business rule posts only what the connector follows: its own column writes post nothing.
        assert result.webhooks_sent == result.events_stored
    assert (tmp_path / "ela.db").exists()
    text = "\n".join(lines)
    assert f"{result.ticket} fields: mood - -> " in text and "Summary" in text


def test_the_demo_sends_a_survey_answered_through_its_link(play) -> None:  # type: ignore[no-untyped-def]
    result = play("jira").result
    last = result.fields
    assert result.survey["page"] == 200 and "/s/" in result.survey["link"]
    assert last["csat_score"] == result.survey["rating"] == 5
    assert last["survey_status"] == "Answered"
    assert last["survey_comment"] == result.survey["comment"]


def test_the_demo_shows_a_customer_going_at_risk_the_escalation_and_the_recovery(play) -> None:  # type: ignore[no-untyped-def]
    result, lines = play("jira").result, play("jira").lines
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


def test_the_demo_plays_servicenow_from_the_command_line(tmp_path: Path) -> None:
    played = CliRunner().invoke(main, ["demo", "--platform", "servicenow", "--keep", str(tmp_path), "--json"])
    assert played.exit_code == 0, played.output
    assert "ServiceNow INC0010001 fields: mood - -> " in played.output
    assert '"ticket": "INC0010001"' in played.output
    refused = CliRunner().invoke(main, ["demo", "--platform", "zendesk"])
    assert refused.exit_code == 2 and "'zendesk' is not one of jira, servicenow" in refused.output
