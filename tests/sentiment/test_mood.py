"""Mood bands: half-open edges, validation, and the fitted defaults that ship with the model."""

from __future__ import annotations

import pytest

from sentiment import score
from sentiment.model import load_model
from sentiment.mood import DEFAULT_BANDS, Mood, MoodBands


def test_band_edges_are_half_open() -> None:
    bands = MoodBands(-0.6, -0.2, 0.2, 0.6)
    assert bands.band(-1.0) is Mood.very_negative
    assert bands.band(-0.6) is Mood.negative  # the bound belongs to the band above
    assert bands.band(-0.2000001) is Mood.negative
    assert bands.band(-0.2) is Mood.neutral
    assert bands.band(0.1999999) is Mood.neutral
    assert bands.band(0.2) is Mood.positive
    assert bands.band(0.6) is Mood.very_positive
    assert bands.band(1.0) is Mood.very_positive


@pytest.mark.parametrize("bounds", [(-0.1, -0.5, 0.1, 0.5), (-1.5, -0.1, 0.1, 0.5), (-0.5, -0.1, 0.6, 0.5)])
def test_bounds_must_rise_within_the_scale(bounds: tuple[float, float, float, float]) -> None:
    with pytest.raises(ValueError, match="must rise"):
        MoodBands(*bounds)


def test_default_bands_are_the_ones_fitted_with_the_shipped_model() -> None:
    calibration = load_model().calibration
    assert calibration.bands == DEFAULT_BANDS
    # The inner edges are the three-class decision, so mood and label never disagree.
    assert DEFAULT_BANDS.negative_below == calibration.negative_below
    assert DEFAULT_BANDS.neutral_below == calibration.positive_from
    assert DEFAULT_BANDS.very_negative_below < DEFAULT_BANDS.negative_below < 0
    assert 0 < DEFAULT_BANDS.neutral_below < DEFAULT_BANDS.positive_below


def test_mood_and_label_agree_under_the_default_bands() -> None:
    for text in ["Thanks, brilliant work!", "Attached the log.", "Still broken AGAIN, unacceptable!!!"]:
        result = score(text)
        mood = DEFAULT_BANDS.band(result.polarity)
        expected = {
            -1: {Mood.very_negative, Mood.negative},
            0: {Mood.neutral},
            1: {Mood.positive, Mood.very_positive},
        }
        assert mood in expected[result.label]
