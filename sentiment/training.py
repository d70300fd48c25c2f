"""Fitting the linear layer and its calibration, with k-fold cross-validation, in pure Python.

Training runs from a plain install (`ela sentiment train CSV...`): multinomial logistic regression by
AdaGrad SGD with L2, deterministic for a given seed. Thresholds are fitted on out-of-fold predictions,
so the calibration reflects texts the layer has not seen. The cross-validated macro-F1 is honest about
the calibration too: each fold is scored with the aggregation rule and label thresholds fitted on the
other folds' predictions only.
"""

from __future__ import annotations

import bisect
import math
import random
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sentiment.evaluate import LABELS, LabelledText, macro_f1, mean_and_std
from sentiment.features import FEATURE_VERSION, features
from sentiment.lexicon import SentenceLexicon
from sentiment.model import CLASSES, Calibration, LinearModel, aggregate
from sentiment.mood import MoodBands
from sentiment.scorer import analyse_text

Features = dict[str, float]


@dataclass(frozen=True)
class TrainingConfig:
    epochs: int = 6
    learning_rate: float = 0.1
    l2: float = 1e-4
    min_count: int = 2  # a feature must occur in this many training texts
    folds: int = 10
    seed: int = 13
    prune_below: float = 0.005  # weights this small on every class are not shipped
    runs: int = 4  # SGD runs in different orders whose weights are averaged


@dataclass(frozen=True)
class Prepared:
    """A labelled text, analysed once: message features and each sentence's features."""

    message: Features
    sentences: tuple[Features, ...]
    label: int


@dataclass
class CrossValidation:
    fold_scores: list[float]
    oof_message: list[float]
    oof_sentences: list[list[float]]
    folds: list[int]
    calibration: Calibration
    oof_macro_f1: float = 0.0

    @property
    def mean_std(self) -> tuple[float, float]:
        return mean_and_std(self.fold_scores)


def prepare(analysed: Sequence[SentenceLexicon], label: int) -> Prepared:
    sentence_feats = tuple(features((s,)) for s in analysed)
    message = features(analysed) if len(analysed) > 1 else (sentence_feats[0] if analysed else {})
    return Prepared(message, sentence_feats, label)


def stratified_folds(labels: Sequence[int], k: int, seed: int) -> list[int]:
    """Fold number of each item: every fold gets its share of every class."""
    rng = random.Random(seed)
    fold_of = [0] * len(labels)
    for label in LABELS:
        members = [i for i, y in enumerate(labels) if y == label]
        rng.shuffle(members)
        for position, index in enumerate(members):
            fold_of[index] = position % k
    return fold_of


def fit_linear(
    examples: Sequence[tuple[Features, int]], config: TrainingConfig
) -> tuple[dict[str, tuple[float, float, float]], tuple[float, float, float]]:
    """Multinomial logistic regression; labels are -1/0/1.

    Short SGD runs act as the regulariser (more epochs overfit the 4,000 labelled comments); averaging
    the weights of several runs in different orders takes out the luck of one order.
    """
    counts: Counter[str] = Counter()
    for feats, _ in examples:
        counts.update(feats.keys())
    kept = {name for name, n in counts.items() if n >= config.min_count}
    data = [({k: v for k, v in feats.items() if k in kept}, CLASSES.index(y)) for feats, y in examples]
    runs = max(1, config.runs)
    summed = {name: [0.0, 0.0, 0.0] for name in kept}
    summed_bias = [0.0, 0.0, 0.0]
    for run in range(runs):
        weights, bias = _adagrad(data, kept, config, config.seed + run)
        for name, w in weights.items():
            total = summed[name]
            for c in range(3):
                total[c] += w[c] / runs
        for c in range(3):
            summed_bias[c] += bias[c] / runs
    shipped = {
        name: (w[0], w[1], w[2])
        for name, w in summed.items()
        if max(abs(w[0]), abs(w[1]), abs(w[2])) >= config.prune_below
    }
    return shipped, (summed_bias[0], summed_bias[1], summed_bias[2])


