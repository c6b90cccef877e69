"""Toil as KPIS.md measures it, pure: the toil ratio of a team over a period, the hours
automation saved per month, and where the toil goes (top categories).

Toil ratio = toil hours logged by the team's people / capacity hours, where capacity is the
team's members x their hours per week (default 40) x the weeks of the period. The Google SRE
book keeps toil under 50% of an SRE's time; PRODUCT.md's target is below 50%, mature teams
30-40%."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

HOURS_PER_WEEK = 40.0
MAX_ENTRY = timedelta(hours=24)
"""A toil entry is one task on one day: more than a day of it is a typo, or several entries."""


@dataclass(frozen=True)
class Entry:
    id: int
    team: str
    person: str
    task: str
    category: str
    minutes: float
    day: date


@dataclass(frozen=True)
class Run:
    automation: str
    category: str
    team: str
    at: datetime
    hours_saved: float


@dataclass(frozen=True)
class Ratio:
    team: str
    toil_hours: float
    capacity_hours: float
    entries: tuple[int, ...]

    @property
    def value(self) -> float | None:
        return self.toil_hours / self.capacity_hours if self.capacity_hours else None


def in_days(day: date, start: date, end: date) -> bool:
    """Whether a day falls in [start, end)."""
    return start <= day < end


def toil_ratio(
    entries: Sequence[Entry],
    team: str,
    members: int,
    start: date,
    end: date,
    hours_per_week: float = HOURS_PER_WEEK,
) -> Ratio:
    """The team's toil over [start, end) against its capacity then; no data (None) for a team
    of no members."""
    mine = [e for e in entries if e.team == team and in_days(e.day, start, end)]
    weeks = (end - start).days / 7
    return Ratio(
        team,
        sum(e.minutes for e in mine) / 60,
        members * hours_per_week * weeks,
        tuple(e.id for e in mine),
    )


def hours_saved_per_month(runs: Sequence[Run]) -> dict[str, float]:
    """Σ hours saved of the runs, by month (`2026-11`, UTC), oldest first."""
    found: dict[str, float] = defaultdict(float)
    for run in runs:
        found[f"{run.at:%Y-%m}"] += run.hours_saved
    return dict(sorted(found.items()))


def top_categories(entries: Sequence[Entry], limit: int = 10) -> list[tuple[str, float]]:
    """Toil hours by category, the most first (ties by name)."""
    found: dict[str, float] = defaultdict(float)
    for entry in entries:
        found[entry.category] += entry.minutes / 60
    return sorted(found.items(), key=lambda item: (-item[1], item[0]))[:limit]


def quarter_of(day: date) -> tuple[date, date]:
    """The calendar quarter holding `day`: [first day, first day of the next)."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
    return start, end
