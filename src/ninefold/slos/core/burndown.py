"""The error budget burn-down of one SLO period: how much budget was left at each moment,
against spending it evenly. Pure: per-minute counts in, a list of points out.

The budget of the chart is the one the period ends with: `budget x total events of the
period so far`, so the last point equals the status' event-based budget remaining, and the
line only goes down (it never rises when traffic grows later in the period). For a calendar
period the ideal line runs to the end of the calendar period, which is after `now`.

Example: 99.9% over 30 days with 100,000 requests a day has a budget of 3,000 failed requests;
750 of them in the first week leave 75% on day 7, where the ideal line is at 1 - 7/30 = 76.7%.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import ArrayLike

from ninefold.slos.core.budget import share_spent
from ninefold.slos.core.model import Slo
from ninefold.slos.core.windows import period_bounds

MAX_POINTS = 240


@dataclass(frozen=True)
class BurnDownPoint:
    at: datetime
    remaining: float  # share of the budget left, unclipped: below 0 it is overspent
    ideal: float  # share left when spending evenly over the whole period


@dataclass(frozen=True)
class BurnDown:
    start: datetime
    end: datetime  # end of the period: `now` for a rolling window
    now: datetime
    points: tuple[BurnDownPoint, ...]


def burn_down(
    slo: Slo,
    timestamps: ArrayLike,
    good: ArrayLike,
    total: ArrayLike,
    now: datetime,
    max_points: int = MAX_POINTS,
) -> BurnDown:
    """`timestamps[i]` (epoch seconds) ends the step holding `good[i]` of `total[i]` events,
    as in `slos.status`. At most `max_points` points, evenly spaced over the steps of the
    period, always including the first and last; each is exact at its time (no averaging)."""
    start, end = period_bounds(slo.window, now)
    ts = np.asarray(timestamps, dtype=np.float64)
    inside = (ts > start.timestamp()) & (ts <= now.timestamp())
    ts = ts[inside]
    totals = np.asarray(total, dtype=np.float64)[inside]
    bad = np.cumsum(totals - np.asarray(good, dtype=np.float64)[inside])
    if ts.size == 0:
        return BurnDown(start, end, now, ())
    allowance = slo.budget * float(totals.sum())
    chosen = np.unique(np.linspace(0, ts.size - 1, num=min(max_points, ts.size)).round()).astype(
        np.int64
    )
    span = end.timestamp() - start.timestamp()
    points = tuple(
        BurnDownPoint(
            at=datetime.fromtimestamp(float(ts[i]), now.tzinfo),
            remaining=1.0 - share_spent(float(bad[i]), allowance),
            ideal=1.0 - (float(ts[i]) - start.timestamp()) / span,
        )
        for i in chosen
    )
    return BurnDown(start, end, now, points)
