"""`ela demo` end to end, on every simulated desk: the story changes the mood fields on the simulated
ticket as it should."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from connector.cli import main
from connector.demo import STORY, run_demo, simulated_platforms
from simulators.jira.testing import default_openapi_spec


@pytest.mark.parametrize("platform", simulated_platforms())
def test_the_demo_story_moves_the_mood_fields(tmp_path: Path, platform: str) -> None:
    lines: list[str] = []
    result = run_demo(lines.append, platform=platform, workdir=tmp_path, openapi_spec=default_openapi_spec())
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
    if platform == "jira":
        assert result.webhooks_sent > result.events_stored  # field writes echo back as ignored updates
    else:
        # The business rule posts only what the connector follows: its own column writes post nothing.
        assert result.webhooks_sent == result.events_stored
    assert (tmp_path / "ela.db").exists()
    text = "\n".join(lines)
    assert f"{result.ticket} fields: mood - -> " in text and "Summary" in text


def test_ela_demo_plays_servicenow_from_the_command_line(tmp_path: Path) -> None:
    played = CliRunner().invoke(main, ["demo", "--platform", "servicenow", "--keep", str(tmp_path), "--json"])
    assert played.exit_code == 0, played.output
    assert "ServiceNow INC0010001 fields: mood - -> " in played.output
    assert '"ticket": "INC0010001"' in played.output
    refused = CliRunner().invoke(main, ["demo", "--platform", "zendesk"])
    assert refused.exit_code == 2 and "'zendesk' is not one of jira, servicenow" in refused.output
