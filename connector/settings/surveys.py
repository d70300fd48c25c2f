"""`surveys`: the CSAT, NPS and CES surveys, one definition per entry of the list.

A definition names its kind and scale, the words the customer reads (in English, and in any other
language the requester's locale may ask for), what triggers it (a ticket resolved, or a cron schedule
for relationship surveys), its timing, its guards and its channel. It applies to every site unless it
names some. Sites' own sections belong to their platforms, so nothing of the surveys lives in them.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import timedelta
from typing import Literal

from pydantic import Field, field_validator, model_validator

from adapters.settings import Section
from connector.settings.durations import Duration

SurveyKind = Literal["csat", "nps", "ces"]
# The scales each kind may have: CSAT 1-3, 1-5, 1-7 or 1-10; NPS is 0-10 and CES 1-7 by definition.
CSAT_SCALES = (3, 5, 7, 10)
PLACEHOLDERS = ("ticket.key", "ticket.summary", "requester.name")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def check_template(value: str) -> str:
    """Only the documented placeholders: a typo would otherwise reach customers as "{tiket.key}"."""
    unknown = [name for name in _PLACEHOLDER.findall(value) if name not in PLACEHOLDERS]
    if unknown:
        allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        raise ValueError(f"unknown placeholder {{{unknown[0]}}} (use {allowed})")
    return value


class SurveyTexts(Section):
    """What the customer reads. Left out, a text is the kind's English default (or, in a translation,
    the survey's English text)."""

    question: str | None = None  # may use {ticket.key}, {ticket.summary}, {requester.name}
    labels: dict[int, str] = Field(default_factory=dict)  # a label per point of the scale
    comment_prompt: str | None = None
    subject: str | None = None  # the e-mail's subject
    intro: str | None = None  # the line above the rating links
    reminder: str | None = None  # the line that starts a reminder
    thanks: str | None = None  # the answer page's heading
    send_comment: str | None = None  # the answer page's button

    @field_validator("question", "subject", "intro", "reminder")
    @classmethod
    def _placeholders(cls, value: str | None) -> str | None:
        return check_template(value) if value is not None else None

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: dict[int, str]) -> dict[int, str]:
        if any(not label.strip() for label in value.values()):
            raise ValueError("labels must not be empty")
        return value


class SurveyTrigger(Section):
    """A transition into one of `statuses`, or (none given) into the done status category; the filters
    narrow it, each left empty matches every ticket."""

    statuses: list[str] = Field(default_factory=list)
    projects: list[str] = Field(default_factory=list)
    request_types: list[str] = Field(default_factory=list)
    issue_types: list[str] = Field(default_factory=list)
    priorities: list[str] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list)  # the ticket carries at least one of them


class SurveyTiming(Section):
    delay: Duration = timedelta(hours=1)  # after the resolution
    require_resolved: bool = True  # send only if the ticket is still resolved when the delay is over
    reminder_after: Duration = timedelta(days=2)  # after the send (and after each reminder)
    reminders: int = Field(default=1, ge=0, le=5)  # at most this many
    expires_after: Duration = timedelta(days=7)  # after the send: links stop taking answers

    @model_validator(mode="after")
    def _positive_windows(self) -> SurveyTiming:
        if self.expires_after <= timedelta(0):
            raise ValueError("expires_after must be longer than 0")
        if self.reminders and self.reminder_after <= timedelta(0):
            raise ValueError("reminder_after must be longer than 0 when reminders are sent")
        return self


class SurveyExclusions(Section):
    labels: list[str] = Field(default_factory=list)  # e.g. policy-denial
    request_types: list[str] = Field(default_factory=list)
    resolved_within: Duration | None = None  # tickets resolved this soon after creation
    domains: list[str] = Field(default_factory=list)  # requesters' e-mail domains

    @field_validator("domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        cleaned = [d.strip().lower().lstrip("@") for d in value]
        bad = [d for d in cleaned if "." not in d or " " in d]
        if bad:
            raise ValueError(f"not e-mail domains: {', '.join(bad)}")
        return cleaned


class FollowUpIssue(Section):
    """A follow-up ticket in another project (e.g. a service owner's queue), one per low answer."""

    project: str  # its key, e.g. CX
    issue_type: str = "Task"
    labels: list[str] = Field(default_factory=lambda: ["survey-follow-up"])


class FollowUp(Section):
    """What a low score sets off (at or below `threshold`), through the outbox."""

    threshold: int  # on the survey's own scale
    after: Duration = timedelta(minutes=5)  # after the answer: its comment is in, a changed mind counts
    internal_comment: bool = True  # an internal comment to agents with the score and the comment
    label: str | None = "survey-low-score"  # added to the ticket; null for none
    issue: FollowUpIssue | None = None  # optional: also a ticket in another project

    @field_validator("label")
    @classmethod
    def _label(cls, value: str | None) -> str | None:
        if value is not None and (not value or " " in value or len(value) > 255):
            raise ValueError("a label has no spaces and 1-255 characters")
        return value


class RelationshipSchedule(Section):
    """A relationship survey (e.g. quarterly NPS): sent on a cron schedule, by e-mail, to requesters
    with a ticket active in the last `active_within`."""

    cron: str  # five fields, UTC: minute hour day-of-month month day-of-week
    active_within: Duration = timedelta(days=90)

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value, timezone="UTC")
        except ValueError as exc:
            raise ValueError(f"not a cron expression ({exc}): {value!r}") from exc
        return value


