"""How freely each n-gram's weight may grow: naive-Bayes log-count ratios as feature scales (NBSVM).

The L2 penalty of the fit holds every word feature alike. But a word that one class uses far more
than the others ("thank", "awful") is evidence, and one that every class uses alike ("the", "issue")
is mostly noise that a penalised fit still spends weight on. Scaling an n-gram's value by how unevenly
the three classes use it (the spread of its smoothed log-probabilities under each class, as in Wang
& Manning's NBSVM, 2012) loosens the penalty on the first kind and tightens it on the second; the
fit stays convex and deterministic.

A scale enters only training: the fitted weight times the scale is what ships, so a shipped model
reads its n-grams at their plain value and scoring costs nothing more. Scales come from the training
texts of each fit (each fold's own in cross-validation). A domain's copy of an n-gram
("@jira:u:thanks") has the n-gram's scale.

Chosen on GoEmotions' dev split and on a held-out fifth of its train split (each fitted without it),
then on Jira's folds held out whole: at power 0.75 macro-F1 +0.006 / +0.008 on the two GoEmotions
sets (+0.008 / +0.007 at 0.5, +0.005 / +0.011 at 1.0, no better at 1.5), and Jira read as Jira
0.807 with each fold held out (0.803 without scales). Scales counted within each domain for its
copies did a little better on GoEmotions (+0.009 / +0.009) but left Jira at 0.796: a domain of
4,000 texts gives noisy ratios.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

from sentiment.features import DOMAIN_PREFIX

_NGRAM_PREFIXES = ("u:", "b:")
# Add-one smoothing of the class counts: an n-gram seen in one class only still gets a finite ratio.
_SMOOTHING = 1.0


def is_ngram(name: str) -> bool:
    return name.startswith(_NGRAM_PREFIXES)


def base_name(name: str) -> str:
    """The shared feature a domain copy belongs to: "@jira:u:thanks" -> "u:thanks"."""
    if name.startswith(DOMAIN_PREFIX):
        return name.split(":", 1)[1]
    return name


def ngram_scales(examples: Iterable[tuple[Mapping[str, float], int]], power: float) -> dict[str, float]:
    """{n-gram: scale} from labelled feature dicts: the spread of its log-probabilities under the three
    classes, over the mean spread of all n-grams, to `power` (0: every scale is 1). Domain copies
    are not counted: a copy has its n-gram's scale (`scale_of`)."""
    counts: dict[int, Counter[str]] = {-1: Counter(), 0: Counter(), 1: Counter()}
    for feats, label in examples:
        counts[label].update(name for name in feats if is_ngram(name))
    vocabulary = sorted(set().union(*counts.values()))
    if not vocabulary or power == 0.0:
        return dict.fromkeys(vocabulary, 1.0)
    totals = {label: sum(c.values()) + _SMOOTHING * len(vocabulary) for label, c in counts.items()}
    spread = {}
    for name in vocabulary:
        logs = [math.log((counts[label][name] + _SMOOTHING) / totals[label]) for label in (-1, 0, 1)]
        spread[name] = max(logs) - min(logs)
    mean = sum(spread.values()) / len(spread)
    return {name: (value / mean) ** power for name, value in spread.items()}


def scale_of(name: str, scales: Mapping[str, float]) -> float:
    """A feature's scale: its n-gram's (a domain copy's too), 1 for everything else."""
    return scales.get(base_name(name), 1.0)
