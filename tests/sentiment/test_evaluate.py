"""Metrics and labelled CSVs."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentiment.evaluate import (
    DatasetError,
    bootstrap_macro_f1,
    evaluate,
    format_report,
    mean_and_std,
    read_labelled,
)


def test_metrics_by_hand() -> None:
    gold = [-1, -1, 0, 0, 0, 1, 1, 1]
    predicted = [-1, 0, 0, 0, 1, 1, 1, -1]
    report = evaluate(gold, predicted)
    negative, neutral, positive = report.classes
    assert (negative.precision, negative.recall, negative.support) == (0.5, 0.5, 2)
    assert (neutral.precision, neutral.recall) == (2 / 3, 2 / 3)
    assert (positive.precision, positive.recall) == (2 / 3, 2 / 3)
    assert report.macro_f1 == pytest.approx((0.5 + 2 / 3 + 2 / 3) / 3)
    assert report.accuracy == 5 / 8
    text = format_report(report, "title")
    assert "macro-F1  0.611" in text and "accuracy  0.625" in text and text.startswith("title")


def test_a_class_never_predicted_scores_zero() -> None:
    report = evaluate([1, 0, -1], [0, 0, 0])
    assert report.classes[0].f1 == 0.0 and report.classes[2].f1 == 0.0


BY_HAND_GOLD = [-1, -1, 0, 0, 0, 1, 1, 1]
BY_HAND_PREDICTED = [-1, 0, 0, 0, 1, 1, 1, -1]


def test_bootstrap_of_perfect_predictions_does_not_move() -> None:
    spread = bootstrap_macro_f1([-1, 0, 1] * 50, [-1, 0, 1] * 50, draws=200)
    assert (spread.std, spread.low, spread.high, spread.draws) == (0.0, 1.0, 1.0, 200)


def test_bootstrap_brackets_the_figure_and_narrows_with_more_texts() -> None:
    figure = evaluate(BY_HAND_GOLD * 100, BY_HAND_PREDICTED * 100).macro_f1
    small = bootstrap_macro_f1(BY_HAND_GOLD * 100, BY_HAND_PREDICTED * 100, draws=500)
    large = bootstrap_macro_f1(BY_HAND_GOLD * 400, BY_HAND_PREDICTED * 400, draws=500)
    assert small.low < figure < small.high
    assert large.low < figure < large.high
    assert small.std > 0.0
    # Four times the texts, half the spread (the standard error goes as 1 / sqrt(n)).
    assert 0.4 < large.std / small.std < 0.6
    assert bootstrap_macro_f1(BY_HAND_GOLD * 100, BY_HAND_PREDICTED * 100, draws=500) == small


def test_a_paired_bootstrap_reads_both_engines_on_the_same_resamples() -> None:
    gold, poor = BY_HAND_GOLD * 100, BY_HAND_PREDICTED * 100
    same = bootstrap_macro_f1(gold, poor, draws=300, baseline=poor)
    assert (same.std, same.low, same.high) == (0.0, 0.0, 0.0)
    better = bootstrap_macro_f1(gold, gold, draws=300, baseline=poor)
    gap = 1.0 - evaluate(gold, poor).macro_f1
    assert 0.0 < better.low < gap < better.high
    # Paired, the difference moves exactly as the poorer engine's figure does (the other is always 1).
    assert better.std == pytest.approx(bootstrap_macro_f1(gold, poor, draws=300).std)
    with pytest.raises(ValueError, match="800 gold labels but 800 and 8 predictions"):
        bootstrap_macro_f1(gold, poor, baseline=BY_HAND_PREDICTED)


def test_bootstrap_refuses_what_it_cannot_resample() -> None:
    with pytest.raises(ValueError, match="2 gold labels but 1 predictions"):
        bootstrap_macro_f1([1, 0], [1])
    with pytest.raises(ValueError, match="no texts"):
        bootstrap_macro_f1([], [])
    with pytest.raises(ValueError, match="at least 2"):
        bootstrap_macro_f1([1, 0], [1, 0], draws=1)


def test_mean_and_std() -> None:
    assert mean_and_std([1.0, 2.0, 3.0]) == (2.0, 1.0)
    assert mean_and_std([]) == (0.0, 0.0)


def write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "data.csv"
    path.write_text(content, encoding="utf-8")
    return path


def test_read_labelled(tmp_path: Path) -> None:
    rows = read_labelled(
        write(tmp_path, 'id,dataset,text,oracle\n1,f0,"Great, thanks",1\n2,f1,meh,0\n3,f1,bad,-1\n')
    )
    assert [(r.text, r.label, r.group) for r in rows] == [
        ("Great, thanks", 1, "f0"),
        ("meh", 0, "f1"),
        ("bad", -1, "f1"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("text,label\nx,1\n", "no column 'oracle' \\(columns: text, label\\)"),
        ("text,oracle\nx,2\n", "data.csv:2: label '2' in column 'oracle' is not -1, 0 or 1"),
        ("text,oracle\nx,positive\n", "label 'positive'"),
        ("text,oracle\n", "no rows"),
        ("", "no column"),
    ],
)
def test_bad_files(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        read_labelled(write(tmp_path, content))


def test_missing_and_undecodable_files(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such file"):
        read_labelled(tmp_path / "absent.csv")
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"text,oracle\ncaf\xe9,1\n")
    with pytest.raises(DatasetError, match="not UTF-8"):
        read_labelled(path)