class SurveyDefinition(Section):
    name: str
    kind: SurveyKind
    scale: int | None = None  # CSAT only: 3, 5 (default), 7 or 10 points
    sites: list[str] = Field(default_factory=list)  # empty: every site
    channel: Literal["comment", "email"] = "comment"
    texts: SurveyTexts = SurveyTexts()
    translations: dict[str, SurveyTexts] = Field(default_factory=dict)  # language -> texts
    trigger: SurveyTrigger = SurveyTrigger()
    schedule: RelationshipSchedule | None = None  # set: a relationship survey instead of a trigger
    timing: SurveyTiming = SurveyTiming()
    throttle: Duration | None = timedelta(days=30)  # one survey per requester per window, of any survey
    sample: float = Field(default=100.0, ge=0, le=100)  # percent of tickets, the same ones every time
    exclude: SurveyExclusions = SurveyExclusions()
    on_reopen: Literal["resurvey", "once"] = "resurvey"  # pending sends are cancelled either way
    follow_up: FollowUp | None = None
    # The platform groups that are teams: the send credits the first of them the assignee belongs to
    # at the resolution (a lookup on the platform, cached). Empty: no team is recorded.
    teams: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("a survey name is lower-case letters, digits, - and _ (up to 40)")
        return value

    @field_validator("translations")
    @classmethod
    def _languages(cls, value: dict[str, SurveyTexts]) -> dict[str, SurveyTexts]:
        bad = [code for code in value if not _LANGUAGE.match(code)]
        if bad:
            raise ValueError(f"languages are ISO 639 codes such as de or fr, not {', '.join(bad)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SurveyDefinition:
        if self.kind == "csat":
            if self.scale is not None and self.scale not in CSAT_SCALES:
                raise ValueError(f"a CSAT scale has 3, 5, 7 or 10 points, not {self.scale}")
        elif self.scale is not None:
            raise ValueError(f"{self.kind.upper()} has a fixed scale: leave `scale` out")
        low, high = self.scale_range
        for texts in (self.texts, *self.translations.values()):
            outside = sorted(p for p in texts.labels if not low <= p <= high)
            if outside:
                raise ValueError(f"labels for points {outside} are outside the scale {low}-{high}")
        if self.follow_up is not None and not low <= self.follow_up.threshold <= high:
            raise ValueError(f"follow_up.threshold must be on the scale {low}-{high}")
        if self.schedule is not None and self.channel != "email":
            raise ValueError("a relationship survey (schedule) goes by e-mail: set channel: email")
        return self

    @property
    def scale_range(self) -> tuple[int, int]:
        if self.kind == "nps":
            return 0, 10
        if self.kind == "ces":
            return 1, 7
        return 1, self.scale or 5

    @property
    def relationship(self) -> bool:
        return self.schedule is not None

    def applies_to(self, site: str) -> bool:
        return not self.sites or site in self.sites


def check_unique_names(surveys: list[SurveyDefinition]) -> list[SurveyDefinition]:
    names = [s.name for s in surveys]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"survey names must be unique: {', '.join(twice)} appear more than once")
    return surveys


def check_survey_wiring(
    surveys: list[SurveyDefinition], sites: Collection[str], smtp_configured: bool, links_signed: bool
) -> None:
    """What one definition cannot check alone: the sites it names, and what its channel needs."""
    problems = []
    for survey in surveys:
        unknown = [s for s in survey.sites if s not in sites]
        if unknown:
            problems.append(f"survey {survey.name!r} names sites that are not configured: {unknown}")
        if survey.channel == "email" and not smtp_configured:
            problems.append(f"survey {survey.name!r} goes by e-mail: configure the `smtp` section")
    if surveys and not links_signed:
        problems.append("surveys need `survey_pages.secret` (32+ characters) to sign their links")
    if problems:
        raise ValueError("; ".join(problems))
