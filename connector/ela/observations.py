"""What the ELA evaluation is told: the things that happen on a ticket, in the words of the policies,
and the facts each policy may read beside them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Union

from connector.ela.calendars import Calendar
from connector.ela.status import ElaStatus
from connector.settings import MoodLabels
from sentiment.mood import Mood, MoodBands


@dataclass(frozen=True)
class CustomerMessage:
    at: datetime
    polarity: float | None  # None: mood unknown (a language that is not scored): starts and meets nothing
    chasing: bool = False  # the sentiment engine heard the customer ask for an update


@dataclass(frozen=True)
class AgentReply:
    """A public reply by an agent (internal notes and automation do not answer the customer)."""

    at: datetime


@dataclass(frozen=True)
class Resolved:
    at: datetime


@dataclass(frozen=True)
class Reopened:
    at: datetime


@dataclass(frozen=True)
class MoodChanged:
    """A customer's message was edited or deleted: the timeline changed, no new message came."""

    at: datetime


@dataclass(frozen=True)
class SurveyAnswered:
    at: datetime
    survey: str
    kind: str  # csat | nps | ces
    score: int
    scale_min: int
    scale_max: int


@dataclass(frozen=True)
class TimerFired:
    at: datetime  # the moment the timer was due (not when a worker got to it)
    policy: str
    stage: ElaStatus  # at_risk | breached
    cycle: int


Observation = Union[  # noqa: UP007 (a union of classes, matched with isinstance)
    CustomerMessage, AgentReply, Resolved, Reopened, MoodChanged, SurveyAnswered, TimerFired
]


@dataclass(frozen=True)
class MoodTimeline:
    """The ticket's known moods (polarities), oldest first, and where its baseline is."""

    polarities: tuple[float, ...]
    baseline_index: int = 0  # 1: the first message after the opening one

    @property
    def baseline(self) -> float | None:
        return self.polarities[self.baseline_index] if len(self.polarities) > self.baseline_index else None

    @property
    def current(self) -> float | None:
        return self.polarities[-1] if self.polarities else None

    @property
    def lowest_since_baseline(self) -> float | None:
        rest = self.polarities[self.baseline_index :]
        return min(rest) if rest else None


@dataclass(frozen=True)
class Facts:
    timeline: MoodTimeline
    bands: MoodBands
    labels: MoodLabels
    calendar: Calendar
    resolved: bool  # the ticket is in a done status (after the event)

    def mood(self, polarity: float) -> Mood:
        return self.bands.band(polarity)

    def label(self, polarity: float) -> str:
        return self.labels.label(self.bands.band(polarity))

    def described(self, polarity: float) -> str:
        """`Negative (-0.32)`: a mood as agents see it, with its score."""
        return f"{self.label(polarity)} ({polarity:+.2f})"

    def a_message(self, mood: Mood) -> str:
        """`a very negative message`."""
        label = self.labels.label(mood).lower()
        article = "an" if label[:1] in "aeiou" else "a"
        return f"{article} {label} message"
