"""Mood: five bands over a polarity in [-1, 1]."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Mood(StrEnum):
    very_negative = "very_negative"
    negative = "negative"
    neutral = "neutral"
    positive = "positive"
    very_positive = "very_positive"


@dataclass(frozen=True)
class MoodBands:
    """Upper bounds of the four lower bands; a polarity above `positive_below` is very positive.

    Bands are half-open: polarity < very_negative_below is very_negative, and so on.
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
