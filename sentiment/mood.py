"""Mood: five bands over a polarity in [-1, 1]."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

# The mood stored for a comment the engine did not score (written in a language it does not score).
# Not a member of Mood: bands map polarities, and an unscored comment has none.
UNKNOWN_MOOD = "unknown"


class Mood(StrEnum):
    very_negative = "very_negative"
    negative = "negative"
    neutral = "neutral"
    positive = "positive"
    very_positive = "very_positive"


@dataclass(frozen=True)
class MoodBands:
    """Upper bounds of the four lower bands; a polarity above `positive_below` is very positive.

    Bands are half-open: polarity < very_negative_below is very_negative, and so on. These class
    defaults are a neutral starting point; DEFAULT_BANDS below are the ones fitted for the default engine.
    """

    very_negative_below: float = -0.5
    negative_below: float = -0.1
    neutral_below: float = 0.1
    positive_below: float = 0.5

    def __post_init__(self) -> None:
        bounds = [self.very_negative_below, self.negative_below, self.neutral_below, self.positive_below]
        if not all(-1.0 <= b <= 1.0 for b in bounds) or bounds != sorted(bounds):
            raise ValueError(f"mood band bounds must rise within [-1, 1], got {bounds}")

    def band(self, polarity: float) -> Mood:
        if polarity < self.very_negative_below:
            return Mood.very_negative
        if polarity < self.negative_below:
            return Mood.negative
        if polarity < self.neutral_below:
            return Mood.neutral
        if polarity < self.positive_below:
            return Mood.positive
        return Mood.very_positive


# The shipped model carries the bands fitted with it (see sentiment/training.py); reading them here,
# rather than through sentiment.model, keeps this module free of the scorer. Its own fallback above is
# for a source tree whose model file was removed.
_SHIPPED_MODEL = Path(__file__).resolve().parent / "data" / "model.json"


def _shipped_bands() -> MoodBands:
    try:
        bounds = json.loads(_SHIPPED_MODEL.read_text(encoding="utf-8"))["calibration"]["bands"]
        return MoodBands(*(float(b) for b in bounds))
    except (OSError, ValueError, KeyError, TypeError):
        return MoodBands()


DEFAULT_BANDS: MoodBands = _shipped_bands()
"""Bands fitted by cross-validation on the labelled dev data; what a site gets when YAML sets none."""