def _adagrad(
    data: Sequence[tuple[Features, int]], kept: set[str], config: TrainingConfig, seed: int
) -> tuple[dict[str, list[float]], list[float]]:
    weights: dict[str, list[float]] = {name: [0.0, 0.0, 0.0] for name in kept}
    squares: dict[str, list[float]] = {name: [1e-8, 1e-8, 1e-8] for name in kept}
    bias = [0.0, 0.0, 0.0]
    bias_squares = [1e-8, 1e-8, 1e-8]
    rng = random.Random(seed)
    order = list(range(len(data)))
    rate, l2 = config.learning_rate, config.l2
    for _ in range(config.epochs):
        rng.shuffle(order)
        for index in order:
            feats, y = data[index]
            logits = list(bias)
            for name, value in feats.items():
                w = weights[name]
                logits[0] += w[0] * value
                logits[1] += w[1] * value
                logits[2] += w[2] * value
            top = max(logits)
            exps = [math.exp(z - top) for z in logits]
            total = sum(exps)
            errors = [e / total for e in exps]
            errors[y] -= 1.0
            for c in range(3):
                g = errors[c]
                bias_squares[c] += g * g
                bias[c] -= rate * g / math.sqrt(bias_squares[c])
            for name, value in feats.items():
                w = weights[name]
                s = squares[name]
                for c in range(3):
                    g = errors[c] * value + l2 * w[c]
                    s[c] += g * g
                    w[c] -= rate * g / math.sqrt(s[c])
    return weights, bias


def _polarities(model: LinearModel, item: Prepared) -> tuple[float, list[float]]:
    sentences = [model.polarity(f) for f in item.sentences]
    message = model.polarity(item.message) if len(item.sentences) > 1 else (sentences or [0.0])[0]
    return message, sentences


def _grid(low: float, high: float, step: float) -> list[float]:
    n = round((high - low) / step)
    return [round(low + i * step, 4) for i in range(n + 1)]


def fit_thresholds(polarities: Sequence[float], gold: Sequence[int]) -> tuple[float, float]:
    """The (negative_below, positive_from) pair that maximises macro-F1 on these polarities.

    Counts come from sorted polarities by bisection, so the whole grid costs little more than a sort.
    """
    by_class = {
        label: sorted(p for p, g in zip(polarities, gold, strict=True) if g == label) for label in LABELS
    }
    everything = sorted(polarities)
    total = len(everything)
    support = {label: len(v) for label, v in by_class.items()}

    def below(values: list[float], t: float) -> int:
        return bisect.bisect_left(values, t)

    best = (-math.inf, -0.05, 0.05)
    for neg in _grid(-0.6, 0.0, 0.02):
        predicted_neg = below(everything, neg)
        tp_neg = below(by_class[-1], neg)
        neu_below = below(by_class[0], neg)
        for pos in _grid(0.0, 0.6, 0.02):
            predicted_pos = total - below(everything, pos)
            tp_pos = support[1] - below(by_class[1], pos)
            tp_neu = below(by_class[0], pos) - neu_below
            predicted_neu = total - predicted_neg - predicted_pos
            f1 = (
                _f1(tp_neg, predicted_neg, support[-1])
                + _f1(tp_neu, predicted_neu, support[0])
                + _f1(tp_pos, predicted_pos, support[1])
            ) / 3
            if f1 > best[0] + 1e-9:
                best = (f1, neg, pos)
    return best[1], best[2]


def _f1(tp: int, predicted: int, support: int) -> float:
    return 2 * tp / (predicted + support) if predicted + support else 0.0


