"""Fitting the linear layer and its calibration on labelled texts from several domains, with CV.

A domain is where a labelled set comes from (Jira comments, tweets, Reddit comments, ...): each has its
own share of neutral texts and its own habits, and none of them is the service desk's customers. So:

- every domain weighs the same in the fit, and within a domain every class does (`sample_weights`):
  37,000 Reddit comments must not drown 4,000 Jira comments, nor a two-thirds-neutral set teach that
  most texts are neutral;
- every feature of a training text also has a copy for the text's domain, and every domain a bias
  (`features.with_domain`): the copies absorb what is peculiar to one domain (how many texts its
  raters called neutral, a word that is praise in one community and a formula in another), so the
  shared weights learn what holds across domains. The engine reads a comment with the shared weights
  plus those of one domain: the one the model names for customers (`TrainingConfig.reads_as`), or the
  one a site names (`DeskEngine(domain=...)`);
- the label thresholds and the aggregation rule are fitted on out-of-fold predictions to maximise the
  mean macro-F1 over the customer-voice domains (`customer_domains`), each counted once, not on
  developer chatter; the outer mood bands come from the raters' strength of feeling where a set has it.

The cross-validated macro-F1 is honest about the calibration too: each fold is scored with the
aggregation rule and thresholds fitted on the other folds' predictions only.
"""

from __future__ import annotations

import bisect
import math
import random
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from sentiment.evaluate import LABELS, LabelledText, macro_f1, mean_and_std
from sentiment.features import FEATURE_VERSION, features, with_domain
from sentiment.fit import SparseRows, lbfgs
from sentiment.lexicon import SentenceLexicon
from sentiment.model import (
    CLASSES,
    Calibration,
    DomainCalibration,
    LinearModel,
    aggregate,
    one_signal_apart,
    softmax,
)
from sentiment.mood import MoodBands
from sentiment.ngram_scale import ngram_scales, scale_of
from sentiment.scorer import read_message, sentences_of
from sentiment.signals import apply_signals

Features = dict[str, float]

# A text rated at least this strongly (on VADER's -4..4 scale) is "very" positive or negative.
STRONG_MEAN = 2.0


@dataclass(frozen=True)
class TrainingConfig:
    l2: float = 5e-5  # on the weighted mean cross-entropy
    # A feature must occur in this many training texts. 1: every n-gram seen; the L2 penalty and the
    # naive-Bayes scaling keep a word seen once near zero unless it is evidence. 5-fold CV on GoEmotions,
    # shipped reading: 0.7131 at 3, 0.7154 at 2, 0.7168 at 1 (pruned at 0.03), 0.7159 at 1 (at 0.07).
    min_count: int = 1
    folds: int = 5
    seed: int = 13
    # Weights this small on both classes are not shipped; at 0.07 the model file stays under 4 MB.
    prune_below: float = 0.07
    max_iter: int = 300
    domain_features: bool = True
    class_balance: float = 1.0  # 1: every class of a domain weighs the same; 0: as the data has them
    # n-grams' values scaled by how unevenly the classes use them, to this power (ngram_scale.py): 0 = off
    nb_scale: float = 0.75
    domain_size: float = 0.5  # a domain's total weight grows as (its size) ** domain_size: 0 = all equal
    reads_as: str = ""  # the domain whose weights read a comment of unknown origin ("": shared only)


@dataclass(frozen=True)
class Prepared:
    """A labelled text, analysed once: message features and each sentence's features."""

    message: Features
    sentences: tuple[Features, ...]
    label: int
    domain: str = ""
    mean: float | None = None  # raters' mean, -4..4, when the data has it
    group: str = ""  # a named fold to hold out whole
    signal_shift: float = 0.0  # what the service-desk rules add to the polarity


@dataclass
class CrossValidation:
    fold_scores: list[float]
    oof_message: list[float]
    oof_sentences: list[list[float]]
    folds: list[int]
    calibration: Calibration
    oof_macro_f1: float = 0.0
    # {domain: macro-F1 of its texts, each labelled with a calibration fitted without its fold}: as the
    # shipped engine reads them, and with their domain known
    domain_scores: dict[str, float] = field(default_factory=dict)
    predicted: list[int] = field(default_factory=list)
    known_domain_scores: dict[str, float] = field(default_factory=dict)
    domain_thresholds: dict[str, DomainCalibration] = field(default_factory=dict)
    predicted_domain: list[int] = field(default_factory=list)

    @property
    def mean_std(self) -> tuple[float, float]:
        return mean_and_std(self.fold_scores)


