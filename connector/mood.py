"""A ticket's mood timeline: baseline, current, lowest and trend, and the field values they become."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from connector.settings import MoodSettings


class Trend(StrEnum):
    improving = "improving"
    steady = "steady"
    worsening = "worsening"


@dataclass(frozen=True)
class Timeline:
    """The summary of a ticket's scored customer messages, oldest first."""

    baseline: float
    current: float
    lowest: float
    trend: Trend
    messages: int


def trend_of(polarities: list[float], window: int, threshold: float) -> Trend:
    """Compare the latest message with the mean of the ones before it inside the window.

    One message has no trend. Comparing against a mean (not just the previous message) keeps a single
    odd sentence from flipping the trend back and forth.
    """
    recent = polarities[-window:]
    if len(recent) < 2:
        return Trend.steady
    before = sum(recent[:-1]) / (len(recent) - 1)
    delta = recent[-1] - before
    if delta > threshold:
        return Trend.improving
    if delta < -threshold:
        return Trend.worsening
    return Trend.steady


def timeline_of(polarities: list[float], settings: MoodSettings) -> Timeline | None:
    if not polarities:
        return None
    return Timeline(
        baseline=polarities[0],
        current=polarities[-1],
        lowest=min(polarities),
        trend=trend_of(polarities, settings.trend.window, settings.trend.threshold),
        messages=len(polarities),
    )


def field_values(timeline: Timeline | None, settings: MoodSettings) -> dict[str, str | float | None]:
    """Logical write-back fields for a timeline; an empty timeline (all messages deleted) clears them."""
    if timeline is None:
        return {"mood": None, "mood_score": None, "initial_mood": None, "mood_trend": None}
    bands = settings.thresholds.bands()
    return {
        "mood": settings.labels.label(bands.band(timeline.current)),
        "mood_score": round(timeline.current, 3),
        "initial_mood": settings.labels.label(bands.band(timeline.baseline)),
        "mood_trend": settings.trend.labels.as_dict()[timeline.trend.value],
    }