def fit_bands(
    polarities: Sequence[float], gold: Sequence[int], negative_below: float, positive_from: float
) -> MoodBands:
    """The outer bands: the stronger half of the texts rightly labelled negative (positive).

    The labelled data has three classes, so "very" cannot be learnt directly; it is fitted as the median
    out-of-fold polarity of the correctly recognised negatives (positives), halfway to the end of the
    scale when there are none.
    """
    negatives = [p for p, g in zip(polarities, gold, strict=True) if g == -1 and p < negative_below]
    positives = [p for p, g in zip(polarities, gold, strict=True) if g == 1 and p >= positive_from]
    very_negative = statistics.median(negatives) if negatives else (negative_below - 1.0) / 2
    very_positive = statistics.median(positives) if positives else (positive_from + 1.0) / 2
    return MoodBands(
        round(min(very_negative, negative_below), 3),
        negative_below,
        positive_from,
        round(max(very_positive, positive_from), 3),
    )


def cross_validate(
    items: Sequence[Prepared],
    config: TrainingConfig,
    progress: Callable[[str], None] | None = None,
    fold_of: Sequence[int] | None = None,
) -> CrossValidation:
    """k-fold CV: stratified folds from the config, or the given fold number of each item."""
    labels = [item.label for item in items]
    if fold_of is None:
        fold_of = stratified_folds(labels, config.folds, config.seed)
    n_folds = max(fold_of) + 1
    oof_message = [0.0] * len(items)
    oof_sentences: list[list[float]] = [[] for _ in items]
    for fold in range(n_folds):
        train = [(item.message, item.label) for item, f in zip(items, fold_of, strict=True) if f != fold]
        weights, bias = fit_linear(train, config)
        model = LinearModel(weights, bias)
        for i, item in enumerate(items):
            if fold_of[i] == fold:
                oof_message[i], oof_sentences[i] = _polarities(model, item)
        if progress:
            progress(f"fold {fold + 1}/{n_folds} trained")

    lexicon = [[f.get("lex", 0.0) for f in item.sentences] for item in items]

    # Honest per-fold scores: fold k is labelled with a calibration (aggregation rule and thresholds)
    # fitted on the other folds' predictions only, as a comment the model has never seen would be.
    fold_scores = []
    for fold in range(n_folds):
        rest = [i for i, f in enumerate(fold_of) if f != fold]
        calibration = calibrate(
            [oof_message[i] for i in rest],
            [oof_sentences[i] for i in rest],
            [lexicon[i] for i in rest],
            [labels[i] for i in rest],
        )
        mine = [i for i, f in enumerate(fold_of) if f == fold]
        predicted = [
            calibration.label(aggregate(oof_message[i], oof_sentences[i], calibration, lexicon[i]))
            for i in mine
        ]
        fold_scores.append(macro_f1([labels[i] for i in mine], predicted))

    final = calibrate(oof_message, oof_sentences, lexicon, labels)
    aggregated = [
        aggregate(m, s, final, lx) for m, s, lx in zip(oof_message, oof_sentences, lexicon, strict=True)
    ]
    bands = fit_bands(aggregated, labels, final.negative_below, final.positive_from)
    calibration = Calibration(final.negative_below, final.positive_from, final.dominant_below, bands)
    predicted = [calibration.label(p) for p in aggregated]
    return CrossValidation(
        fold_scores, oof_message, oof_sentences, list(fold_of), calibration, macro_f1(labels, predicted)
    )


def calibrate(
    message: Sequence[float],
    sentences: Sequence[Sequence[float]],
    lexicon: Sequence[Sequence[float]],
    gold: Sequence[int],
) -> Calibration:
    """The aggregation rule and label thresholds that fit these out-of-fold predictions (no bands)."""
    dominant = _fit_dominance(message, sentences, lexicon, gold)
    provisional = Calibration(*fit_thresholds(message, gold), dominant_below=dominant)
    aggregated = [
        aggregate(m, s, provisional, lx) for m, s, lx in zip(message, sentences, lexicon, strict=True)
    ]
    negative_below, positive_from = fit_thresholds(aggregated, gold)
    # Once more with the final thresholds, which the lexicon rule of `aggregate` reads, as at run time.
    final = Calibration(negative_below, positive_from, dominant)
    aggregated = [aggregate(m, s, final, lx) for m, s, lx in zip(message, sentences, lexicon, strict=True)]
    return Calibration(*fit_thresholds(aggregated, gold), dominant_below=dominant)


