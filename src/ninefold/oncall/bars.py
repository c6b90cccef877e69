"""A schedule's shifts laid out on a horizontal timeline: where each bar starts and how wide it
is, as percentages of the range, and where each day begins in the schedule's time zone.

Pure, so the layout is tested without a browser: bars tile the range exactly (their widths sum
to 100), and a day that is 23 or 25 hours long across a DST change gets a tick at its real
local midnight, not every 24 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ninefold.oncall.schemas import SegmentOut
from ninefold.oncall.wallclock import resolve, zone_of


@dataclass(frozen=True)
class Bar:
    left: float
    width: float
    start: datetime
    end: datetime
    people: tuple[str, ...]

    @property
    def gap(self) -> bool:
        return not self.people


@dataclass(frozen=True)
class Tick:
    left: float
    day: date


def bars(shifts: list[SegmentOut], start: datetime, end: datetime) -> list[Bar]:
    """One bar per shift of `[start, end)`; the shifts must tile the range."""
    span = (end - start).total_seconds()
    return [
        Bar(
            left=100 * (s.start - start).total_seconds() / span,
            width=100 * (s.end - s.start).total_seconds() / span,
            start=s.start,
            end=s.end,
            people=tuple(s.people),
        )
        for s in shifts
    ]


def day_ticks(start: datetime, end: datetime, zone: str) -> list[Tick]:
    """Each local midnight in `zone` within `[start, end)`; a midnight the clocks skip falls at
    the first instant after it (the same rule as handoffs, see `wallclock`)."""
    tz = zone_of(zone)
    span = (end - start).total_seconds()
    day = start.astimezone(tz).date()
    ticks = []
    while (midnight := resolve(datetime.combine(day, time(0)), tz)) < end:
        if midnight >= start:
            ticks.append(Tick(left=100 * (midnight - start).total_seconds() / span, day=day))
        day += timedelta(days=1)
    return ticks
