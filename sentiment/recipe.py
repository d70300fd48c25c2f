"""The shipped model's training data: which shared labelled files, in which domain, for whom.

`ela sentiment train` with no files reads these from the shared data directory and rebuilds
`sentiment/data/model.json`. goemotions-test.csv is not here on purpose: it is kept for reporting.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sentiment.evaluate import LabelledText, read_labelled
from sentiment.training import TrainingConfig


@dataclass(frozen=True)
class Source:
    path: str  # relative to the sentiment data directory
    domain: str
    customer: bool  # customer-voice text rather than developers'
    # The label thresholds of the shipped engine are fitted on these: sets whose neutral class means
    # "no feeling" (GoEmotions: no emotion chosen). VADER's sets have almost no neutral texts, an
    # artefact of a +-0.05 band on the raters' mean, and say nothing of how many comments are neutral.
    calibrate: bool = False
    keep_groups: bool = False  # hold out its `dataset` folds whole in the grouped CV


SHARED_SOURCES: tuple[Source, ...] = (
    Source("jira-dev.csv", "jira", customer=False, keep_groups=True),
    Source("github.csv", "github", customer=False),
    Source("customer/vader-tweets.csv", "vader-tweets", customer=True),
    Source("customer/vader-movie-reviews.csv", "vader-movie-reviews", customer=True),
    Source("customer/vader-nyt-editorials.csv", "vader-nyt-editorials", customer=True),
    Source("customer/goemotions-train.csv", "goemotions", customer=True, calibrate=True),
    Source("customer/goemotions-dev.csv", "goemotions", customer=True, calibrate=True),
)


# The domain whose weights read a comment of unknown origin: Reddit comments are the nearest of the
# shared sets to what customers write, and their neutral class means "no feeling" (see `calibrate`).
READS_AS = "goemotions"


def shipped_config(**overrides: int | float | str | bool) -> TrainingConfig:
    """The training settings of the shipped model (`ela sentiment train` with no files)."""
    return TrainingConfig(reads_as=READS_AS, **overrides)  # type: ignore[arg-type]


def default_data_dir() -> Path:
    """$ELA_SHARED_DATA/sentiment, else ../shared/data/sentiment from the current directory."""
    override = os.environ.get("ELA_SHARED_DATA")
    return (Path(override) if override else Path("..") / "shared" / "data") / "sentiment"


def domain_of(path: Path) -> str:
    """A file's domain from its name: "goemotions-train.csv" and "goemotions-dev.csv" are one domain."""
    stem = path.stem
    for suffix in ("-train", "-dev", "-test", "_train", "_dev", "_test"):
        if stem.endswith(suffix):
            return stem[: -len(suffix)]
    return stem


def read_shared(data_dir: Path) -> list[tuple[Source, list[LabelledText]]]:
    """Every shared source's rows; raises DatasetError naming the first missing or unreadable file."""
    read = []
    for source in SHARED_SOURCES:
        rows = read_labelled(data_dir / source.path)
        if not source.keep_groups:
            rows = [LabelledText(r.text, r.label, "", r.mean) for r in rows]
        read.append((source, rows))
    return read
