"""A ticket's mood timeline: baseline, current, lowest and trend of its scored customer messages."""

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
    """Is the customer's mood recovering? The mean of the latest messages against the mean of the
    ones just before them, at most `window` in each group (fewer while the conversation is short).

    Means of groups, not the last two messages, so one odd message does not flip the trend back and
    forth; a bounded window, so an outburst long ago stops counting.
    """
    count = len(polarities)
    if count < 2:
        return Trend.steady
    size = min(window, (count + 1) // 2)
    recent = polarities[-size:]
    earlier = polarities[max(0, count - 2 * size) : count - size]
    delta = sum(recent) / len(recent) - sum(earlier) / len(earlier)
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
