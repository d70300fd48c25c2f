"""How finely VADER's tweets cut their neutral class, and whether a wider one helps the layer learn it.

    python bench/tweets_neutral.py                       # both parts, about 2 minutes a band on one core
    python bench/tweets_neutral.py --oracle-only         # the readers of the mean only, in a few seconds
    python bench/tweets_neutral.py --bands 0.05 0.25     # the training bands to try (raters' mean)

vader-tweets.csv labels a tweet neutral when the mean of its 20-odd raters lies within +-0.05 of zero,
on a scale of -4 to 4: 108 of 4,200 tweets. The first part asks how well any reader could tell that
class who knew every tweet's mean only to within +-c (and never got a sign wrong): it calls neutral
whatever lies within c of zero, and prints that reader's neutral F1 and macro-F1 against the file's
labels. Two more readers follow: one whose error on the mean is Gaussian with a given spread (the
band it calls neutral chosen at its best, so an upper bound), and the best reading of the mean from
the text that plain lexicons give, measured: a least-squares fit of the mean on VADER's and
TextBlob's scores, 5-fold cross-validated, its neutral band chosen on the training folds. Its error
on the mean, set beside the Gaussian reader's, says how well a reader must know the raters to pass a
given macro-F1. The second part trains the layer as `ela sentiment train` does, on every shared file
but one half of the tweets, with the trained-on half relabelled from its mean at +-c (c = 0.05 is
the file as labelled), and scores the held-out half, read as the tweets' domain, against the file's
own labels. Its thresholds and one-sentence rule are fitted on that half's own predictions:
optimistic, and alike for every band, so the rows compare with each other, not with the
cross-validated figure.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sentiment.evaluate import DatasetError, LabelledText, evaluate, read_labelled
from sentiment.model import LinearModel, aggregate
from sentiment.recipe import default_data_dir, read_shared, shipped_config
from sentiment.training import Prepared, calibrate, fit_items, prepare_rows, read_prepared, stratified_folds

TWEETS = "vader-tweets"
ORACLE_BANDS = (0.1, 0.2, 0.25, 0.3, 0.4, 0.5)
GAUSSIAN_SPREADS = (0.2, 0.25, 0.3, 0.5, 0.7)
NEUTRAL_BANDS = tuple(round(0.05 * i, 2) for i in range(31))  # 0 to 1.5 of the raters' -4..4 scale


def band_label(mean: float, band: float) -> int:
    return 0 if abs(mean) <= band else (1 if mean > 0 else -1)


def oracle_rows(rows: list[LabelledText]) -> list[str]:
    rated = [(r.mean, r.label) for r in rows if r.mean is not None]
    gold = [label for _, label in rated]
    lines = ["reader knowing the mean to +-c   neutral F1   macro-F1"]
    for band in ORACLE_BANDS:
        report = evaluate(gold, [band_label(mean, band) for mean, _ in rated])
        neutral = next(c for c in report.classes if c.label == 0)
        lines.append(f"  c = {band:<4}                         {neutral.f1:10.3f} {report.macro_f1:10.3f}")
    return lines


def best_band(means: Sequence[float], gold: Sequence[int]) -> tuple[float, float]:
    """The neutral band that gives these read means their best macro-F1 against gold, and that figure."""
    return max(
        (evaluate(list(gold), [band_label(m, band) for m in means]).macro_f1, band) for band in NEUTRAL_BANDS
    )


def gaussian_rows(rated: list[tuple[float, int]]) -> list[str]:
    gold = [label for _, label in rated]
    lines = ["reader whose error on the mean is Gaussian, spread sd   macro-F1 (mean of 10 draws, best band)"]
    for spread in GAUSSIAN_SPREADS:
        figures = []
        for seed in range(10):
            draw = np.random.default_rng(seed).normal(0.0, spread, len(rated))
            figures.append(best_band([m + e for (m, _), e in zip(rated, draw, strict=True)], gold)[0])
        lines.append(f"  sd = {spread:<4}                                         {sum(figures) / 10:10.3f}")
    return lines


def lexicon_scores(texts: Sequence[str]) -> npt.NDArray[np.float64]:
    """VADER's four scores, TextBlob's polarity and the compound's curve: what a plain lexicon knows."""
    from textblob import TextBlob
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    rows = []
    for text in texts:
        v = vader.polarity_scores(text)
        c = v["compound"]
        rows.append([1.0, c, c * c, c**3, v["pos"], v["neg"], v["neu"], TextBlob(text).sentiment.polarity])
    return np.array(rows)