def prepare(
    analysed: Sequence[SentenceLexicon],
    label: int,
    *,
    domain: str = "",
    mean: float | None = None,
    group: str = "",
    signal_shift: float = 0.0,
) -> Prepared:
    sentence_feats = tuple(features((s,)) for s in analysed)
    message = features(analysed) if len(analysed) > 1 else (sentence_feats[0] if analysed else {})
    return Prepared(message, sentence_feats, label, domain, mean, group, signal_shift)


def prepare_rows(rows: Sequence[LabelledText], domain: str = "") -> list[Prepared]:
    """Clean, split and analyse labelled texts exactly as the engine will at run time."""
    items = []
    for row in rows:
        sentences = sentences_of(row.text)
        reading = read_message(sentences)
        shift = sum(weight for _, weight in reading.signals.values())
        items.append(
            prepare(
                reading.analysed, row.label, domain=domain, mean=row.mean, group=row.group, signal_shift=shift
            )
        )
    return items


def stratified_folds(keys: Sequence[Hashable], k: int, seed: int) -> list[int]:
    """Fold number of each item: every fold gets its share of every key (a label, or domain and label)."""
    rng = random.Random(seed)
    fold_of = [0] * len(keys)
    members: dict[Hashable, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        members[key].append(i)
    for key in sorted(members, key=repr):
        indices = members[key]
        rng.shuffle(indices)
        for position, index in enumerate(indices):
            fold_of[index] = position % k
    return fold_of


def sample_weights(items: Sequence[Prepared], config: TrainingConfig) -> list[float]:
    """Domains weigh by `domain_size`; within one, classes are balanced by `class_balance`; mean 1."""
    per_domain = Counter(item.domain for item in items)
    per_class = Counter((item.domain, item.label) for item in items)
    raw = []
    for item in items:
        n_domain = per_domain[item.domain]
        classes = sum(1 for label in LABELS if per_class[(item.domain, label)])
        share = per_class[(item.domain, item.label)] / n_domain
        raw.append(n_domain ** (config.domain_size - 1.0) * (1.0 / (classes * share)) ** config.class_balance)
    scale = len(items) / sum(raw)
    return [w * scale for w in raw]


def training_features(item: Prepared, config: TrainingConfig) -> Features:
    if not (config.domain_features and item.domain):
        return item.message
    return with_domain(item.message, item.domain)


def fit_linear(
    examples: Sequence[tuple[Features, int]],
    config: TrainingConfig,
    weights: Sequence[float] | None = None,
) -> tuple[dict[str, tuple[float, float]], tuple[float, float]]:
    """Multinomial logistic regression (labels -1/0/1), weighted, L2, by L-BFGS; small weights pruned."""
    counts: Counter[str] = Counter()
    for feats, _ in examples:
        counts.update(feats.keys())
    names = sorted(name for name, n in counts.items() if n >= config.min_count)
    scales = ngram_scales(examples, config.nb_scale) if config.nb_scale else {}
    column_scale = [scale_of(name, scales) for name in names]
    x = SparseRows.build([feats for feats, _ in examples], names, column_scale)
    target = np.asarray([CLASSES.index(y) for _, y in examples], dtype=np.int64)
    w = np.ones(len(examples)) if weights is None else np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    fitted, bias = lbfgs(x, target, w, config.l2, max_iter=config.max_iter)
    # What ships is the weight of the plain feature: the fitted one times its column's scale.
    fitted = fitted * np.asarray(column_scale)[:, None]
    kept = {
        name: (float(fitted[i, 0]), float(fitted[i, 1]))
        for i, name in enumerate(names)
        if max(abs(fitted[i, 0]), abs(fitted[i, 1])) >= config.prune_below
    }
    return kept, (float(bias[0]), float(bias[1]))


def fit_items(
    items: Sequence[Prepared], config: TrainingConfig
) -> tuple[dict[str, tuple[float, float]], tuple[float, float]]:
    return fit_linear(
        [(training_features(item, config), item.label) for item in items],
        config,
        sample_weights(items, config),
    )


Logits = tuple[float, float]
# Neutral shifts tried by the calibration (see `Calibration.neutral_shift`).
NEUTRAL_SHIFTS = (0.0, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0)


def _logits(reader: LinearModel, item: Prepared) -> tuple[Logits | None, list[Logits]]:
    """The message's logits (None for a text with no sentences) and each sentence's."""
    sentences = [reader.logits(f) for f in item.sentences]
    if not sentences:
        return None, []
    return (reader.logits(item.message) if len(sentences) > 1 else sentences[0]), sentences


def _shifted(logits: Logits, shift: float) -> float:
    p_neg, _, p_pos = softmax(logits[0] - shift, logits[1] - shift)
    return p_pos - p_neg


def _read_at(
    item: Prepared, logits: tuple[Logits | None, list[Logits]], shift: float
) -> tuple[float, list[float]]:
    """(message polarity, sentence polarities) from stored logits, with a neutral shift and the signals."""
    message, sentences = logits
    if message is None:
        return 0.0, []
    polarity = _shifted(message, shift)
    if item.signal_shift:
        polarity = apply_signals(polarity, item.signal_shift)
    return polarity, [_shifted(z, shift) for z in sentences]


def read_prepared(reader: LinearModel, item: Prepared) -> tuple[float, list[float]]:
    """The message and sentence polarities of a prepared text, as `reader` (one domain's reading) sees it,
    the service-desk signals included."""
    shift = item.signal_shift
    sentences = [reader.polarity(f) for f in item.sentences]
    message = reader.polarity(item.message) if len(item.sentences) > 1 else (sentences or [0.0])[0]
    if shift:
        message = apply_signals(message, shift)
    return message, sentences


def _grid(low: float, high: float, step: float) -> list[float]:
    n = round((high - low) / step)
    return [round(low + i * step, 4) for i in range(n + 1)]


def fit_thresholds(
    polarities: Sequence[float], gold: Sequence[int], groups: Sequence[str] | None = None
) -> tuple[float, float]:
    """The (negative_below, positive_from) pair that maximises macro-F1 on these polarities.

    With `groups`, the mean of each group's macro-F1: every domain counts once, whatever its size.
    Counts come from sorted polarities by bisection, so the whole grid costs little more than a sort.
    """
    names = sorted(set(groups)) if groups is not None else [""]
    tables = []
    for name in names:
        chosen = [
            (p, g)
            for i, (p, g) in enumerate(zip(polarities, gold, strict=True))
            if groups is None or groups[i] == name
        ]
        by_class = {label: sorted(p for p, g in chosen if g == label) for label in LABELS}
        tables.append((sorted(p for p, _ in chosen), by_class, {k: len(v) for k, v in by_class.items()}))

    def below(values: list[float], t: float) -> int:
        return bisect.bisect_left(values, t)

    best = (-math.inf, -0.05, 0.05)
    for neg in _grid(-0.7, 0.1, 0.02):
        for pos in _grid(-0.1, 0.7, 0.02):
            if pos < neg:
                continue
            score = 0.0
            for everything, by_class, support in tables:
                total = len(everything)
                predicted_neg = below(everything, neg)
                predicted_pos = total - below(everything, pos)
                tp_neg = below(by_class[-1], neg)
                tp_pos = support[1] - below(by_class[1], pos)
                tp_neu = below(by_class[0], pos) - below(by_class[0], neg)
                score += (
                    _f1(tp_neg, predicted_neg, support[-1])
                    + _f1(tp_neu, total - predicted_neg - predicted_pos, support[0])
                    + _f1(tp_pos, predicted_pos, support[1])
                ) / 3
            if score > best[0] + 1e-9:
                best = (score, neg, pos)
    return best[1], best[2]


def _f1(tp: int, predicted: int, support: int) -> float:
    return 2 * tp / (predicted + support) if predicted + support else 0.0


def fit_bands(
    polarities: Sequence[float],
    gold: Sequence[int],
    negative_below: float,
    positive_from: float,
    means: Sequence[float | None] = (),
) -> MoodBands:
    """The outer bands: where "very" negative (positive) starts.

    Where texts carry their raters' mean (VADER's sets, -4..4), "very" is learnt: the cut that best
    tells the texts rated at least STRONG_MEAN from the rest, by F1. It is no milder than the median
    out-of-fold polarity of the correctly recognised negatives (positives), so that "very" is never
    more than the stronger half of a side: F1 favours a low cut when strong ratings are common, and
    a cut at the label threshold would leave no plain "negative" at all. Without ratings, that median
    (halfway to the end of the scale when there are none). Never nearer to the label threshold than
    one signal's weight.
    """
    negatives = [p for p, g in zip(polarities, gold, strict=True) if g == -1 and p < negative_below]
    positives = [p for p, g in zip(polarities, gold, strict=True) if g == 1 and p >= positive_from]
    very_negative = statistics.median(negatives) if negatives else (negative_below - 1.0) / 2
    very_positive = statistics.median(positives) if positives else (positive_from + 1.0) / 2
    rated = [(p, m) for p, m in zip(polarities, means, strict=False) if m is not None]
    if len(rated) >= 100:
        strong_negative = -_strong_cut([-p for p, _ in rated], [-m >= STRONG_MEAN for _, m in rated])
        strong_positive = _strong_cut([p for p, _ in rated], [m >= STRONG_MEAN for _, m in rated])
        very_negative = min(very_negative, strong_negative)
        very_positive = max(very_positive, strong_positive)
    return one_signal_apart(
        MoodBands(
            min(very_negative, negative_below),
            negative_below,
            positive_from,
            max(very_positive, positive_from),
        )
    )


def _strong_cut(scores: Sequence[float], strong: Sequence[bool]) -> float:
    """The score from which "strong" is predicted with the best F1 (scores: higher is stronger)."""
    pairs = sorted(zip(scores, strong, strict=True), reverse=True)
    total_strong = sum(strong)
    best, cut, tp = -1.0, 1.0, 0
    for i, (score, is_strong) in enumerate(pairs, start=1):
        tp += is_strong
        f1 = 2 * tp / (i + total_strong) if total_strong else 0.0
        if f1 > best:
            best, cut = f1, score
    return cut


def calibrate(
    message: Sequence[float],
    sentences: Sequence[Sequence[float]],
    lexicon: Sequence[Sequence[float]],
    gold: Sequence[int],
    groups: Sequence[str] | None = None,
    *,
    shifts: Sequence[float] | None = None,
) -> Calibration:
    """The aggregation rule and label thresholds that fit these out-of-fold predictions (no bands).

    `shifts`: each text's signal weight, already in its `message` (see `aggregate`); none when omitted.
    """
    shift = list(shifts) if shifts is not None else [0.0] * len(message)
    dominant = _fit_dominance(message, sentences, lexicon, gold, groups, shifts=shift)
    provisional = Calibration(*fit_thresholds(message, gold, groups), dominant_below=dominant)
    aggregated = _aggregated(message, sentences, lexicon, shift, provisional)
    negative_below, positive_from = fit_thresholds(aggregated, gold, groups)
    # Once more with the final thresholds, which the lexicon rule of `aggregate` reads, as at run time.
    final = Calibration(negative_below, positive_from, dominant)
    aggregated = _aggregated(message, sentences, lexicon, shift, final)
    return Calibration(*fit_thresholds(aggregated, gold, groups), dominant_below=dominant)


def _aggregated(
    message: Sequence[float],
    sentences: Sequence[Sequence[float]],
    lexicon: Sequence[Sequence[float]],
    shifts: Sequence[float],
    calibration: Calibration,
) -> list[float]:
    return [
        aggregate(m, s, calibration, lx, sh)
        for m, s, lx, sh in zip(message, sentences, lexicon, shifts, strict=True)
    ]


def _fit_dominance(
    message: Sequence[float],
    sentences: Sequence[Sequence[float]],
    lexicon: Sequence[Sequence[float]],
    gold: Sequence[int],
    groups: Sequence[str] | None,
    *,
    shifts: Sequence[float],
) -> float:
    """The sentence polarity below which one sentence decides the message, chosen by macro-F1.

    Ties go to the most sensitive setting: in a service desk a complaint wrapped in politeness matters
    more than elsewhere, so the rule is kept on unless the data argues against it.
    """
    best_f1, best = -math.inf, -1.0
    negative_below, positive_from = fit_thresholds(message, gold, groups)
    for dominant in _grid(-0.9, -0.2, 0.1):
        calibration = Calibration(negative_below, positive_from, dominant)
        pols = _aggregated(message, sentences, lexicon, shifts, calibration)
        neg, pos = fit_thresholds(pols, gold, groups)
        f1 = _mean_macro_f1(gold, [-1 if p < neg else 1 if p >= pos else 0 for p in pols], groups)
        if f1 >= best_f1 - 1e-9:
            best_f1, best = max(f1, best_f1), dominant
    return best


def _mean_macro_f1(gold: Sequence[int], predicted: Sequence[int], groups: Sequence[str] | None) -> float:
    if groups is None:
        return macro_f1(gold, predicted)
    scores = []
    for name in sorted(set(groups)):
        mine = [i for i, g in enumerate(groups) if g == name]
        scores.append(macro_f1([gold[i] for i in mine], [predicted[i] for i in mine]))
    return sum(scores) / len(scores)


def _calibration_subset(
    items: Sequence[Prepared], indices: Sequence[int], chosen: frozenset[str]
) -> list[int]:
    subset = [i for i in indices if items[i].domain in chosen]
    return subset or list(indices)


def cross_validate(  # noqa: PLR0915 - one pass over the folds, then the calibrations
    items: Sequence[Prepared],
    config: TrainingConfig,
    progress: Callable[[str], None] | None = None,
    *,
    fold_of: Sequence[int] | None = None,
    calibration_domains: Sequence[str] = (),
    fixed: Calibration | None = None,
) -> CrossValidation:
    """k-fold CV: folds stratified by domain and label, or the given fold number of each item (-1: never
    held out, always trained on).

    Every held-out text is read twice: as the shipped engine reads a customer's comment (shared weights,
    the calibration fitted on `calibration_domains`), and with its domain known (its domain's features,
    and the thresholds and one-sentence rule fitted on that domain's other folds). `fixed`: label the
    first reading with this calibration instead of one fitted on the other folds (for held-out groups
    whose labels must not set the shipped thresholds).
    """
    labels = [item.label for item in items]
    signal_of = [item.signal_shift for item in items]
    if fold_of is None:
        fold_of = stratified_folds([(item.domain, item.label) for item in items], config.folds, config.seed)
    n_folds = max(fold_of) + 1
    oof_logits: list[tuple[Logits | None, list[Logits]]] = [(None, []) for _ in items]
    oof_domain = [0.0] * len(items)
    oof_domain_sentences: list[list[float]] = [[] for _ in items]
    for fold in range(n_folds):
        train = [item for item, f in zip(items, fold_of, strict=True) if f != fold]
        weights, bias = fit_items(train, config)
        model = LinearModel(weights, bias)
        shipped = model.reading(config.reads_as)
        readers = {
            name: model.reading(name if config.domain_features else "")
            for name in {item.domain for item in items}
        }
        for i, item in enumerate(items):
            if fold_of[i] == fold:
                oof_logits[i] = _logits(shipped, item)
                oof_domain[i], oof_domain_sentences[i] = read_prepared(readers[item.domain], item)
        if progress:
            progress(f"fold {fold + 1}/{n_folds} trained")

    lexicon = [[f.get("lex", 0.0) for f in item.sentences] for item in items]
    chosen = frozenset(calibration_domains) or frozenset(item.domain for item in items)
    domains = [item.domain for item in items]
    held_out = [i for i, f in enumerate(fold_of) if f >= 0]

    read_at: dict[float, list[tuple[float, list[float]]]] = {}

    def reading_at(shift: float) -> list[tuple[float, list[float]]]:
        """Every text's out-of-fold (message, sentence) polarities as the engine reads with `shift`."""
        if shift not in read_at:
            read_at[shift] = [_read_at(item, z, shift) for item, z in zip(items, oof_logits, strict=True)]
        return read_at[shift]

    def fitted_on(indices: Sequence[int]) -> Calibration:
        if fixed is not None:
            return fixed
        subset = _calibration_subset(items, indices, chosen)
        best: tuple[float, Calibration] | None = None
        for shift in NEUTRAL_SHIFTS:
            read = reading_at(shift)
            found = calibrate(
                [read[i][0] for i in subset],
                [read[i][1] for i in subset],
                [lexicon[i] for i in subset],
                [labels[i] for i in subset],
                [domains[i] for i in subset],
                shifts=[signal_of[i] for i in subset],
            )
            guess = [found.label(aggregate(*read[i], found, lexicon[i], signal_of[i])) for i in subset]
            f1 = _mean_macro_f1([labels[i] for i in subset], guess, [domains[i] for i in subset])
            if best is None or f1 > best[0] + 1e-9:
                best = (f1, replace(found, neutral_shift=shift))
        assert best is not None
        return best[1]

    def own_calibration(indices: Sequence[int]) -> Calibration:
        """One domain's reading: its own aggregation rule and thresholds, from its own texts."""
        return calibrate(
            [oof_domain[i] for i in indices],
            [oof_domain_sentences[i] for i in indices],
            [lexicon[i] for i in indices],
            [labels[i] for i in indices],
            shifts=[signal_of[i] for i in indices],
        )

    # Honest per-fold scores: fold k is labelled with a calibration (aggregation rule and thresholds)
    # fitted on the other folds' predictions only, as a comment the model has never seen would be.
    fold_scores = []
    predicted = [0] * len(items)
    predicted_domain = [0] * len(items)
    for fold in range(n_folds):
        rest = [i for i in held_out if fold_of[i] != fold]
        mine = [i for i in held_out if fold_of[i] == fold]
        calibration = fitted_on(rest)
        read = reading_at(calibration.neutral_shift)
        for i in mine:
            predicted[i] = calibration.label(aggregate(*read[i], calibration, lexicon[i], signal_of[i]))
        fold_scores.append(macro_f1([labels[i] for i in mine], [predicted[i] for i in mine]))
        for name in sorted({domains[i] for i in mine}):
            rest_d = [i for i in rest if domains[i] == name]
            if len({labels[i] for i in rest_d}) < len(LABELS):
                rest_d = [i for i in mine if domains[i] == name]  # one group of its domain: no other folds
            own = own_calibration(rest_d)
            for i in mine:
                if domains[i] == name:
                    predicted_domain[i] = own.label(
                        aggregate(oof_domain[i], oof_domain_sentences[i], own, lexicon[i], signal_of[i])
                    )

    def by_domain(guess: Sequence[int]) -> dict[str, float]:
        return {
            name: macro_f1(
                [labels[i] for i in held_out if domains[i] == name],
                [guess[i] for i in held_out if domains[i] == name],
            )
            for name in sorted({domains[i] for i in held_out})
        }

    final = fitted_on(held_out)
    read = reading_at(final.neutral_shift)
    oof_message = [m for m, _ in read]
    oof_sentences = [sentences for _, sentences in read]
    aggregated = [aggregate(*read[i], final, lexicon[i], signal_of[i]) for i in range(len(items))]
    bands = (
        fixed.bands
        if fixed is not None
        else fit_bands(
            [aggregated[i] for i in held_out],
            [labels[i] for i in held_out],
            final.negative_below,
            final.positive_from,
            [items[i].mean for i in held_out],
        )
    )
    calibration = replace(final, bands=bands)
    domain_thresholds = {}
    for name in sorted({domains[i] for i in held_out}):
        own = own_calibration([i for i in held_out if domains[i] == name])
        domain_thresholds[name] = (own.negative_below, own.positive_from, own.dominant_below)
    return CrossValidation(
        fold_scores,
        oof_message,
        oof_sentences,
        list(fold_of),
        calibration,
        macro_f1([labels[i] for i in held_out], [calibration.label(aggregated[i]) for i in held_out]),
        by_domain(predicted),
        predicted,
        by_domain(predicted_domain),
        domain_thresholds,
        predicted_domain,
    )


def group_folds(groups: Sequence[str]) -> tuple[list[str], list[int]] | None:
    """The fold number of each item when items name their group and there are several groups.

    Items with no group (-1) are never held out: they are trained on in every fold. When no item names
    a group, or only one group is named, there is nothing to hold out: None.
    """
    names = sorted({g for g in groups if g})
    if len(names) < 2:
        return None
    index = {name: i for i, name in enumerate(names)}
    return names, [index[g] if g else -1 for g in groups]


def train_model(
    items: Sequence[Prepared],
    config: TrainingConfig,
    sources: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
    *,
    groups: Sequence[str] = (),
    calibration_domains: Sequence[str] = (),
) -> tuple[LinearModel, CrossValidation, CrossValidation | None]:
    """Cross-validate for the calibration and the honest score, then fit the shipped weights on all.

    `groups` (one name per item, "" for none, such as a labelled file's `dataset` column) adds
    leave-one-group-out CV: each group held out whole, as comments from a project or period the layer
    has never seen, while every other text stays in training. Stratified folds mix every group into
    training and flatter the layer; the grouped figure is the one to expect on new data. Its
    calibration is not used: the shipped one comes from all the data.
    """
    cv = cross_validate(items, config, progress, calibration_domains=calibration_domains)
    grouped: CrossValidation | None = None
    named = group_folds(groups) if groups else None
    if named is not None:
        grouped = cross_validate(
            items,
            config,
            progress,
            fold_of=named[1],
            calibration_domains=calibration_domains,
            fixed=cv.calibration,
        )
    weights, bias = fit_items(items, config)
    mean, std = cv.mean_std
    meta = {
        "feature_version": FEATURE_VERSION,
        "trained_on": list(sources),
        "texts": len(items),
        "labels": {str(k): v for k, v in sorted(Counter(i.label for i in items).items())},
        "domains": dict(sorted(Counter(i.domain for i in items).items())),
        "calibration_domains": sorted(calibration_domains),
        "config": {
            "l2": config.l2,
            "min_count": config.min_count,
            "folds": config.folds,
            "seed": config.seed,
            "prune_below": config.prune_below,
            "max_iter": config.max_iter,
            "domain_features": config.domain_features,
            "class_balance": config.class_balance,
            "nb_scale": config.nb_scale,
            "domain_size": config.domain_size,
            "reads_as": config.reads_as,
        },
        "cv_macro_f1_mean": round(mean, 6),
        "cv_macro_f1_std": round(std, 6),
        "cv_fold_macro_f1": [round(s, 4) for s in cv.fold_scores],
        # {domain: macro-F1}, read as the shipped engine reads a comment, and with the domain known
        "cv_domain_macro_f1": {name: round(s, 4) for name, s in cv.domain_scores.items()},
        "cv_known_domain_macro_f1": {name: round(s, 4) for name, s in cv.known_domain_scores.items()},
        # {group: macro-F1 with that group held out}, or null when the data named no groups; and the
        # same with the group's domain known
        "grouped_cv_macro_f1": (
            {name: round(score, 4) for name, score in zip(named[0], grouped.fold_scores, strict=True)}
            if named is not None and grouped is not None
            else None
        ),
        "grouped_cv_known_domain_macro_f1": (
            _group_scores(items, named, grouped) if named is not None and grouped is not None else None
        ),
    }
    thresholds = {name: (round(n, 4), round(p, 4), d) for name, (n, p, d) in cv.domain_thresholds.items()}
    return LinearModel(weights, bias, cv.calibration, meta, thresholds, config.reads_as), cv, grouped


def _group_scores(
    items: Sequence[Prepared], named: tuple[list[str], list[int]], grouped: CrossValidation
) -> dict[str, float]:
    """Each held-out group's macro-F1 with its domain known (thresholds from its domain's other groups)."""
    names, fold_of = named
    # The domain-known labels of grouped CV are in `predicted_domain`; recompute them per group here.
    scores = {}
    for k, name in enumerate(names):
        mine = [i for i, f in enumerate(fold_of) if f == k]
        scores[name] = round(
            macro_f1([items[i].label for i in mine], [grouped.predicted_domain[i] for i in mine]), 4
        )
    return scores