def _fit_dominance(
    message: Sequence[float],
    sentences: Sequence[Sequence[float]],
    lexicon: Sequence[Sequence[float]],
    gold: Sequence[int],
) -> float:
    """The sentence polarity below which one sentence decides the message, chosen by macro-F1.

    Ties go to the most sensitive setting: in a service desk a complaint wrapped in politeness matters
    more than in developer chatter, so the rule is kept on unless the data argues against it.
    """
    best_f1, best = -math.inf, -1.0
    negative_below, positive_from = fit_thresholds(message, gold)
    for dominant in _grid(-0.9, -0.2, 0.05):
        calibration = Calibration(negative_below, positive_from, dominant)
        pols = [
            aggregate(m, s, calibration, lx) for m, s, lx in zip(message, sentences, lexicon, strict=True)
        ]
        neg, pos = fit_thresholds(pols, gold)
        f1 = macro_f1(gold, [-1 if p < neg else 1 if p >= pos else 0 for p in pols])
        if f1 >= best_f1 - 1e-9:
            best_f1, best = max(f1, best_f1), dominant
    return best


def group_folds(groups: Sequence[str]) -> tuple[list[str], list[int]] | None:
    """The fold number of each item when every item names its group and there are several groups."""
    names = sorted(set(groups))
    if len(names) < 2 or not all(names):
        return None
    index = {name: i for i, name in enumerate(names)}
    return names, [index[g] for g in groups]


def train_model(
    items: Sequence[Prepared],
    config: TrainingConfig,
    sources: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
    groups: Sequence[str] = (),
) -> tuple[LinearModel, CrossValidation, CrossValidation | None]:
    """Cross-validate for the calibration and the honest score, then fit the shipped weights on all.

    `groups` (one name per item, such as a labelled file's `dataset` column) adds leave-one-group-out
    CV: each group held out whole, as comments from a project or period the layer has never seen.
    Stratified folds mix every group into training and flatter the layer; the grouped figure is the
    one to expect on new data. Its calibration is not used: the shipped one comes from all the data.
    """
    cv = cross_validate(items, config, progress)
    grouped: CrossValidation | None = None
    named = group_folds(groups) if groups else None
    if named is not None:
        grouped = cross_validate(items, config, progress, fold_of=named[1])
    weights, bias = fit_linear([(item.message, item.label) for item in items], config)
    mean, std = cv.mean_std
    meta = {
        "feature_version": FEATURE_VERSION,
        "trained_on": list(sources),
        "texts": len(items),
        "labels": {str(k): v for k, v in sorted(Counter(i.label for i in items).items())},
        "config": {
            "epochs": config.epochs,
            "learning_rate": config.learning_rate,
            "l2": config.l2,
            "min_count": config.min_count,
            "folds": config.folds,
            "seed": config.seed,
            "runs": config.runs,
            "prune_below": config.prune_below,
        },
        "cv_macro_f1_mean": round(mean, 6),
        "cv_macro_f1_std": round(std, 6),
        "cv_fold_macro_f1": [round(s, 4) for s in cv.fold_scores],
        # {group: macro-F1 with that group held out}, or null when the data named no groups.
        "grouped_cv_macro_f1": (
            {name: round(score, 4) for name, score in zip(named[0], grouped.fold_scores, strict=True)}
            if named is not None and grouped is not None
            else None
        ),
    }
    return LinearModel(weights, bias, cv.calibration, meta), cv, grouped


def prepare_rows(rows: Sequence[LabelledText]) -> list[Prepared]:
    """Clean, split and analyse labelled texts exactly as the engine will at run time."""
    return [prepare(analyse_text(row.text)[1], row.label) for row in rows]