def regression_row(rated: list[tuple[float, int]], texts: Sequence[str]) -> list[str]:
    features = lexicon_scores(texts)
    means = np.array([m for m, _ in rated])
    gold = [label for _, label in rated]
    fold = np.array(stratified_folds(gold, 5, 13))
    read = np.zeros(len(rated))
    predicted = [0] * len(rated)
    for k in range(5):
        train, held = fold != k, fold == k
        weights = np.linalg.lstsq(features[train], means[train], rcond=None)[0]
        trained_gold = [g for g, t in zip(gold, train, strict=True) if t]
        band = best_band(list(features[train] @ weights), trained_gold)[1]
        read[held] = features[held] @ weights
        for i in np.flatnonzero(held):
            predicted[i] = band_label(float(read[i]), band)
    error = float(np.sqrt(np.mean((read - means) ** 2)))
    report = evaluate(gold, predicted)
    neutral = next(c for c in report.classes if c.label == 0)
    return [
        "the mean read from VADER's and TextBlob's scores (least squares, 5-fold cross-validated):",
        f"  error on the mean {error:.2f} (root mean square; the means spread {float(means.std()):.2f})"
        f"   neutral F1 {neutral.f1:.3f}   macro-F1 {report.macro_f1:.3f}",
    ]


def held_out_half(data: list[tuple[str, list[Prepared]]], band: float, half: int) -> str:
    tweets = next(items for domain, items in data if domain == TWEETS)
    fold = stratified_folds([t.label for t in tweets], 2, 13)
    held = [t for t, f in zip(tweets, fold, strict=True) if f == half]
    # a tweet without a mean (none in the shared file) keeps its label
    relabelled = [t if t.mean is None else replace(t, label=band_label(t.mean, band)) for t in tweets]
    train = [t for t, f in zip(relabelled, fold, strict=True) if f != half]
    for domain, items in data:
        if domain != TWEETS:
            train += items
    weights, bias = fit_items(train, shipped_config())
    reader = LinearModel(weights, bias).reading(TWEETS)
    read = [read_prepared(reader, t) for t in held]
    lexicon = [[f.get("lex", 0.0) for f in t.sentences] for t in held]
    gold = [t.label for t in held]
    shifts = [t.signal_shift for t in held]
    fitted = calibrate([m for m, _ in read], [s for _, s in read], lexicon, gold, shifts=shifts)
    predicted = [
        fitted.label(aggregate(m, s, fitted, lx, sh))
        for (m, s), lx, sh in zip(read, lexicon, shifts, strict=True)
    ]
    report = evaluate(gold, predicted)
    f1 = {c.label: c.f1 for c in report.classes}
    trained_neutral = sum(1 for t in train if t.domain == TWEETS and t.label == 0)
    return (
        f"  +-{band:<5} {trained_neutral:>5} neutral trained on   macro-F1 {report.macro_f1:.3f}   "
        f"F1 negative {f1[-1]:.3f} neutral {f1[0]:.3f} positive {f1[1]:.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data-dir", type=Path, help="the shared sentiment data [default: as ela sentiment train]"
    )
    parser.add_argument("--bands", type=float, nargs="+", default=[0.05, 0.15, 0.25, 0.5])
    parser.add_argument("--half", type=int, choices=(0, 1), default=0, help="the half of the tweets held out")
    parser.add_argument("--oracle-only", action="store_true")
    args = parser.parse_args(argv)
    data_dir = args.data_dir or default_data_dir()
    try:
        tweets = read_labelled(data_dir / "customer" / f"{TWEETS}.csv")
    except DatasetError as exc:
        print(f"tweets_neutral: {exc}", file=sys.stderr)
        return 2
    print(f"{TWEETS}.csv: {len(tweets)} tweets, {sum(1 for r in tweets if r.label == 0)} labelled neutral")
    print("\n".join(oracle_rows(tweets)))
    with_mean = [r for r in tweets if r.mean is not None]
    rated = [(r.mean, r.label) for r in with_mean]
    print("\n".join(gaussian_rows(rated)))
    print("\n".join(regression_row(rated, [r.text for r in with_mean])))
    if args.oracle_only:
        return 0
    started = time.monotonic()
    data = [(source.domain, prepare_rows(rows, source.domain)) for source, rows in read_shared(data_dir)]
    print(f"\ntrained on every shared file but half {args.half} of the tweets, that half scored as {TWEETS}:")
    for band in args.bands:
        print(held_out_half(data, band, args.half), flush=True)
        print(f"  ({time.monotonic() - started:.0f} s so far)", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
