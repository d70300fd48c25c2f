"""bench/run_all.py: which bench runs with what, and one real (small) run through to its table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.figures import Figure
from bench.run_all import BENCHES, REPO, plan, summary


def test_every_bench_is_planned_and_each_postgres_is_passed_on() -> None:
    runs, missing = plan(BENCHES, quick=False, postgres=["postgresql://a/x", "postgresql://b/y"])
    benches = {run.bench for run in runs} | {figure.bench for figure in missing}
    assert benches == set(BENCHES)
    for run in runs:
        if run.bench in ("ingest", "claim", "e2e"):
            assert run.args.count("--postgres") == 2, run
    surveys = [run for run in runs if run.bench == "survey"]
    # survey_bench takes one server: the first one given
    assert [run.args.count("--postgres") for run in surveys] == [0, 1]
    assert "postgresql://a/x" in surveys[1].args
    for run in runs:
        assert (REPO / "bench" / f"{run.bench}_bench.py").exists()


def test_quick_mode_asks_each_bench_for_a_short_run() -> None:
    runs, _ = plan(BENCHES, quick=True, postgres=[])
    args = {run.bench: run.args for run in runs}
    assert "--quick" in args["e2e"]
    assert args["ingest"][:2] == ("--duration", "3")
    assert "--postgres" not in sum(args.values(), ())


def test_the_summary_counts_targets_and_names_each_one_missed() -> None:
    figures = [
        Figure("e2e", "isolated p99", 0.6, "s", "< 1 s", met=True),
        Figure("e2e", "sustained p99", 9.0, "s", "< 2 s", met=False),
        Figure("ela", "timers/s", 80.0),
    ]
    text = summary(figures)
    assert text.splitlines()[0] == "targets met: 1 of 2"
    assert "missed: e2e: sustained p99: 9.00 s (target < 2 s)" in text


@pytest.mark.slow
def test_a_quick_run_of_one_bench_prints_the_table_and_the_machine(tmp_path: Path) -> None:
    markdown = tmp_path / "table.md"
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "run_all.py"),
            "--quick",
            "--only",
            "ela",
            "--markdown",
            str(markdown),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    table = done.stdout.split("\n\n")[0].splitlines()
    assert table[0].startswith("| bench | measurement | target | figure |")
    rows = [row for row in table[2:] if row.startswith("| ela |")]
    assert len(rows) == 3 and all("events/s" in row or "timers/s" in row for row in rows)
    assert "Machine: " in done.stdout and "cores" in done.stdout
    assert "ela: starting" in done.stderr  # progress while it runs
    assert markdown.read_text().strip() == done.stdout.strip()
