"""`ela demo` end to end: the story changes the mood fields on the simulated ticket as it should."""

from __future__ import annotations

from pathlib import Path

from connector.demo import STORY, run_demo
from simulators.jira.testing import default_openapi_spec


def test_the_demo_story_moves_the_mood_fields(tmp_path: Path) -> None:
    lines: list[str] = []
    result = run_demo(lines.append, workdir=tmp_path, openapi_spec=default_openapi_spec())
    assert result.violations == []
    customer_messages = sum(
        len(s.texts) for s in STORY if s.action in ("comment", "burst") and s.actor == "customer"
    )
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
    assert result.webhooks_sent > result.events_stored  # field writes echo back as ignored updates
    assert (tmp_path / "ela.db").exists()
    # The survey: sent after the resolution, answered through its link, written back.
    assert result.survey["page"] == 200 and "/s/" in result.survey["link"]
    assert last["csat_score"] == result.survey["rating"] == 5
    assert last["survey_status"] == "Answered"
    assert last["survey_comment"] == result.survey["comment"]
    text = "\n".join(lines)
    assert "Jira SUP-1 fields: mood - -> " in text and "Summary" in text
