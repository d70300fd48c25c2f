"""Business hours: a weekend, a holiday and a daylight-saving change, in a real time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from connector.ela.calendars import AlwaysOpen, BusinessHours
from connector.settings.ela import CalendarSettings

BERLIN = CalendarSettings(
    time_zone="Europe/Berlin",
    hours={"mon-fri": "09:00-17:00"},
    holidays=[date(2026, 12, 25), date(2026, 12, 28)],
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def hours() -> BusinessHours:
    return BusinessHours("berlin", BERLIN)


def test_four_hours_from_friday_afternoon_end_on_monday_morning(hours: BusinessHours) -> None:
    friday_4pm = utc(2026, 11, 6, 15, 0)  # 16:00 in Berlin (CET, UTC+1)
    # 1 hour on Friday, none on the weekend, 3 hours from 09:00 on Monday: 12:00 CET = 11:00 UTC.
    assert hours.add(friday_4pm, timedelta(hours=4)) == utc(2026, 11, 9, 11, 0)
    assert hours.elapsed(friday_4pm, utc(2026, 11, 9, 11, 0)) == timedelta(hours=4)
    assert hours.elapsed(friday_4pm, utc(2026, 11, 8, 20, 0)) == timedelta(hours=1)  # the weekend counts 0


def test_a_holiday_is_skipped(hours: BusinessHours) -> None:
    thursday_3pm = utc(2026, 12, 24, 14, 0)  # 15:00 CET on the 24th; the 25th is a holiday
    # 2 hours on the 24th, the 25th closed, the weekend closed, the 28th a holiday: Tuesday the 29th.
    assert hours.add(thursday_3pm, timedelta(hours=4)) == utc(2026, 12, 29, 10, 0)


def test_the_daylight_saving_change_moves_the_utc_instant_not_the_opening_hours(hours: BusinessHours) -> None:
    # Berlin leaves summer time on Sunday 2026-10-25 (UTC+2 -> UTC+1).
    friday_4pm_cest = utc(2026, 10, 23, 14, 0)  # 16:00 CEST
    due = hours.add(friday_4pm_cest, timedelta(hours=4))
    assert due == utc(2026, 10, 26, 11, 0)  # Monday 12:00 CET; without the change it would be 10:00 UTC
    assert due.astimezone(hours.zone).hour == 12
    # ... and into summer time: Sunday 2026-03-29 (UTC+1 -> UTC+2).
    friday_4pm_cet = utc(2026, 3, 27, 15, 0)
    assert hours.add(friday_4pm_cet, timedelta(hours=4)) == utc(2026, 3, 30, 10, 0)  # Monday 12:00 CEST


def test_a_start_outside_the_hours_counts_from_the_next_opening(hours: BusinessHours) -> None:
    saturday = utc(2026, 11, 7, 12, 0)
    assert hours.add(saturday, timedelta(minutes=30)) == utc(2026, 11, 9, 8, 30)  # Monday 09:30 CET
    assert hours.elapsed(saturday, utc(2026, 11, 9, 8, 0)) == timedelta(0)


def test_a_day_with_two_spans_and_a_24_hour_day() -> None:
    split = BusinessHours(
        "split", CalendarSettings(hours={"mon": ["08:00-12:00", "13:00-17:00"], "sat": "00:00-24:00"})
    )
    monday_11 = utc(2026, 11, 2, 11, 0)
    assert split.add(monday_11, timedelta(hours=2)) == utc(2026, 11, 2, 14, 0)  # the lunch hour is closed
    assert split.elapsed(utc(2026, 11, 7, 0, 0), utc(2026, 11, 8, 0, 0)) == timedelta(hours=24)


def test_round_the_clock_is_plain_time() -> None:
    start = utc(2026, 10, 24, 22, 0)
    assert AlwaysOpen().add(start, timedelta(hours=4)) == utc(2026, 10, 25, 2, 0)
    assert AlwaysOpen().elapsed(start, start - timedelta(hours=1)) == timedelta(0)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"time_zone": "Europe/Nowhere", "hours": {"mon": "09:00-17:00"}}, "unknown time zone"),
        ({"hours": {"mon": "17:00-09:00"}}, "closes before it opens"),
        ({"hours": {"mon": "9 to 5"}}, "not opening hours"),
        ({"hours": {"funday": "09:00-17:00"}}, "not a weekday"),
        ({"hours": {"fri-mon": "09:00-17:00"}}, "runs forward"),
        ({"hours": {"mon": ["09:00-13:00", "12:00-17:00"]}}, "overlap"),
        ({"hours": {}}, "open on at least one day"),
    ],
)
def test_bad_calendars_are_refused_with_the_reason(given: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CalendarSettings.model_validate(given)
