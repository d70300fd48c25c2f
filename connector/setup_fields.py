"""`ela setup`: the custom fields a site maps results to, created where missing."""

from __future__ import annotations

import re
from dataclasses import dataclass

from adapters.jira_fields import FieldSpec, ensure_fields
from adapters.jira_writer import JiraWriter
from connector.platforms import jira_writer
from connector.settings import JiraSiteSettings, MoodSettings

_FIELD_ID = re.compile(r"^customfield_\d+$")

_DESCRIPTIONS = {
    "mood": "The customer's current mood, from their latest message (ELA Connector).",
    "mood_score": "Polarity of the customer's latest message, from -1 (very negative) to 1 (ELA Connector).",
    "initial_mood": "The customer's mood in their first message on the ticket (ELA Connector).",
    "mood_trend": "Whether the customer's mood is improving, steady or worsening (ELA Connector).",
}


@dataclass(frozen=True)
class SetupResult:
    created_or_found: dict[str, str]  # logical key -> field id, for fields mapped by name
    checked: dict[str, str]  # logical key -> field id, for fields mapped by id (must exist already)


def field_specs(site: JiraSiteSettings, mood: MoodSettings) -> tuple[list[FieldSpec], dict[str, str]]:
    """Specs for the fields mapped by name, and the ones mapped by id (which setup only checks)."""
    mood_labels = tuple(mood.labels.as_dict().values())
    kinds: dict[str, tuple[str, tuple[str, ...]]] = {
        "mood": ("select", mood_labels),
        "initial_mood": ("select", mood_labels),
        "mood_score": ("number", ()),
        "mood_trend": ("select", tuple(mood.trend.labels.as_dict().values())),
    }
    specs, by_id = [], {}
    for key, ref in site.fields.mapped().items():
        if _FIELD_ID.match(ref):
            by_id[key] = ref
            continue
        kind, options = kinds[key]
        specs.append(FieldSpec(key, ref, kind, options, _DESCRIPTIONS[key]))  # type: ignore[arg-type]
    return specs, by_id


def setup_site(site: JiraSiteSettings, mood: MoodSettings, writer: JiraWriter | None = None) -> SetupResult:
    specs, by_id = field_specs(site, mood)
    writer = writer or jira_writer(site)  # type: ignore[assignment]
    assert isinstance(writer, JiraWriter)
    created = ensure_fields(writer, specs) if specs else {}
    checked = {key: field.id for key, field in writer.resolve_fields(refresh=True).items() if key in by_id}
    return SetupResult(created, checked)
