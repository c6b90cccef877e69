"""Business-day deadlines (KPIS.md, "Business days"), worked by hand on a calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ninefold.business_days import deadline, is_business_day

BERLIN = "Europe/Berlin"


def test_a_friday_evening_plus_five_ends_at_midnight_after_the_next_friday() -> None:
    # Friday 2026-03-06 19:00 in Berlin (18:00 UTC): Mon 9 .. Fri 13 are the five days; the
    # deadline is Saturday 14 00:00 in Berlin, 23:00 UTC on Friday 13.
    friday = datetime(2026, 3, 6, 18, 0, tzinfo=UTC)
    assert deadline(friday, 5, BERLIN) == datetime(2026, 3, 13, 23, 0, tzinfo=UTC)


def test_a_holiday_in_between_adds_a_day() -> None:
    friday = datetime(2026, 3, 6, 18, 0, tzinfo=UTC)
    holiday = {date(2026, 3, 10)}
    assert deadline(friday, 5, BERLIN, holiday) == datetime(2026, 3, 16, 23, 0, tzinfo=UTC)


def test_the_local_date_decides_not_the_utc_one() -> None:
    # 23:30 UTC on Sunday 2026-03-08 is Monday 00:30 in Berlin: counting starts on Tuesday.
    late = datetime(2026, 3, 8, 23, 30, tzinfo=UTC)
    assert deadline(late, 1, BERLIN) == datetime(2026, 3, 10, 23, 0, tzinfo=UTC)
    # In UTC the same instant is a Sunday: the first business day is Monday.
    assert deadline(late, 1) == datetime(2026, 3, 10, 0, 0, tzinfo=UTC)


def test_across_a_change_of_clocks_the_deadline_is_local_midnight() -> None:
    # Berlin moves to summer time on Sunday 2026-03-29: midnight after Tuesday 31 is 22:00 UTC.
    friday = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)
    assert deadline(friday, 2, BERLIN) == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)


def test_zero_days_ends_the_same_local_day_and_negative_is_refused() -> None:
    at = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)  # a Saturday
    assert deadline(at, 0) == datetime(2026, 3, 8, 0, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="0 or more"):
        deadline(at, -1)


def test_weekends_and_holidays_are_not_business_days() -> None:
    assert is_business_day(date(2026, 3, 6))
    assert not is_business_day(date(2026, 3, 7))
    assert not is_business_day(date(2026, 3, 6), {date(2026, 3, 6)})
