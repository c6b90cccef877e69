"""Deadlines in business days, as KPIS.md counts them: Monday to Friday in a team's time
zone, minus the team's holidays. "Within N business days of X" ends at the local midnight
that closes the N-th business day after X's local date: X on a Friday evening with N = 5
ends at the midnight after the next Friday, and a holiday in between adds a day."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def is_business_day(day: date, holidays: Collection[date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def deadline(
    at: datetime, days: int, zone: str = "UTC", holidays: Collection[date] = ()
) -> datetime:
    """The instant (UTC) that ends the `days`-th business day after `at`'s local date; with
    0, the end of that date itself."""
    if days < 0:
        raise ValueError("days must be 0 or more")
    local = ZoneInfo(zone)
    day = at.astimezone(local).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_business_day(day, holidays):
            counted += 1
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=local).astimezone(UTC)
