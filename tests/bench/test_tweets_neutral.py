"""The tweets' neutral-band bench: the reader that knows the raters' mean to +-c, the reader with a
Gaussian error on it, the mean read from plain lexicons, and the layer trained with the tweets
relabelled at +-c."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bench.tweets_neutral import (
    TWEETS,
    band_label,
    gaussian_rows,
    held_out_half,
    main,
    oracle_rows,
    regression_row,
)
from sentiment.evaluate import LabelledText
from sentiment.training import prepare_rows


def rated(mean: float) -> LabelledText:
    # labelled as vader-tweets.csv is: neutral within +-0.05 of zero
    return LabelledText(f"text rated {mean}", band_label(mean, 0.05), mean=mean)


def test_the_file_band_reproduces_the_labels_and_a_wider_one_calls_more_neutral() -> None:
    means = [-2.0, -0.3, -0.08, -0.05, 0.0, 0.05, 0.08, 0.3, 2.0]
    assert [band_label(m, 0.05) for m in means] == [-1, -1, -1, 0, 0, 0, 1, 1, 1]
    assert [band_label(m, 0.25) for m in means] == [-1, -1, 0, 0, 0, 0, 0, 1, 1]


def test_a_coarser_reader_tells_neutral_worse() -> None:
    rows = [rated(m) for m in (-2.0, -0.45, -0.08, -0.04, 0.0, 0.03, 0.15, 0.35, 2.5)] * 3
    lines = oracle_rows(rows)
    neutral_f1 = [float(line.split()[-2]) for line in lines[1:]]
    macro = [float(line.split()[-1]) for line in lines[1:]]
    assert neutral_f1 == sorted(neutral_f1, reverse=True) and neutral_f1[0] < 1.0
    assert macro[0] > macro[-1]


def test_a_reader_with_a_wider_error_on_the_mean_tells_the_labels_worse() -> None:
    rng = random.Random(3)
    means = [rng.uniform(-3, 3) for _ in range(300)] + [0.0, 0.05, -0.05] * 10
    lines = gaussian_rows([(m, band_label(m, 0.05)) for m in means])
    macro = [float(line.split()[-1]) for line in lines[1:]]
    assert macro == sorted(macro, reverse=True) and macro[0] - macro[-1] > 0.05


def test_the_mean_read_from_lexicons_is_fitted_out_of_fold_and_its_error_measured() -> None:
    words = {-2.0: "This is awful, I hate it.", 0.0: "The meeting is at noon.", 2.0: "Great, I love it!"}
    texts = [words[m] for m in words] * 20
    rated = [(m, band_label(m, 0.05)) for m in words] * 20
    error, figures = regression_row(rated, texts)[1].split("error on the mean ")[1].split(" ", 1)
    # the words say the mean: read almost exactly, every label right
    assert float(error) < 0.3 and figures.endswith("macro-F1 1.000")
    # the same texts with means that have nothing to do with them: the error is about their spread
    shuffled = [(m, band_label(m, 0.05)) for m in random.Random(5).choices(list(words), k=len(texts))]
    noisy = regression_row(shuffled, texts)[1]
    assert float(noisy.split("error on the mean ")[1].split()[0]) > 1.2


def test_the_held_out_half_trains_on_the_relabelled_other_half() -> None:
    words = {-1: "awful broken useless", 0: "the meeting is at noon", 1: "great lovely thanks"}
    means = [-2.0, -0.2, 0.0, 0.2, 2.0] * 8
    rows = [LabelledText(words[band_label(m, 0.05)], band_label(m, 0.05), mean=m) for m in means]
    others = [LabelledText(words[label], label) for label in (-1, 0, 1)] * 6
    data = [(TWEETS, prepare_rows(rows, TWEETS)), ("desk", prepare_rows(others, "desk"))]
    as_labelled, wider = held_out_half(data, 0.05, 0), held_out_half(data, 0.25, 0)
    assert "macro-F1" in as_labelled and "neutral" in as_labelled
    # half of the 8 tweets rated 0, and at +-0.25 also half of the 16 rated +-0.2
    assert as_labelled.split()[1] == "4" and wider.split()[1] == "12"


def test_missing_data_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(tmp_path), "--oracle-only"]) == 2
    assert "vader-tweets.csv" in capsys.readouterr().err
