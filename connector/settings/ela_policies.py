"""`ela.policies`, `ela.calendars`: what each kind of policy promises, to which tickets, on which clock,
and what it does when a promise is at risk or broken. (The section itself is connector.settings.ela.)"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from itertools import pairwise
from typing import Annotated, Any, Literal, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator

from adapters.settings import Section
from sentiment.mood import Mood

# "4h", "1h 30m", "90m", "2d", "45s": what admins write. ISO 8601 ("PT4H") is taken too.
_DURATION = re.compile(r"^(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?$")


def _duration(value: Any) -> Any:
    if isinstance(value, str) and value.strip() and not value.strip().upper().startswith("P"):
        found = _DURATION.match(value.strip().lower())
        if found is None:
            raise ValueError(f"not a duration: {value!r} (write e.g. 4h, 30m, 1h 30m or 2d)")
        days, hours, minutes, seconds = (int(part or 0) for part in found.groups())
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("give a duration with its unit, e.g. 4h or 30m")
    return value


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be longer than zero")
    return value


Duration = Annotated[timedelta, BeforeValidator(_duration), AfterValidator(_positive)]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")

# An open span of a day, in local time; `end` None is midnight at the end of the day ("24:00").
Span = tuple[time, time | None]


def parse_span(text: str) -> Span:
    found = _SPAN.match(text.strip())
    if found is None:
        raise ValueError(f"not opening hours: {text!r} (write e.g. 09:00-17:00)")
    start_h, start_m, end_h, end_m = (int(g) for g in found.groups())
    if start_h > 23 or start_m > 59 or end_m > 59 or end_h > 24 or (end_h == 24 and end_m):
        raise ValueError(f"not a time of day in {text!r}")
    start = time(start_h, start_m)
    end = None if end_h == 24 else time(end_h, end_m)
    if end is not None and end <= start:
        raise ValueError(f"{text!r} closes before it opens (hours over midnight: split them in two days)")
    return start, end


def _days(key: str) -> list[str]:
    """`mon`, or a range such as `mon-fri`."""
    first, _, last = key.strip().lower().partition("-")
    if first not in WEEKDAYS or (last and last not in WEEKDAYS):
        raise ValueError(f"not a weekday or a range of them: {key!r} (use mon, tue, ... or mon-fri)")
    start, end = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
    if end < start:
        raise ValueError(f"{key!r}: a range runs forward within the week (mon-fri, not fri-mon)")
    return list(WEEKDAYS[start : end + 1])


class CalendarSettings(Section):
    """Business hours: a time zone (with its daylight-saving changes), weekly opening hours, holidays."""

    time_zone: str = "UTC"
    # Day or day range -> one span or a list of spans, e.g. {mon-fri: "09:00-17:00", sat: [...]}.
    # Days left out are closed.
    hours: dict[str, str | list[str]] = Field(default_factory=dict)
    holidays: list[date] = Field(default_factory=list)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (an IANA name such as Europe/Berlin)") from exc
        return value

    @model_validator(mode="after")
    def _open_some_time(self) -> CalendarSettings:
        week = self.week()
        if not any(week.values()):
            raise ValueError("hours: a calendar must be open on at least one day of the week")
        return self

    def week(self) -> dict[int, list[Span]]:
        """Weekday (0 = Monday) -> its open spans in order; raises ValueError on overlaps."""
        week: dict[int, list[Span]] = {day: [] for day in range(7)}
        for key, given in self.hours.items():
            spans = [parse_span(text) for text in ([given] if isinstance(given, str) else given)]
            for name in _days(key):
                week[WEEKDAYS.index(name)].extend(spans)
        for number, day_spans in week.items():
            day_spans.sort(key=lambda span: span[0])
            for (_, end), (start, _) in pairwise(day_spans):
                if end is None or end > start:
                    raise ValueError(f"hours: the spans of {WEEKDAYS[number]} overlap")
        return week


MoodLevel = Mood


class PolicyFilters(Section):
    """Which tickets a policy applies to: every list given must match (case does not matter); an empty
    list matches every ticket. `labels`: the ticket has at least one of them."""

    sites: list[str] = Field(default_factory=list)
    projects: list[str] = Field(default_factory=list)
    request_types: list[str] = Field(default_factory=list)
    priorities: list[str] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list)


_LABEL = re.compile(r"^\S{1,255}$")


class EscalationActions(Section):
    labels: list[str] = Field(default_factory=list)  # added to the ticket
    comment: bool = False  # an internal comment to agents: the reason and the customer's last mood
    priority: str | None = None  # raised to this (never lowered: a ticket already above it keeps its own)
    webhooks: list[str] = Field(default_factory=list)  # names under ela.webhooks

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: list[str]) -> list[str]:
        bad = [label for label in value if not _LABEL.match(label)]
        if bad:
            raise ValueError(f"labels cannot hold spaces and are 1-255 characters: {bad}")
        return value

    @property
    def empty(self) -> bool:
        return not (self.labels or self.comment or self.priority or self.webhooks)


class Escalations(Section):
    at_risk: EscalationActions = EscalationActions()
    breached: EscalationActions = EscalationActions()
    # When the policy is met after all, the labels its at-risk escalation added are taken off again, so
    # a label search shows the tickets at risk now.
    remove_labels_when_met: bool = True


class _Policy(Section):
    title: str | None = None  # how reports, comments and messages name it (default: its name)
    filters: PolicyFilters = PolicyFilters()
    escalate: Escalations = Escalations()
    calendar: str | None = None  # a name under ela.calendars (default: the site's, else round the clock)


class RespondToNegative(_Policy):
    """After a customer message at or below `mood`, a public agent reply `within` a duration."""

    kind: Literal["respond_to_negative"]
    mood: MoodLevel = Mood.negative
    within: Duration = timedelta(hours=4)
    at_risk_at: float = Field(default=0.75, gt=0, lt=1)  # the fraction of `within` that makes it at risk


class Chasing(_Policy):
    """The customer asks for an update: at risk at the first chase (a message with the chasing signal,
    or a second message with no public agent reply since the last), breached at the `messages`-th
    customer message with no public agent reply between them."""

    kind: Literal["chasing"]
    messages: int = Field(default=3, ge=2, le=50)


class RecoverByResolution(_Policy):
    """At resolution, the customer's current mood is at or above `target`."""

    kind: Literal["recover_by_resolution"]
    target: MoodLevel = Mood.neutral


class NoDecline(_Policy):
    """The mood never falls more than `margin` (in polarity, of [-1, 1]) below the baseline."""

    kind: Literal["no_decline"]
    margin: float = Field(default=0.5, gt=0, le=2)
    at_risk_at: float = Field(default=0.5, gt=0, lt=1)  # the fraction of `margin` that makes it at risk


class CsatTarget(_Policy):
    """Once a CSAT survey is answered, its score (on the survey's own scale) is at or above `target`."""

    kind: Literal["csat_target"]
    target: int = Field(default=4, ge=0)
    survey: str | None = None  # only this survey (by its name); default: every CSAT survey


Policy = Annotated[
    Union[RespondToNegative, Chasing, RecoverByResolution, NoDecline, CsatTarget],  # noqa: UP007
    Field(discriminator="kind"),
]
POLICY_KINDS = ("respond_to_negative", "chasing", "recover_by_resolution", "no_decline", "csat_target")
TIMED_KINDS = frozenset({"respond_to_negative"})  # the kinds whose durations run on a calendar
