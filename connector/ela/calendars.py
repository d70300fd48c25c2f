"""The clocks a policy's durations run on: round the clock, or business hours in a time zone.

Business hours are local wall-clock spans ("09:00-17:00" on weekdays) with holidays closed. Each span is
placed in time through the zone's rules for that very date, so a day of a daylight-saving change is as
long as its wall clock says (09:00-17:00 is 8 hours on either side of the change), and the instants on
either side come out right in UTC. Everything the connector stores is UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from connector.settings.ela import CalendarSettings, ElaSettings
from connector.settings.ela_policies import Span

# How far ahead a business-hours search may look: a calendar open one hour a week still finds its time
# within this; a runaway (a mistake in the hours) ends with an error instead of a hung worker.
_HORIZON_DAYS = 3 * 366


class Calendar(Protocol):
    name: str  # "" for round the clock

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which `duration` of this calendar's time has passed since `start`."""

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """How much of this calendar's time lies between `start` and `end`."""


class AlwaysOpen:
    """Calendar time: every hour of every day counts."""

    name = ""

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return start + duration

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        return max(timedelta(0), end - start)


class BusinessHours:
    def __init__(self, name: str, settings: CalendarSettings) -> None:
        self.name = name
        self.zone = ZoneInfo(settings.time_zone)
        self.week: dict[int, list[Span]] = settings.week()
        self.holidays = frozenset(settings.holidays)

    def __repr__(self) -> str:
        return f"BusinessHours({self.name!r}, {self.zone.key})"

    def _instant(self, day: date, at: time | None) -> datetime:
        """A local wall-clock time on `day` (None: the midnight that ends it) as a UTC instant."""
        if at is None:
            return datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone).astimezone(UTC)
        return datetime.combine(day, at, tzinfo=self.zone).astimezone(UTC)

    def open_spans(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The calendar's open spans, as UTC instants, from the local day of `start` onwards."""
        day = start.astimezone(self.zone).date()
        for offset in range(_HORIZON_DAYS):
            current = day + timedelta(days=offset)
            if current in self.holidays:
                continue
            for opens, closes in self.week[current.weekday()]:
                yield self._instant(current, opens), self._instant(current, closes)
        raise ValueError(f"calendar {self.name!r}: no open hours within {_HORIZON_DAYS} days")

    def add(self, start: datetime, duration: timedelta) -> datetime:
        left = duration
        for opens, closes in self.open_spans(start):
            if closes <= start:
                continue
            begin = max(opens, start)
            if begin + left <= closes:
                return begin + left
            left -= closes - begin
        raise AssertionError("open_spans ends by raising")  # pragma: no cover

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        total = timedelta(0)
        if end <= start:
            return total
        for opens, closes in self.open_spans(start):
            if opens >= end:
                break
            if closes <= start:
                continue
            total += min(closes, end) - max(opens, start)
        return total


def calendar_for(settings: ElaSettings, policy: str, site: str) -> Calendar:
    """The policy's own calendar, else its site's, else round the clock."""
    name = settings.policies[policy].calendar or settings.site_calendars.get(site)
    if name is None:
        return AlwaysOpen()
    return BusinessHours(name, settings.calendars[name])
