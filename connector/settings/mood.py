"""`mood`: the bands a polarity falls into, and the labels agents see."""

from __future__ import annotations

from pydantic import Field, model_validator

from adapters.settings import Section
from sentiment.mood import Mood, MoodBands


class MoodThresholds(Section):
    """Upper polarity bound of each of the four lower bands (very_positive is everything above)."""

    very_negative: float
    negative: float
    neutral: float
    positive: float

    @model_validator(mode="after")
    def _rising(self) -> MoodThresholds:
        self.bands()
        return self

    def bands(self) -> MoodBands:
        return MoodBands(self.very_negative, self.negative, self.neutral, self.positive)


class _Labels(Section):
    """Display labels: they become the options of a select field, so each must be unique and non-empty."""

    @model_validator(mode="after")
    def _distinct(self) -> _Labels:
        values = list(self.as_dict().values())
        if any(not v.strip() for v in values):
            raise ValueError("labels must not be empty")
        if len(set(values)) != len(values):
            raise ValueError("labels must differ from each other (they become the options of a select field)")
        return self

    def as_dict(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump().items()}


class TrendLabels(_Labels):
    improving: str = "Improving"
    steady: str = "Steady"
    worsening: str = "Worsening"


class MoodLabels(_Labels):
    very_negative: str = "Very negative"
    negative: str = "Negative"
    neutral: str = "Neutral"
    positive: str = "Positive"
    very_positive: str = "Very positive"

    def label(self, mood: Mood) -> str:
        return self.as_dict()[mood.value]


class TrendSettings(Section):
    window: int = Field(default=3, ge=2, le=50)
    threshold: float = Field(default=0.15, gt=0, le=2)
    labels: TrendLabels = TrendLabels()


class MoodSettings(Section):
    # None: the bands fitted to the sentiment engine's own scale (see `ela sentiment eval`).
    thresholds: MoodThresholds | None = None
    labels: MoodLabels = MoodLabels()
    trend: TrendSettings = TrendSettings()

    def bands(self, engine_bands: MoodBands) -> MoodBands:
        return self.thresholds.bands() if self.thresholds is not None else engine_bands
