"""The sentiment bench's table: a row per engine and file, one for each reading asked for by --domain,
and an unknown domain refused with the ones the shipped model has."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.sentiment_bench import ela, ela_reading, main, paired_differences
from sentiment.evaluate import evaluate


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    path = tmp_path / "few.csv"
    path.write_text(
        "text,oracle\n"
        '"Thanks, merged.",1\n'
        "The build is broken again and nobody replied.,-1\n"
        "Attached the log file.,0\n",
        encoding="utf-8",
    )
    return path


def test_a_domain_reading_gets_its_own_row(labelled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(labelled), "--passes", "1", "--domain", "jira"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    engines = [row[0] for row in rows if len(row) > 2 and row[1] == "few.csv"]
    assert engines[-2:] == ["ela-textblob", "ela@jira"]
    jira = next(row for row in rows if row[:2] == ["ela@jira", "few.csv"])
    assert jira[2] == "3" and 0.0 <= float(jira[3]) <= 1.0


def test_an_unknown_domain_is_refused_with_the_known_ones(
    labelled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(labelled), "--passes", "1", "--domain", "yelp"]) == 2
    err = capsys.readouterr().err
    assert "--domain yelp" in err and "goemotions" in err and "jira" in err


def test_a_domain_row_reads_as_that_domain() -> None:
    # A developer's "Thanks, merged." is a formula; a customer's thanks is praise.
    assert ela()("Thanks, merged.") == 1
    assert ela_reading("jira")("Thanks, merged.") == 0


def test_an_empty_domain_is_refused(labelled: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([str(labelled), "--passes", "1", "--domain", " "])
    assert exit_.value.code == 2


def test_bootstrap_prints_each_of_our_rows_against_each_baseline(
    labelled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(labelled), "--passes", "1", "--bootstrap", "50", "--domain", "jira"]) == 0
    out = capsys.readouterr().out
    assert "macro-F1 differences over 50 resamples of each file" in out
    for ours in ("ela-textblob", "ela@jira"):
        assert f"few.csv: {ours} - textblob-plain " in out


def test_a_paired_difference_is_the_figures_difference_within_its_range() -> None:
    gold = [-1, 0, 1, 1] * 50
    perfect, poor = list(gold), [0, 0, 1, -1] * 50
    (line,) = paired_differences("f.csv", gold, {"plain": poor, "ela": perfect}, 200, in_sample=True)
    f1 = 1.0 - evaluate(gold, poor).macro_f1
    assert line.startswith(f"  f.csv: ela - plain {f1:+.3f} (")
    low, high = (float(x) for x in line.split("(")[1].split(", in-sample)")[0].split(" to "))
    assert 0.0 < low < f1 < high
    # Identical labels differ by nothing on every resample.
    (same,) = paired_differences("f.csv", gold, {"plain": poor, "ela": poor}, 200)
    assert same == "  f.csv: ela - plain +0.000 (+0.000 to +0.000)"


def test_one_resample_is_refused(labelled: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([str(labelled), "--passes", "1", "--bootstrap", "1"])
    assert exit_.value.code == 2
