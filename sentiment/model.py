"""The fitted part of the default engine: a three-class linear layer and its calibration, as one JSON file.

Inference is a dictionary walk over the features of a text and a softmax: no numpy, no model server.
The file also carries the decision thresholds, the mood bands and the aggregation rule that were fitted
with it, so weights and calibration can never drift apart.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from sentiment.features import DOMAIN_BIAS, DOMAIN_PREFIX, MAX_SENTENCE_COPIES, counted, domain_name
from sentiment.lexicon import SentenceLexicon
from sentiment.mood import MoodBands
from sentiment.signals import SIGNAL_WEIGHTS
from sentiment.table import ScoringTable

CLASSES = (-1, 0, 1)
FORMAT = "ela-sentiment-linear"
# Version 2: two weights per feature (negative and positive against neutral, whose logit is 0).
# Version 3: per-domain copies of the features ("@jira:u:thanks") and the domain the engine reads as.
FORMAT_VERSION = 3
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "data" / "model.json"
# A training domain's own reading: (negative_below, positive_from, dominant_below).
DomainCalibration = tuple[float, float, float]


class ModelFileError(ValueError):
    """A model file that cannot be read or is not one of ours."""


@dataclass(frozen=True)
class Calibration:
    """How a polarity becomes a label and a mood, and how sentences make a message.

    label: polarity < negative_below -> -1; polarity >= positive_from -> 1; else 0.
    A sentence whose polarity is below `dominant_below` sets the message polarity when it is lower
    than the message's own: one angry sentence is not averaged away by a polite frame. So does a
    sentence on the negative side whose lexicon polarity is below `lexicon_dominant_below`: the fitted
    layer has seen few customers' complaints ("completely unacceptable", "the third time"), the
    service-desk lexicon knows them.
    """

    negative_below: float = -0.05
    positive_from: float = 0.05
    dominant_below: float = -0.5
    bands: MoodBands = field(default_factory=MoodBands)
    # Not fitted: the dev data holds too few polite complaints to fit it (on the Jira dev data it
    # changes 2 decisions in 4,113 and costs 0.06 points of macro-F1); it is there for the service desk.
    lexicon_dominant_below: float = -0.75
    # Added to the neutral logit before the polarity is read off: the layer's most probable class is a
    # better decision than two cuts on P(positive) - P(negative) for texts that mix feelings, and with
    # the neutral class raised the cuts come close to it (about half a point of macro-F1 on Reddit
    # comments). Fitted with the thresholds; 0 for the per-domain readings.
    neutral_shift: float = 0.0

    def label(self, polarity: float) -> int:
        if polarity < self.negative_below:
            return -1
        if polarity >= self.positive_from:
            return 1
        return 0


def aggregate(
    message: float,
    sentences: Sequence[float],
    calibration: Calibration,
    lexicon: Sequence[float] | None = None,
    shift: float = 0.0,
) -> float:
    """The message polarity, unless one sentence is clearly negative and worse: then that sentence's.

    `sentences` are the layer's sentence polarities, `lexicon` the lexicon's for the same sentences.
    `shift` is the service-desk signals' summed weight, already in `message`: the signals belong to the
    message, so a sentence that decides it carries them too ("It is STILL broken and this is
    unacceptable! Any update? You promised a fix." is the complaint plus the chasing and the broken
    promise, not the complaint alone).
    """
    if len(sentences) < 2:
        return message
    # Sentences are compared with the layer's own reading of the message, before the signals.
    unshifted = message - shift
    worst = unshifted
    for i, polarity in enumerate(sentences):
        if polarity >= worst:
            continue
        if polarity < calibration.dominant_below or (
            lexicon is not None
            and polarity < calibration.negative_below
            and lexicon[i] < calibration.lexicon_dominant_below
        ):
            worst = polarity
    if worst >= unshifted:
        return message
    return min(message, max(-1.0, min(1.0, worst + shift)))


@dataclass(frozen=True)
class LinearModel:
    """Multinomial logistic regression over sparse features, neutral as the reference class.

    Each feature has two weights: its push towards negative and towards positive, against neutral.
    Weights named "@<domain>:<feature>" are one training domain's own share of a feature; `reading`
    folds them into the shared ones.
    """

    weights: Mapping[str, tuple[float, float]]
    bias: tuple[float, float]
    calibration: Calibration = field(default_factory=Calibration)
    meta: Mapping[str, Any] = field(default_factory=dict)
    # {training domain: (negative_below, positive_from, dominant_below)}: the label thresholds and the
    # aggregation rule for texts of that domain read with its domain's weights, for
    # `DeskEngine(domain=...)`. Each domain's are fitted on its own texts: how sharp one sentence must be
    # to decide a message is a habit of the domain (an editorial's one critical sentence is its verdict).
    domain_thresholds: Mapping[str, DomainCalibration] = field(default_factory=dict)
    # The training domain whose weights the engine reads a comment with when told no domain: the one
    # closest to what customers write. "" reads with the shared weights only.
    reads_as: str = ""

    def domains(self) -> list[str]:
        """The training domains that have weights of their own."""
        return sorted({name[1:].split(":", 1)[0] for name in self.weights if name.startswith(DOMAIN_PREFIX)})

    def reading(self, domain: str) -> LinearModel:
        """The model as it reads texts of one training domain: shared weights plus that domain's own.

        Scoring one text is then one dictionary walk, as fast as the shared weights alone. "" gives
        the shared weights only.
        """
        prefix = DOMAIN_PREFIX + domain + ":"
        merged: dict[str, tuple[float, float]] = {}
        neg_bias, pos_bias = self.bias
        for name, w in self.weights.items():
            if not name.startswith(DOMAIN_PREFIX):
                old = merged.get(name)
                merged[name] = w if old is None else (old[0] + w[0], old[1] + w[1])
            elif domain and name.startswith(prefix):
                base = name[len(prefix) :]
                if base == DOMAIN_BIAS:
                    neg_bias, pos_bias = neg_bias + w[0], pos_bias + w[1]
                    continue
                old = merged.get(base)
                merged[base] = w if old is None else (old[0] + w[0], old[1] + w[1])
        return LinearModel(
            merged, (neg_bias, pos_bias), self.calibration, self.meta, self.domain_thresholds, domain
        )

    def for_domain(self, domain: str) -> Calibration:
        """The calibration for texts of a training domain: its own thresholds and rule, the shared rest."""
        try:
            negative_below, positive_from, dominant_below = self.domain_thresholds[domain]
        except KeyError:
            known = ", ".join(sorted(self.domain_thresholds)) or "none"
            raise ModelFileError(f"the model has no domain {domain!r} (domains: {known})") from None
        cal = self.calibration
        return Calibration(
            negative_below,
            positive_from,
            dominant_below,
            _bands_for(cal, negative_below, positive_from),
            cal.lexicon_dominant_below,
            0.0,
        )

    def logits(self, feats: Mapping[str, float]) -> tuple[float, float]:
        """Logits of negative and positive (neutral's is 0)."""
        neg, pos = self.bias
        weights = self.weights
        for name, value in feats.items():
            w = weights.get(name)
            if w is not None:
                neg += w[0] * value
                pos += w[1] * value
        return neg, pos

    def read(self, sentences: Sequence[SentenceLexicon]) -> tuple[float, list[float]]:
        """(the message's polarity, each sentence's): `polarity(features(...))` of the message and of
        each sentence, without building their feature dicts.

        A message's n-gram features are the sum of its sentences' (those `features.counted` counts), so
        each sentence's n-grams are read off the weights once and serve both; the dense features are
        read per sentence and for the message (`table.ScoringTable`).
        """
        if not sentences:
            return 0.0, []
        table = self.table
        neg_bias, pos_bias = self.bias
        words = [table.words(s) for s in sentences]
        polarities = []
        for sentence, (neg, pos) in zip(sentences, words, strict=True):
            d_neg, d_pos = table.sentence_dense(sentence)
            p_neg, _, p_pos = softmax(neg_bias + neg + d_neg, pos_bias + pos + d_pos)
            polarities.append(p_pos - p_neg)
        if len(sentences) == 1:
            return polarities[0], polarities
        d_neg, d_pos = table.message_dense(sentences)
        if len(sentences) > MAX_SENTENCE_COPIES:
            words = [w for w, counts in zip(words, counted(sentences), strict=True) if counts]
        p_neg, _, p_pos = softmax(
            neg_bias + sum(w[0] for w in words) + d_neg, pos_bias + sum(w[1] for w in words) + d_pos
        )
        return p_pos - p_neg, polarities

    @cached_property
    def table(self) -> ScoringTable:
        """The weights re-keyed for `read`, built on first use (a reading is built once per engine)."""
        return ScoringTable.build(self.weights)

    def probabilities(self, feats: Mapping[str, float]) -> tuple[float, float, float]:
        return softmax(*self.logits(feats))

    def polarity(self, feats: Mapping[str, float]) -> float:
        """P(positive) - P(negative): in [-1, 1], near 0 when the layer expects no sentiment."""
        p_neg, _, p_pos = self.probabilities(feats)
        return p_pos - p_neg

    def to_json(self) -> dict[str, Any]:
        cal = self.calibration
        bands = cal.bands
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "classes": list(CLASSES),
            "calibration": {
                "negative_below": cal.negative_below,
                "positive_from": cal.positive_from,
                "dominant_below": cal.dominant_below,
                "lexicon_dominant_below": cal.lexicon_dominant_below,
                "neutral_shift": cal.neutral_shift,
                "bands": [
                    bands.very_negative_below,
                    bands.negative_below,
                    bands.neutral_below,
                    bands.positive_below,
                ],
                "domains": {name: list(t) for name, t in sorted(self.domain_thresholds.items())},
                "reads_as": self.reads_as,
            },
            "meta": dict(self.meta),
            "bias": [round(b, 5) for b in self.bias],
            # Three decimals: a weight's last digit moves a logit by 0.0005 per unit of feature value,
            # far below what changes a decision, and keeps the file that ships in the wheel small.
            # The shared weights, then each domain's own under its name ("@jira:u:x" as "u:x" in "jira").
            "weights": _rounded({n: w for n, w in self.weights.items() if not n.startswith(DOMAIN_PREFIX)}),
            "domain_weights": {
                domain: _rounded(
                    {
                        n[len(DOMAIN_PREFIX) + len(domain) + 1 :]: w
                        for n, w in self.weights.items()
                        if n.startswith(DOMAIN_PREFIX + domain + ":")
                    }
                )
                for domain in self.domains()
            },
        }

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), separators=(",", ":"), ensure_ascii=False) + "\n")

    @classmethod
    def from_json(cls, data: Any) -> LinearModel:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ModelFileError(f"not an {FORMAT} model")
        if data.get("version") != FORMAT_VERSION or data.get("classes") != list(CLASSES):
            raise ModelFileError(
                f"unsupported model version {data.get('version')!r} or classes {data.get('classes')!r}"
            )
        try:
            cal = data["calibration"]
            calibration = Calibration(
                negative_below=float(cal["negative_below"]),
                positive_from=float(cal["positive_from"]),
                dominant_below=float(cal["dominant_below"]),
                lexicon_dominant_below=float(cal["lexicon_dominant_below"]),
                bands=MoodBands(*(float(b) for b in cal["bands"])),
                neutral_shift=float(cal["neutral_shift"]),
            )
            weights = {str(k): _pair(v) for k, v in data["weights"].items()}
            for domain, own in data["domain_weights"].items():
                weights.update({domain_name(str(domain), str(k)): _pair(v) for k, v in own.items()})
            shared = calibration.dominant_below
            domains = {
                str(k): _domain_calibration(str(k), v, shared) for k, v in cal.get("domains", {}).items()
            }
            return cls(
                weights,
                _pair(data["bias"]),
                calibration,
                dict(data.get("meta", {})),
                domains,
                str(cal.get("reads_as", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"malformed model: {exc}") from exc

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ModelFileError(f"cannot read model {path}: {exc.strerror}") from exc
        except json.JSONDecodeError as exc:
            raise ModelFileError(f"model {path} is not JSON: {exc}") from exc
        return cls.from_json(data)


def _bands_for(cal: Calibration, negative_below: float, positive_from: float) -> MoodBands:
    """Mood bands for a domain's own label thresholds, so that its label and its mood agree.

    Each "very" cut keeps the place the shipped calibration gives it between its label threshold
    and the end of the scale (there are no strength ratings per domain to fit it on), and the
    shipped bands' promise: one signal beyond the label threshold at most (`one_signal_apart`).
    """
    b = cal.bands
    negative_share = (b.negative_below - b.very_negative_below) / max(1.0 + b.negative_below, 1e-9)
    positive_share = (b.positive_below - b.neutral_below) / max(1.0 - b.neutral_below, 1e-9)
    return one_signal_apart(
        MoodBands(
            negative_below - (1.0 + negative_below) * negative_share,
            negative_below,
            positive_from,
            positive_from + (1.0 - positive_from) * positive_share,
        )
    )


def one_signal_apart(bands: MoodBands) -> MoodBands:
    """`bands` with each "very" cut at least the strongest single signal's weight beyond its label
    threshold (within [-1, 1]), rounded to three decimals.

    One service-desk signal on a comment the layer reads as neutral is a plain mood, not a "very" one
    (signals.py), even on a comment at the edge of neutral. A reading whose positive label starts
    less than that weight below 1 keeps "very positive" for a polarity of 1 only, which one signal
    can still reach there: signals move a polarity within [-1, 1].
    """
    strongest_negative, strongest_positive = min(SIGNAL_WEIGHTS.values()), max(SIGNAL_WEIGHTS.values())
    # Rounded away from the threshold, from the very sum a signal makes (`apply_signals`), so that
    # neither rounding nor the sum's own float error brings the cut back within reach: -0.16 - 0.25 is
    # -0.41000000000000003, which a cut at -0.41 calls very negative.
    reach_negative = bands.negative_below + strongest_negative
    reach_positive = bands.neutral_below + strongest_positive
    floor = math.floor(reach_negative * 1000) / 1000
    if floor > reach_negative:
        floor = round(floor - 0.001, 3)
    ceiling = math.ceil(reach_positive * 1000) / 1000
    if ceiling < reach_positive:
        ceiling = round(ceiling + 0.001, 3)
    return MoodBands(
        max(-1.0, min(round(bands.very_negative_below, 3), floor)),
        bands.negative_below,
        bands.neutral_below,
        min(1.0, max(round(bands.positive_below, 3), ceiling)),
    )


def _rounded(weights: Mapping[str, tuple[float, float]]) -> dict[str, list[float]]:
    return {name: [round(v, 3) for v in w] for name, w in sorted(weights.items())}


def _domain_calibration(name: str, value: Any, shared_dominance: float) -> DomainCalibration:
    """[negative_below, positive_from, dominant_below]; a file of before the third (two numbers) shares
    the shipped calibration's rule."""
    numbers = [float(v) for v in value]
    if len(numbers) == 2:
        numbers.append(shared_dominance)
    if len(numbers) != 3:
        raise ValueError(f"domain {name!r} has {len(numbers)} calibration numbers, not 2 or 3")
    negative_below, positive_from, dominant_below = numbers
    return negative_below, positive_from, dominant_below


def _pair(value: Any) -> tuple[float, float]:
    a, b = (float(v) for v in value)
    return a, b


def softmax(neg: float, pos: float) -> tuple[float, float, float]:
    """P(negative), P(neutral), P(positive) from the two logits against neutral."""
    top = max(neg, 0.0, pos)
    e_neg, e_neu, e_pos = math.exp(neg - top), math.exp(-top), math.exp(pos - top)
    total = e_neg + e_neu + e_pos
    return e_neg / total, e_neu / total, e_pos / total


@lru_cache(maxsize=8)
def load_model(path: Path = DEFAULT_MODEL_PATH) -> LinearModel:
    """The model at `path`, read once per process."""
    return LinearModel.load(path)


@lru_cache(maxsize=16)
def load_reading(path: Path = DEFAULT_MODEL_PATH, domain: str | None = None) -> LinearModel:
    """The model at `path` as it reads one domain (None: the domain it names for customers)."""
    model = load_model(path)
    if domain is not None:
        model.for_domain(domain)  # raises ModelFileError naming the domains it has, if not this one
        return model.reading(domain)
    reading = model.reading(model.reads_as)
    shift = model.calibration.neutral_shift
    return replace(reading, bias=(reading.bias[0] - shift, reading.bias[1] - shift))
