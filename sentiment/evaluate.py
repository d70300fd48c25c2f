"""Labelled CSVs and an engine's scores on them: per-class precision / recall / F1, macro-F1, accuracy."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LABELS = (-1, 0, 1)
_LABEL_NAMES = {-1: "negative", 0: "neutral", 1: "positive"}
_LABEL_TEXT = {"-1": -1, "0": 0, "1": 1, "+1": 1}

# Comments with pasted logs exceed csv's default 128 KiB field limit.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class DatasetError(ValueError):
    """A labelled CSV that cannot be used: missing, wrong columns, or labels outside -1/0/1."""


@dataclass(frozen=True)
class LabelledText:
    text: str
    label: int
    group: str = ""  # the `dataset` column (a fold name) when the file has one
    # The raters' mean on a -4..4 scale (the `mean` column of VADER's ground truth), when the file has
    # one: how strongly the text is felt, which the three-class label does not say.
    mean: float | None = None


def read_labelled(path: Path, text_column: str = "text", label_column: str = "oracle") -> list[LabelledText]:
    """Rows of a labelled CSV; the whole file is checked before anything is returned."""
    try:
        handle = path.open(newline="", encoding="utf-8")
    except FileNotFoundError as exc:
        raise DatasetError(f"{path}: no such file") from exc
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror})") from exc
    with handle:
        try:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            missing = [c for c in (text_column, label_column) if c not in columns]
            if missing:
                raise DatasetError(
                    f"{path}: no column {', '.join(repr(c) for c in missing)} "
                    f"(columns: {', '.join(columns) or 'none'})"
                )
            rows: list[LabelledText] = []
            for row in reader:
                raw = (row.get(label_column) or "").strip()
                label = _LABEL_TEXT.get(raw)
                if label is None:
                    raise DatasetError(
                        f"{path}:{reader.line_num}: label {raw!r} in column {label_column!r} "
                        "is not -1, 0 or 1"
                    )
                rows.append(
                    LabelledText(
                        row.get(text_column) or "", label, row.get("dataset") or "", _number(row.get("mean"))
                    )
                )
        except UnicodeDecodeError as exc:
            raise DatasetError(f"{path}: not UTF-8 text ({exc.reason})") from exc
        except csv.Error as exc:
            raise DatasetError(f"{path}: not a readable CSV ({exc})") from exc
    if not rows:
        raise DatasetError(f"{path}: no rows")
    return rows


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class ClassScores:
    label: int
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Report:
    classes: tuple[ClassScores, ...]
    macro_f1: float
    accuracy: float
    n: int


def evaluate(gold: Sequence[int], predicted: Sequence[int]) -> Report:
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    classes = []
    for label in LABELS:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p == label)
        predicted_n = sum(1 for p in predicted if p == label)
        support = sum(1 for g in gold if g == label)
        classes.append(_class_scores(label, tp, predicted_n, support))
    correct = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p)
    return Report(
        tuple(classes),
        sum(c.f1 for c in classes) / len(classes),
        correct / len(gold) if gold else 0.0,
        len(gold),
    )


def _class_scores(label: int, tp: int, predicted_n: int, support: int) -> ClassScores:
    precision = tp / predicted_n if predicted_n else 0.0
    recall = tp / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ClassScores(label, precision, recall, f1, support)


def macro_f1(gold: Sequence[int], predicted: Sequence[int]) -> float:
    return evaluate(gold, predicted).macro_f1


@dataclass(frozen=True)
class Spread:
    """How far a macro-F1 moves when the same number of texts is drawn again, with replacement."""

    std: float
    low: float  # 2.5th percentile of the draws
    high: float  # 97.5th
    draws: int


def bootstrap_macro_f1(
    gold: Sequence[int],
    predicted: Sequence[int],
    draws: int = 1000,
    seed: int = 7,
    baseline: Sequence[int] | None = None,
) -> Spread:
    """The spread of `evaluate(gold, predicted).macro_f1` over `draws` bootstrap resamples of the texts.

    A figure on a few thousand labelled texts is itself a sample: this says how much of a difference
    between two figures the texts alone could explain. With `baseline` (another engine's labels of
    the same texts) it is the spread of the difference, predicted's macro-F1 minus baseline's, both
    read on the same resample each time (a paired bootstrap, far tighter than two separate spreads).
    Deterministic for a given seed.
    """
    if len(gold) != len(predicted) or (baseline is not None and len(baseline) != len(gold)):
        lengths = f"{len(predicted)}" + (f" and {len(baseline)}" if baseline is not None else "")
        raise ValueError(f"{len(gold)} gold labels but {lengths} predictions")
    if not gold:
        raise ValueError("no texts to resample")
    if draws < 2:
        raise ValueError(f"draws must be at least 2, got {draws}")
    codes = _pair_codes(gold, predicted)
    base = _pair_codes(gold, baseline) if baseline is not None else None
    rng = np.random.default_rng(seed)
    scores = np.empty(draws)
    for d in range(draws):
        sample = rng.integers(0, len(codes), len(codes))
        scores[d] = _macro_f1_of(codes[sample]) - (_macro_f1_of(base[sample]) if base is not None else 0.0)
    low, high = np.percentile(scores, [2.5, 97.5])
    return Spread(float(scores.std(ddof=1)), float(low), float(high), draws)


def _pair_codes(gold: Sequence[int], predicted: Sequence[int]) -> np.ndarray:
    """One code per (gold, predicted) pair, so a resample's confusion matrix is one bincount."""
    index = {label: i for i, label in enumerate(LABELS)}
    return np.asarray([index[g] * 3 + index[p] for g, p in zip(gold, predicted, strict=True)])


def _macro_f1_of(codes: np.ndarray) -> float:
    """`evaluate(...).macro_f1` of the pairs behind `codes`, from their confusion matrix (rows gold,
    columns predicted), by the same per-class arithmetic as `evaluate`."""
    confusion = np.bincount(codes, minlength=9).reshape(3, 3)
    predicted_n, support = confusion.sum(axis=0).tolist(), confusion.sum(axis=1).tolist()
    tp = np.diag(confusion).tolist()
    classes = [_class_scores(label, tp[i], predicted_n[i], support[i]) for i, label in enumerate(LABELS)]
    return sum(c.f1 for c in classes) / len(classes)


def format_report(report: Report, title: str = "") -> str:
    lines = [title] if title else []
    lines.append(f"{'class':<12}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}")
    for c in report.classes:
        name = f"{c.label:+d} {_LABEL_NAMES[c.label]}" if c.label else " 0 neutral"
        lines.append(f"{name:<12}{c.precision:>10.3f}{c.recall:>10.3f}{c.f1:>10.3f}{c.support:>10d}")
    lines.append(f"macro-F1  {report.macro_f1:.3f}")
    lines.append(f"accuracy  {report.accuracy:.3f}   ({report.n} texts)")
    return "\n".join(lines)


def mean_and_std(values: Iterable[float]) -> tuple[float, float]:
    xs = list(values)
    if not xs:
        return 0.0, 0.0
    mean = sum(xs) / len(xs)
    variance = sum((x - mean) ** 2 for x in xs) / (len(xs) - 1) if len(xs) > 1 else 0.0
    return mean, variance**0.5
