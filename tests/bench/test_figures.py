"""The benchmarks' shared figures: how a figure is shown, judged against its target, written as JSON
and read back, and laid out in run_all's one table. (The benches' speed is measured by running them,
never asserted here.)"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bench.figures import (
    Figure,
    at_least,
    at_most,
    below,
    machine,
    machine_line,
    markdown_table,
    percentile,
    ratio,
    read_figures,
    show,
    write_json,
)


def test_values_are_shown_with_their_unit_and_what_never_happened_says_so() -> None:
    assert show(None) == "n/a"
    assert show(math.inf, "s") == "never"
    assert show(1234, "events") == "1,234 events"
    assert show(1234.5, "ms") == "1,234 ms"
    assert show(12.345, "s") == "12.3 s"
    assert show(0.456, "s") == "0.46 s"
    assert show(0.2) == "0.20"
    assert show("yes") == "yes"


def test_percentiles_are_values_that_were_measured_and_a_write_that_never_landed_counts() -> None:
    assert percentile([], 99) is None
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([0.3, 0.1, 0.2], 50) == 0.2
    # One ticket of a hundred never written: the p99 is still measured, the p100 is "never".
    assert percentile([*values[:99], math.inf], 99) == 99.0
    assert percentile([*values[:99], math.inf], 100) == math.inf


def test_a_target_is_judged_only_on_a_measured_value() -> None:
    assert below(0.9, 1.0) is True
    assert below(1.0, 1.0) is False
    assert below(None, 1.0) is None
    assert at_most(0.2, 0.2) is True
    assert at_most(0.21, 0.2) is False
    assert at_least(0.5, 0.5) is True
    assert at_least(None, 0.5) is None
    assert ratio(600.0, 1200.0, "bare Flask") == "0.50 of bare Flask"
    assert ratio(None, 1200.0, "bare") == "" == ratio(5.0, 0, "bare")


def test_the_table_says_met_missed_unmeasured_or_nothing_and_keeps_its_columns() -> None:
    figures = [
        Figure("e2e", "isolated p99", 0.62, "s", "< 1 s", met=True),
        Figure("e2e", "sustained p99", math.inf, "s", "< 2 s", note="800 not landed | late", met=False),
        Figure("ingest", "intake req/s", "1,136 / 1,219", target=">= 0.5 of bare", baseline="0.27 of bare"),
        Figure("ela", "timers/s", 79.0, "timers/s"),
    ]
    rows = markdown_table(figures).splitlines()
    assert rows[0] == "| bench | measurement | target | figure | ratio / baseline | target met? |"
    assert all(row.count(" | ") == 5 for row in rows[2:])  # a "|" in a note does not add a column
    assert rows[2].endswith("| 0.62 s |  | yes |")
    assert "never (800 not landed \\| late)" in rows[3] and rows[3].endswith("| **no** |")
    assert rows[4].endswith("| 0.27 of bare | n/a |")  # a target, but nothing judged
    assert rows[5].endswith("| 79.0 timers/s |  |  |")


def test_figures_go_to_json_and_come_back_as_they_were(tmp_path: Path) -> None:
    figures = [
        Figure("e2e", "p99", 0.5, "s", "< 1 s", note="n", baseline="b", met=True),
        Figure("e2e", "not measured", None, note="why"),
    ]
    before = machine()
    out = tmp_path / "e2e.json"
    write_json(out, "e2e", figures, before, extra="kept")
    document = json.loads(out.read_text())
    assert document["bench"] == "e2e" and document["extra"] == "kept"
    assert document["machine"]["cores"] == before["cores"]
    assert read_figures(document) == figures
    # A figure written by an older bench, with fields this version does not know, still reads.
    document["figures"][0]["colour"] = "red"
    assert read_figures(document)[0] == figures[0]
    write_json(None, "e2e", figures, before)  # no --json: nothing written, no error


def test_the_machine_line_names_the_cpu_the_load_before_and_after_and_the_databases() -> None:
    before = {**machine(), "load": [1.0, 2.0, 3.0], "postgresql": "15.8"}
    after = {**before, "load": [4.0, 5.0, 6.0]}
    line = machine_line(before, after)
    assert f"{before['cores']} cores" in line
    assert "1.00/2.00/3.00 before, 4.00/5.00/6.00 after" in line
    assert "PostgreSQL 15.8" in line and f"SQLite {before['sqlite']}" in line


@pytest.mark.parametrize(("value", "word"), [(True, "yes"), (False, "no")])
def test_a_yes_or_no_value_is_a_word(value: bool, word: str) -> None:
    assert show(value) == word
