"""The toil figures of KPIS.md, worked by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ninefold.toil.model import (
    Entry,
    Run,
    hours_saved_per_month,
    quarter_of,
    toil_ratio,
    top_categories,
)
from ninefold.toil.schemas import minutes_of

Q4 = (date(2026, 10, 1), date(2027, 1, 1))  # 92 days: 13 1/7 weeks


def entry(id_: int, team: str, minutes: float, day: date, category: str = "access") -> Entry:
    return Entry(id_, team, "ana", "a task", category, minutes, day)


def test_the_toil_ratio_is_toil_hours_over_members_hours_and_weeks() -> None:
    entries = [
        entry(1, "platform", 600, date(2026, 10, 1)),
        entry(2, "platform", 1200, date(2026, 12, 31)),
        entry(3, "platform", 60, date(2027, 1, 1)),  # next quarter
        entry(4, "payments", 60, date(2026, 11, 1)),
    ]
    found = toil_ratio(entries, "platform", 3, *Q4)
    # 30 hours against 3 people x 40 h x 92/7 weeks = 1577.14 h.
    assert found.toil_hours == 30
    assert found.capacity_hours == pytest.approx(3 * 40 * 92 / 7)
    assert found.value == pytest.approx(30 / (3 * 40 * 92 / 7))
    assert found.entries == (1, 2)
    assert toil_ratio(entries, "platform", 3, *Q4, hours_per_week=20).value == pytest.approx(
        30 / (3 * 20 * 92 / 7)
    )
    assert toil_ratio(entries, "empty", 0, *Q4).value is None


def test_hours_saved_by_month_and_top_categories() -> None:
    runs = [
        Run("certs", "certificates", "platform", datetime(2026, 11, 30, 23, 59, tzinfo=UTC), 0.5),
        Run("certs", "certificates", "platform", datetime(2026, 12, 1, tzinfo=UTC), 0.5),
        Run("bot", "access", "payments", datetime(2026, 12, 2, tzinfo=UTC), 0.25),
    ]
    assert hours_saved_per_month(runs) == {"2026-11": 0.5, "2026-12": 0.75}
    entries = [
        entry(1, "p", 90, date(2026, 10, 1), "access"),
        entry(2, "p", 120, date(2026, 10, 2), "certificates"),
        entry(3, "p", 30, date(2026, 10, 3), "access"),
        entry(4, "p", 30, date(2026, 10, 3), "deploys"),
    ]
    assert top_categories(entries) == [("access", 2.0), ("certificates", 2.0), ("deploys", 0.5)]
    assert top_categories(entries, limit=1) == [("access", 2.0)]


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (date(2026, 1, 1), (date(2026, 1, 1), date(2026, 4, 1))),
        (date(2026, 6, 30), (date(2026, 4, 1), date(2026, 7, 1))),
        (date(2026, 12, 31), Q4),
    ],
)
def test_the_quarter_of_a_day(day: date, quarter: tuple[date, date]) -> None:
    assert quarter_of(day) == quarter


@pytest.mark.parametrize(("text", "minutes"), [("30m", 30), ("1h30m", 90), ("24h", 1440)])
def test_durations_as_typed(text: str, minutes: int) -> None:
    assert minutes_of(text) == minutes


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("-5m", "malformed duration"),
        ("0m", "malformed duration"),
        ("30s", "less than a minute"),
        ("25h", "more than a day"),
        ("3w", "more than a day"),
        ("30", "has no unit"),
    ],
)
def test_negative_or_absurd_durations_are_refused_saying_why(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        minutes_of(text)
