"""Summing py-spy's raw recordings per function: what the benchmark prints as "where the time goes"."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.profiles import REPO, report, summarize


def test_samples_are_summed_per_function_own_and_with_callees(tmp_path: Path) -> None:
    raw = tmp_path / "worker-gil.raw"
    processor = f"process_once ({REPO}/connector/processor.py:60)"
    pipeline = f"Pipeline.process ({REPO}/connector/pipeline/__init__.py:80)"
    commit = "DefaultDialect.do_commit (/venv/lib/python3.11/site-packages/sqlalchemy/engine/default.py:700)"
    wait = "Condition.wait (/usr/lib/python3.11/threading.py:320)"
    raw.write_text(
        f"{processor};{pipeline} 6\n{processor};{commit} 3\n{wait} 1\na line py-spy never writes\n"
    )
    samples, hot = summarize(raw)
    assert samples == 10
    by_place = {h.where: h for h in hot}
    assert by_place["connector/processor.py:process_once"].own == 0
    assert by_place["connector/processor.py:process_once"].total == pytest.approx(0.9)
    assert by_place["connector/pipeline/__init__.py:Pipeline.process"].own == pytest.approx(0.6)
    assert by_place["sqlalchemy/engine/default.py:DefaultDialect.do_commit"].own == pytest.approx(0.3)
    assert by_place["stdlib/threading.py:Condition.wait"].own == pytest.approx(0.1)

    text = report(raw, "profile of the worker")
    own, callees = text.split("with callees")
    assert own.index("Pipeline.process") < own.index("do_commit") < own.index("Condition.wait")
    # Only the project's own code is listed with its callees: that is where a fix would go.
    assert "connector/processor.py:process_once" in callees and "sqlalchemy" not in callees


def test_an_empty_recording_says_so(tmp_path: Path) -> None:
    raw = tmp_path / "empty.raw"
    raw.write_text("")
    assert summarize(raw) == (0, [])
    assert report(raw, "web") == "web: no samples"
