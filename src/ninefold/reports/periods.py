"""The calendar periods reports cover, in UTC: ISO weeks from Monday 00:00, months, quarters.

A period is named as people write it (`2026-W48`, `2026-11`, `2026-Q4`); without a name a
report covers the last whole period before now, the one a scheduled delivery sends.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from ninefold.changes.dora import Period
from ninefold.errors import Invalid

WEEK = re.compile(r"(\d{4})-W(\d{2})")
MONTH = re.compile(r"(\d{4})-(\d{2})")
QUARTER = re.compile(r"(\d{4})-Q([1-4])")
EXAMPLES = {"weekly": "2026-W48", "monthly": "2026-11", "quarterly": "2026-Q4"}


def _month(year: int, month: int) -> datetime:
    return datetime(year + (month - 1) // 12, (month - 1) % 12 + 1, 1, tzinfo=UTC)


def week_of(instant: datetime) -> Period:
    day = instant.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = day - timedelta(days=day.weekday())
    return Period(start, start + timedelta(days=7))


def month_of(instant: datetime) -> Period:
    at = instant.astimezone(UTC)
    return Period(_month(at.year, at.month), _month(at.year, at.month + 1))


def quarter_of(instant: datetime) -> Period:
    at = instant.astimezone(UTC)
    first = (at.month - 1) // 3 * 3 + 1
    return Period(_month(at.year, first), _month(at.year, first + 3))


CONTAINING = {"weekly": week_of, "monthly": month_of, "quarterly": quarter_of}


def label(kind: str, period: Period) -> str:
    """The period's name: 2026-W48, 2026-11, 2026-Q4."""
    if kind == "weekly":
        year, week, _ = period.start.isocalendar()
        return f"{year}-W{week:02d}"
    if kind == "monthly":
        return f"{period.start:%Y-%m}"
    return f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}"


def last_whole(kind: str, now: datetime) -> Period:
    """The last period of this kind that ended at or before `now`."""
    current = CONTAINING[kind](now)
    return CONTAINING[kind](current.start - timedelta(days=1))


def named(kind: str, text: str | None, now: datetime) -> Period:
    """The period `text` names for a report of `kind`, or the last whole one."""
    if text is None:
        return last_whole(kind, now)
    pattern = {"weekly": WEEK, "monthly": MONTH, "quarterly": QUARTER}[kind]
    found = pattern.fullmatch(text.strip())
    problem = f"a {kind} report's period is written like {EXAMPLES[kind]}, not {text!r}"
    if found is None:
        raise Invalid(problem, field="period")
    year, number = int(found[1]), int(found[2])
    if kind == "weekly":
        try:
            monday = datetime.fromisocalendar(year, number, 1).replace(tzinfo=UTC)
        except ValueError:
            raise Invalid(f"{year} has no ISO week {number}", field="period") from None
        return Period(monday, monday + timedelta(days=7))
    if kind == "monthly":
        if not 1 <= number <= 12:
            raise Invalid(problem, field="period")
        return Period(_month(year, number), _month(year, number + 1))
    first = (number - 1) * 3 + 1
    return Period(_month(year, first), _month(year, first + 3))
