"""A sanity floor on the real labelled data, far below the targets (the figures live in bench/)."""

from __future__ import annotations

from pathlib import Path

from sentiment import score
from sentiment.evaluate import evaluate, read_labelled


def test_second_domain_is_scored_sensibly(shared_data: Path) -> None:
    # github.csv is never trained on: a floor that only a broken engine would miss.
    rows = read_labelled(shared_data / "sentiment" / "github.csv")[:1500]
    report = evaluate([r.label for r in rows], [score(r.text).label for r in rows])
    assert report.macro_f1 > 0.45
    assert all(c.f1 > 0.3 for c in report.classes)
