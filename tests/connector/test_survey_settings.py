"""The `surveys`, `smtp` and `survey_pages` sections: validated like the rest, every option in the
example file; the texts a requester reads, in their language."""

from __future__ import annotations

import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from connector.settings import ConfigError, parse_settings
from connector.settings.smtp import SmtpSettings
from connector.settings.survey_pages import SurveyPagesSettings
from connector.settings.surveys import (
    FollowUp,
    RelationshipSchedule,
    SurveyDefinition,
    SurveyExclusions,
    SurveyTexts,
    SurveyTiming,
    SurveyTrigger,
)
from connector.surveys.definitions import language_of, render, texts_for

REPO = Path(__file__).resolve().parents[2]
SITE = """
sites:
  jira-prod:
    platform: jira
    url: https://example.atlassian.net
    auth: {email: bot@example.com, api_token: token-1234567890}
    webhook: {secret: s3cret-s3cret-s3cret}
survey_pages: {secret: survey-secret-0123456789-0123456789}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_settings(textwrap.dedent(text), "ela.yaml", env={})
    return [p.render("ela.yaml") for p in caught.value.problems]


def test_every_survey_option_is_in_the_example_file() -> None:
    text = (REPO / "config" / "example.yaml").read_text()
    models = (
        SurveyDefinition,
        SurveyTexts,
        SurveyTrigger,
        SurveyTiming,
        SurveyExclusions,
        FollowUp,
        RelationshipSchedule,
        SmtpSettings,
        SurveyPagesSettings,
    )
    missing = sorted({f"{m.__name__}.{n}" for m in models for n in m.model_fields if f"{n}:" not in text})
    assert missing == []


def test_a_minimal_survey_gets_the_defaults() -> None:
    settings = parse_settings(SITE + "surveys:\n  - {name: csat, kind: csat}\n", env={})
    [survey] = settings.surveys
    assert survey.scale_range == (1, 5) and survey.channel == "comment" and survey.applies_to("jira-prod")
    assert survey.timing.delay == timedelta(hours=1) and survey.timing.expires_after == timedelta(days=7)
    assert survey.throttle == timedelta(days=30) and survey.sample == 100 and survey.on_reopen == "resurvey"


def test_survey_mistakes_are_reported_with_their_lines() -> None:
    text = SITE + textwrap.dedent(
        """
        surveys:
          - name: csat
            kind: csat
            scale: 4
          - name: nps
            kind: nps
            scale: 10
          - name: typo
            kind: csat
            texts: {question: "How was {ticket.kee}?"}
          - name: mail
            kind: ces
            channel: email
            timing: {delay: soon}
          - {name: where, kind: csat, sites: [nowhere]}
          - {name: cron, kind: nps, channel: email, schedule: {cron: "every monday"}}
        """
    )
    found = problems(text)
    assert found[0].endswith("surveys[0]: a CSAT scale has 3, 5, 7 or 10 points, not 4")
    joined = "\n".join(found)
    assert "NPS has a fixed scale: leave `scale` out" in joined
    assert "unknown placeholder {ticket.kee}" in joined
    assert "not a duration: 'soon'" in joined
    assert "not a cron expression" in joined
    assert all(p.startswith("ela.yaml:") for p in found)


def test_what_the_channels_and_pages_need_is_checked_across_sections() -> None:
    text = """
    sites: {}
    surveys:
      - {name: mail, kind: csat, channel: email}
      - {name: where, kind: csat, sites: [nowhere]}
      - {name: mail, kind: nps}
    """
    joined = "\n".join(problems(text))
    assert "survey names must be unique: mail appear more than once" in joined
    text = "surveys:\n  - {name: mail, kind: csat, channel: email, sites: [nowhere]}\n"
    joined = "\n".join(problems(text))
    assert "goes by e-mail: configure the `smtp` section" in joined
    assert "names sites that are not configured: ['nowhere']" in joined
    assert "surveys need `survey_pages.secret`" in joined
    assert "secret must be at least 32 characters" in "\n".join(problems("survey_pages: {secret: short}\n"))
    assert "relationship survey (schedule) goes by e-mail" in "\n".join(
        problems(SITE + "surveys:\n  - {name: r, kind: nps, schedule: {cron: '0 9 1 * *'}}\n")
    )


def test_labels_and_follow_up_must_fit_the_scale() -> None:
    text = (
        SITE + "surveys:\n  - {name: c, kind: ces, texts: {labels: {0: Hard}}, follow_up: {threshold: 9}}\n"
    )
    joined = "\n".join(problems(text))
    assert "labels for points [0] are outside the scale 1-7" in joined


def test_texts_follow_the_requesters_language_and_fall_back_to_english() -> None:
    survey = SurveyDefinition.model_validate(
        {
            "name": "csat",
            "kind": "csat",
            "scale": 3,
            "texts": {"labels": {3: "Great"}},
            "translations": {"de": {"question": "Wie war {ticket.key}?", "labels": {1: "Schlecht"}}},
        }
    )
    german = texts_for(survey, "de_DE")
    assert german.language == "de" and german.question == "Wie war {ticket.key}?"
    assert german.labels == {1: "Schlecht", 2: "Neutral", 3: "Great"}
    assert german.comment_prompt == "Anything you would like to tell us? (optional)"  # not translated
    assert texts_for(survey, "fr-FR").language == "en" and texts_for(survey, None).language == "en"
    assert language_of("DE-at", {"de"}) == "de"
    values = {"ticket.key": "SUP-7", "ticket.summary": None, "requester.name": None}
    assert (
        render("Hello {requester.name}, {ticket.key} ({ticket.summary})", values) == "Hello there, SUP-7 ()"
    )


def test_relationship_surveys_read_as_such() -> None:
    survey = SurveyDefinition.model_validate(
        {"name": "q", "kind": "nps", "channel": "email", "schedule": {"cron": "0 9 1 1,4,7,10 *"}}
    )
    texts = texts_for(survey, None)
    assert texts.subject == "How are we doing?" and "{ticket.key}" not in texts.intro
    assert texts.labels[0] == "Not at all likely" and texts.labels[5] == "5"
