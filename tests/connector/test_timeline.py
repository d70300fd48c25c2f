from __future__ import annotations

import pytest

from connector.results import mood_values
from connector.settings import MoodSettings
from connector.timeline import Trend, timeline_of, trend_of
from sentiment.mood import MoodBands

BANDS = MoodBands(-0.5, -0.1, 0.1, 0.5)


@pytest.mark.parametrize(
    ("polarities", "expected"),
    [
        ([0.2], Trend.steady),
        ([-0.8, -0.2], Trend.improving),
        ([0.5, 0.1], Trend.worsening),
        ([-0.8, -0.7], Trend.steady),
        # Groups, not single messages: recent (-0.9, 0.4) against earlier (-0.9).
        ([-0.9, -0.9, 0.4], Trend.improving),
        # A recovery is still a recovery when the latest message is a little below the one before.
        ([-0.5, -0.4, 0.0, 0.7, 0.4], Trend.improving),
        # One odd message among calm ones does not make a trend.
        ([0.3, 0.3, 0.3, 0.3, 0.3, 0.1], Trend.steady),
        # The window is bounded: an outburst long ago stops counting.
        ([-1.0, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3], Trend.steady),
        ([0.6, 0.5, 0.6, -0.2, -0.3, -0.4], Trend.worsening),
    ],
)
def test_trend(polarities: list[float], expected: Trend) -> None:
    assert trend_of(polarities, window=3, threshold=0.15) is expected


def test_timeline_and_field_values() -> None:
    settings = MoodSettings()
    timeline = timeline_of([-0.8, -0.3, 0.6], settings)
    assert timeline is not None
    assert (timeline.baseline, timeline.current, timeline.lowest, timeline.messages) == (-0.8, 0.6, -0.8, 3)
    assert mood_values(timeline, settings, BANDS) == {
        "mood": "Very positive",
        "mood_score": 0.6,
        "initial_mood": "Very negative",
        "mood_trend": "Improving",
    }


def test_no_messages_clears_the_fields() -> None:
    settings = MoodSettings()
    assert timeline_of([], settings) is None
    assert mood_values(None, settings, BANDS) == {
        "mood": None,
        "mood_score": None,
        "initial_mood": None,
        "mood_trend": None,
    }
