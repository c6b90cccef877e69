"""SLO periods in time: the rolling window ending now, and calendar weeks, months, quarters and
years in the window's IANA time zone. Pure: `now` is a parameter, never read from a clock.

Every bound is a timezone-aware UTC datetime. A calendar period starts at the first instant of
its first local day (local midnight; weeks start on Monday) and ends where the next one starts,
so its length in seconds follows the zone's daylight-saving changes: March 2024 in
Europe/Berlin lasts 31 days - 1 hour (2,674,800 s), October 2024 31 days + 1 hour.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ninefold.slos.core.model import Calendar, Rolling, Window

Bounds = tuple[datetime, datetime]

_MONTHS_PER_UNIT = {"month": 1, "quarter": 3, "year": 12}


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (got naive {value.isoformat()})")
    return value.astimezone(UTC)


def _first_day(unit: str, day: date) -> date:
    """The first local day of the calendar period holding `day`.

    Example: 2024-08-15 (a Thursday) -> week 2024-08-12 (Monday), month 2024-08-01,
    quarter 2024-07-01, year 2024-01-01.
    """
    if unit == "week":
        return day - timedelta(days=day.weekday())
    months = _MONTHS_PER_UNIT[unit]
    month = (day.month - 1) // months * months + 1
    return date(day.year, month, 1)


def _next_first_day(unit: str, first: date) -> date:
    """The first day of the period after the one starting on `first`."""
    if unit == "week":
        return first + timedelta(days=7)
    index = first.year * 12 + first.month - 1 + _MONTHS_PER_UNIT[unit]
    return date(index // 12, index % 12 + 1, 1)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of local `day` in `zone`, in UTC.

    Where a daylight-saving jump skips midnight itself (America/Santiago on 2024-09-08 goes
    from 23:59:59 straight to 01:00), `fold=0` reads the missing 00:00 with the offset from
    before the jump, which lands exactly on the jump: the day then starts at 01:00 local.
    """
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def calendar_period(window: Calendar, instant: datetime) -> Bounds:
    """The calendar period `[start, end)` of `window` that holds `instant`."""
    zone = ZoneInfo(window.time_zone)
    first = _first_day(window.unit, _aware(instant, "instant").astimezone(zone).date())
    return local_midnight(first, zone), local_midnight(_next_first_day(window.unit, first), zone)


def period_bounds(window: Window, now: datetime) -> Bounds:
    """The SLO period at `now`, as UTC datetimes.

    Rolling: `(now - duration, now)`. Calendar: the whole current week, month, quarter or year
    `[start, end)` in the window's time zone; `end` is then later than `now`, and the status
    counts only what happened up to `now`.

    Example: Calendar("month", "Europe/Berlin") at 2024-03-15T12:00Z ->
    (2024-02-29T23:00Z, 2024-03-31T22:00Z): midnight CET to midnight CEST.
    """
    now = _aware(now, "now")
    if isinstance(window, Rolling):
        return now - window.duration, now
    return calendar_period(window, now)


def calendar_periods(window: Calendar, start: datetime, end: datetime) -> list[Bounds]:
    """The consecutive calendar periods that cover `[start, end)`: the first holds `start`, the
    last holds the instant just before `end`, and each one starts where the previous ends (no
    gap, no overlap). Periods are whole: the first may start before `start` and the last may
    end after `end`. An empty range gives no periods.
    """
    start, end = _aware(start, "start"), _aware(end, "end")
    if end <= start:
        return []
    zone = ZoneInfo(window.time_zone)
    first = _first_day(window.unit, start.astimezone(zone).date())
    lower = local_midnight(first, zone)
    periods: list[Bounds] = []
    while lower < end:  # one step per period, not per sample
        first = _next_first_day(window.unit, first)
        upper = local_midnight(first, zone)
        periods.append((lower, upper))
        lower = upper
    return periods


def period_length(window: Window, now: datetime) -> timedelta:
    """The full length of the period at `now`: the rolling duration, or the exact length of the
    current calendar period (a 23-hour or 25-hour day included)."""
    start, end = period_bounds(window, now)
    return end - start
