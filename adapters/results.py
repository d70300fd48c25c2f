"""The results the connector writes onto tickets, declared once.

Every logical result field (`mood`, `mood_score`, ...) is one `ResultField` in `RESULT_FIELDS`. The site
settings' field mapping, `ela setup`, the pipeline and the demo all read this table, so a new result
(a CSAT score, an ELA status) is one entry here plus the step that computes it. Platforms know the
fields only by their logical keys and kinds: each site maps a key to one of its own fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

# `datetime` values travel as ISO 8601 text with an offset ("2026-12-01T10:00:00+00:00").
ResultKind = Literal["select", "number", "text", "multi-select", "datetime"]
RESULT_KINDS: tuple[str, ...] = get_args(ResultKind)
SELECT_KINDS = frozenset({"select", "multi-select"})

# Where a select field's options come from: the display labels the admin sets in YAML. The connector
# resolves each source against its settings (see connector.results).
OptionsSource = Literal[
    "mood_labels", "trend_labels", "ela_status_labels", "sla_ela_labels", "survey_status_labels"
]


@dataclass(frozen=True)
class ResultField:
    key: str
    kind: ResultKind
    title: str  # how a person names it in one or two words ("initial mood")
    description: str  # the field description `ela setup` gives the platform's field
    options: OptionsSource | None = None


RESULT_FIELDS: tuple[ResultField, ...] = (
    ResultField(
        "mood",
        "select",
        "mood",
        "The customer's current mood, from their latest message (ELA Connector).",
        "mood_labels",
    ),
    ResultField(
        "mood_score",
        "number",
        "score",
        "Polarity of the customer's latest message, from -1 (very negative) to 1 (ELA Connector).",
    ),
    ResultField(
        "initial_mood",
        "select",
        "initial mood",
        "The customer's mood in their first message on the ticket (ELA Connector).",
        "mood_labels",
    ),
    ResultField(
        "mood_trend",
        "select",
        "trend",
        "Whether the customer's mood is improving, steady or worsening (ELA Connector).",
        "trend_labels",
    ),
    # ELA (connector/ela): the ticket's verdict over its policies, why, and when it is (or was) due.
    ResultField(
        "ela_status",
        "select",
        "ELA status",
        "The ticket's Experience Level Agreement status, the worst of its policies (ELA Connector).",
        "ela_status_labels",
    ),
    ResultField(
        "ela_reason",
        "text",
        "ELA reason",
        "Why the ticket has its ELA status, e.g. no reply 3h 10m after a very negative message "
        "(ELA Connector).",
    ),
    ResultField(
        "ela_due",
        "datetime",
        "ELA due",
        "When the ticket's next ELA breach is due; once breached, when it was due (ELA Connector).",
    ),
    ResultField(
        "sla_ela",
        "select",
        "SLA and ELA",
        "A resolved ticket's SLA met or breached beside its ELA met or breached; Watermelon: SLA met, "
        "ELA breached (ELA Connector).",
        "sla_ela_labels",
    ),
    ResultField(
        "csat_score",
        "number",
        "CSAT score",
        "The customer's latest CSAT answer, on the survey's scale (ELA Connector).",
    ),
    ResultField(
        "nps_score",
        "number",
        "NPS score",
        "The customer's latest NPS answer, 0-10 (ELA Connector).",
    ),
    ResultField(
        "ces_score",
        "number",
        "CES score",
        "The customer's latest Customer Effort Score answer, 1-7 (ELA Connector).",
    ),
    ResultField(
        "survey_comment",
        "text",
        "survey comment",
        "What the customer wrote with their survey answer (ELA Connector).",
    ),
    ResultField(
        "survey_status",
        "select",
        "survey status",
        "Where the ticket's survey stands: sent, reminded, answered, expired or cancelled (ELA Connector).",
        "survey_status_labels",
    ),
)
RESULTS: dict[str, ResultField] = {field.key: field for field in RESULT_FIELDS}


@dataclass(frozen=True)
class FieldSpec:
    """A field `ela setup` must find or create on a platform: the site's name for it, its kind, and (for
    selects) its options."""

    key: str
    name: str
    type: ResultKind
    options: tuple[str, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        if not self.key or not self.name.strip():
            raise ValueError(f"field spec {self.key!r}: key and name must not be empty")
        if self.type not in RESULT_KINDS:
            raise ValueError(
                f"field spec {self.key!r}: type must be one of {sorted(RESULT_KINDS)}, not {self.type!r}"
            )
        if self.options and self.type not in SELECT_KINDS:
            raise ValueError(f"field spec {self.key!r}: only a select field has options")
        if any(not o.strip() for o in self.options) or len(set(self.options)) != len(self.options):
            raise ValueError(f"field spec {self.key!r}: options must be non-empty and distinct")
