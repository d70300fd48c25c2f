"""`ela`: Experience Level Agreements. Policies over each ticket's mood timeline (their kinds are in
connector.settings.ela_policies), the calendars their durations run on, the outbound webhooks their
escalations post to, and the labels agents see."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from adapters.settings import Section
from connector.settings.ela_policies import (
    CalendarSettings,
    Chasing,
    CsatTarget,
    EscalationActions,
    NoDecline,
    Policy,
    RecoverByResolution,
    RespondToNegative,
)
from connector.settings.mood import _Labels

__all__ = [
    "CalendarSettings",
    "Chasing",
    "CsatTarget",
    "ElaSettings",
    "NoDecline",
    "Policy",
    "RecoverByResolution",
    "RespondToNegative",
    "WebhookTarget",
]

# Policy names go into the keys of timers and outbox actions, and into reports.
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


class ElaLabels(_Labels):
    """The options of the `ela_status` select field."""

    on_track: str = "On track"
    at_risk: str = "At risk"
    breached: str = "Breached"
    met: str = "Met"
    not_applicable: str = "Not applicable"


class QuadrantLabels(_Labels):
    """The options of the `sla_ela` select field: a resolved ticket's SLA beside its ELA."""

    both_met: str = "Both met"
    watermelon: str = "Watermelon"  # SLA met, ELA breached: green outside, red inside
    sla_breached: str = "SLA breached, ELA met"
    both_breached: str = "Both breached"


class WebhookTarget(Section):
    """An incoming webhook of a chat tool (or any HTTP endpoint) that escalations post to."""

    # The URL is the credential of Slack and Teams incoming webhooks: give it from the environment.
    url: SecretStr
    format: Literal["slack", "teams", "json"] = "slack"
    # Signs each POST: X-ELA-Signature: sha256=<HMAC-SHA256 of "<X-ELA-Timestamp>.<body>">.
    secret: SecretStr | None = None
    timeout_seconds: float = Field(default=10.0, gt=0, le=60)

    @field_validator("url")
    @classmethod
    def _http(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("secret", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        # `secret: ${SIGNING_SECRET:-}`: an unset variable means an unsigned webhook.
        return None if value == "" else value

    @field_validator("secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return value


class ElaSettings(Section):
    # Where the mood timeline's baseline is: the customer's first message, or the first after it
    # (an opening message is written in the heat of the problem and skews negative).
    baseline: Literal["first_message", "after_opening"] = "first_message"
    # The platform's priorities, highest first: "raise the priority" never lowers one.
    priorities: list[str] = Field(default_factory=lambda: ["Highest", "High", "Medium", "Low", "Lowest"])
    labels: ElaLabels = ElaLabels()
    quadrant_labels: QuadrantLabels = QuadrantLabels()
    calendars: dict[str, CalendarSettings] = Field(default_factory=dict)
    site_calendars: dict[str, str] = Field(default_factory=dict)  # site name -> calendar name
    webhooks: dict[str, WebhookTarget] = Field(default_factory=dict)
    policies: dict[str, Policy] = Field(default_factory=dict)

    @field_validator("policies", "calendars", "webhooks")
    @classmethod
    def _names(cls, value: dict[str, object]) -> dict[str, object]:
        bad = [name for name in value if not _NAME.match(name)]
        if bad:
            raise ValueError(
                f"names are lower-case letters, digits, - and _, up to 40 characters: {', '.join(bad)}"
            )
        return value

    @model_validator(mode="after")
    def _references(self) -> ElaSettings:
        problems = []
        for name, policy in self.policies.items():
            if policy.calendar is not None and policy.calendar not in self.calendars:
                problems.append(f"policies.{name}.calendar: no calendar named {policy.calendar!r}")
            for stage in ("at_risk", "breached"):
                actions: EscalationActions = getattr(policy.escalate, stage)
                where = f"policies.{name}.escalate.{stage}"
                problems += [
                    f"{where}.webhooks: no webhook named {hook!r} under ela.webhooks"
                    for hook in actions.webhooks
                    if hook not in self.webhooks
                ]
                if actions.priority is not None and actions.priority not in self.priorities:
                    problems.append(
                        f"{where}.priority: {actions.priority!r} is not one of ela.priorities "
                        f"({', '.join(self.priorities)})"
                    )
        problems += [
            f"site_calendars.{site}: no calendar named {calendar!r}"
            for site, calendar in self.site_calendars.items()
            if calendar not in self.calendars
        ]
        if len({p.casefold() for p in self.priorities}) != len(self.priorities):
            problems.append("priorities: each priority once")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def title(self, policy: str) -> str:
        return self.policies[policy].title or policy
