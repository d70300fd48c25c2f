"""Survey definitions read against the rest of the settings: defaults per kind and scale, the texts in
the requester's language, and templating."""

from __future__ import annotations

import re
from dataclasses import dataclass

from connector.settings.surveys import SurveyDefinition, SurveyTexts

# Result fields by kind: each kind writes its score to its own field.
SCORE_FIELDS = {"csat": "csat_score", "nps": "nps_score", "ces": "ces_score"}

_QUESTIONS = {
    "csat": "How satisfied are you with how we handled {ticket.key}, \u201c{ticket.summary}\u201d?",
    "nps": "How likely are you to recommend our IT service to a colleague?",
    "ces": "How easy was it to get {ticket.key}, \u201c{ticket.summary}\u201d, resolved?",
}
_CSAT_LABELS = {
    3: {1: "Unsatisfied", 2: "Neutral", 3: "Satisfied"},
    5: {1: "Very dissatisfied", 2: "Dissatisfied", 3: "Neutral", 4: "Satisfied", 5: "Very satisfied"},
    7: {1: "Very dissatisfied", 4: "Neutral", 7: "Very satisfied"},
    10: {1: "Very dissatisfied", 10: "Very satisfied"},
}
_NPS_LABELS = {0: "Not at all likely", 10: "Extremely likely"}
_CES_LABELS = {1: "Very difficult", 4: "Neither", 7: "Very easy"}
ENGLISH = SurveyTexts(
    comment_prompt="Anything you would like to tell us? (optional)",
    subject="How did we do? {ticket.key}: {ticket.summary}",
    intro="Hello {requester.name}, {ticket.key} has been resolved. One click tells us how we did:",
    reminder="A reminder: we would still like to hear how we did.",
    thanks="Thank you for your answer!",
    send_comment="Send",
)
_RELATIONSHIP_ENGLISH = {
    "subject": "How are we doing?",
    "intro": "Hello {requester.name}, you have used our IT service lately. One click tells us how we do:",
}
_PLACEHOLDER = re.compile(r"\{(ticket\.key|ticket\.summary|requester\.name)\}")


def language_of(locale: str | None, available: set[str]) -> str:
    """`de_DE`, `de-AT` or `de` -> `de` when a translation exists; English otherwise."""
    if not locale:
        return "en"
    code = locale.replace("-", "_").split("_", 1)[0].lower()
    return code if code in available else "en"


@dataclass(frozen=True)
class Texts:
    """A survey's words in one language, every one filled in."""

    language: str
    question: str
    labels: dict[int, str]  # every point of the scale; unlabelled points read as their number
    comment_prompt: str
    subject: str
    intro: str
    reminder: str
    thanks: str
    send_comment: str


def _default_labels(survey: SurveyDefinition) -> dict[int, str]:
    if survey.kind == "nps":
        return _NPS_LABELS
    if survey.kind == "ces":
        return _CES_LABELS
    return _CSAT_LABELS[survey.scale or 5]


def texts_for(survey: SurveyDefinition, locale: str | None) -> Texts:
    language = language_of(locale, set(survey.translations))
    layers = [survey.texts, ENGLISH]
    if language != "en":
        layers.insert(0, survey.translations[language])
    low, high = survey.scale_range
    labels = {point: str(point) for point in range(low, high + 1)}
    labels.update(_default_labels(survey))
    for layer in reversed(layers):
        labels.update(layer.labels)

    def pick(name: str) -> str:
        for layer in layers:
            value = getattr(layer, name)
            if value:
                return str(value)
        if survey.relationship and name in _RELATIONSHIP_ENGLISH:
            return _RELATIONSHIP_ENGLISH[name]
        if name == "question":
            return _QUESTIONS[survey.kind]
        raise LookupError(name)

    subject, intro = pick("subject"), pick("intro")
    if survey.relationship and not any(layer.subject for layer in layers[:-1]):
        subject = _RELATIONSHIP_ENGLISH["subject"]
    if survey.relationship and not any(layer.intro for layer in layers[:-1]):
        intro = _RELATIONSHIP_ENGLISH["intro"]
    return Texts(
        language=language,
        question=pick("question"),
        labels=labels,
        comment_prompt=pick("comment_prompt"),
        subject=subject,
        intro=intro,
        reminder=pick("reminder"),
        thanks=pick("thanks"),
        send_comment=pick("send_comment"),
    )


def render(template: str, values: dict[str, str | None]) -> str:
    """Fill in {ticket.key}, {ticket.summary} and {requester.name}; an unknown value reads as empty,
    except the requester's name, which falls back to a greeting without one."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name)
        if value:
            return value
        return "there" if name == "requester.name" else ""

    return _PLACEHOLDER.sub(one, template)
