"""The result-field table (adapters.results) read against the settings: the options of each select, the
values a mood timeline gives each result, and the specs `ela setup` hands a platform."""

from __future__ import annotations

from adapters.results import RESULT_FIELDS, RESULTS, FieldSpec, ResultField
from adapters.settings import SiteSettings
from connector.settings import MoodSettings, Settings
from connector.surveys.status import STATUS_LABELS
from connector.timeline import Timeline
from sentiment.mood import MoodBands

FieldValues = dict[str, str | float | None]


def options_for(field: ResultField, settings: Settings) -> tuple[str, ...]:
    """A select's options, from the labels the admin set."""
    if field.options == "mood_labels":
        return tuple(settings.mood.labels.as_dict().values())
    if field.options == "trend_labels":
        return tuple(settings.mood.trend.labels.as_dict().values())
    if field.options == "ela_status_labels":
        return tuple(settings.ela.labels.as_dict().values())
    if field.options == "sla_ela_labels":
        return tuple(settings.ela.quadrant_labels.as_dict().values())
    if field.options == "survey_status_labels":
        return tuple(STATUS_LABELS.values())
    return ()


def field_specs(site: SiteSettings, settings: Settings) -> list[FieldSpec]:
    """What `ela setup` must find or create for the site: one spec per result it maps."""
    return [
        FieldSpec(key, ref, RESULTS[key].kind, options_for(RESULTS[key], settings), RESULTS[key].description)
        for key, ref in site.fields.mapped().items()
    ]


def mood_values(timeline: Timeline | None, mood: MoodSettings, bands: MoodBands) -> FieldValues:
    """The mood results of a timeline; an empty timeline (every message deleted) clears them."""
    if timeline is None:
        return {"mood": None, "mood_score": None, "initial_mood": None, "mood_trend": None}
    return {
        "mood": mood.labels.label(bands.band(timeline.current)),
        "mood_score": round(timeline.current, 3),
        "initial_mood": mood.labels.label(bands.band(timeline.baseline)),
        "mood_trend": mood.trend.labels.as_dict()[timeline.trend.value],
    }


def titles() -> dict[str, str]:
    """How a person names each result, for the demo and reports."""
    return {field.key: field.title for field in RESULT_FIELDS}
