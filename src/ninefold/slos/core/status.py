"""SLO status from per-step event counts: attainment, error budget, burn rates, projected
exhaustion, and OpenSLO's time-slice budgeting. Pure: no I/O, no clock (`now` is a parameter).

Input, from any adapter (Prometheus range queries, DuckDB over event files): three float64
arrays of the same length, `timestamps` (epoch seconds, strictly increasing, normally a regular
step such as 60 s), `good` and `total` (events per step, `total >= good >= 0`). The count at
`timestamps[i]` covers the step that *ends* there, `(timestamps[i] - step, timestamps[i]]`, as
Prometheus' `increase(x[1m])` does; a window `(a, b]` therefore holds the samples with
`a < t <= b`. Every window sum is a difference of prefix sums found with `np.searchsorted`: no
Python loop over samples.

Ratios are traffic-weighted: attainment over a period is `sum(good) / sum(total)`, never a mean
of per-step ratios (one failed request in a quiet minute must not weigh as much as a busy hour).

A composite SLO's status combines its components' (`composite_status`): attainment, budget
spent and burn rates are their weighted sums, against the composite's weighted budget.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ninefold.slos.core.budget import bad_events_left, budget_remaining, burn_rate_of
from ninefold.slos.core.model import (
    SLI_WINDOWS,
    Budgeting,
    BurnCondition,
    Calendar,
    CompositeSli,
    Slo,
)
from ninefold.slos.core.windows import period_bounds

FloatArray = NDArray[np.float64]

# The recent window whose burn rate projects when the budget runs out.
PROJECTION_WINDOW = timedelta(hours=1)


def _as_series(timestamps: ArrayLike, good: ArrayLike, total: ArrayLike) -> tuple[FloatArray, ...]:
    ts, g, t = (np.asarray(a, dtype=np.float64) for a in (timestamps, good, total))
    if ts.ndim != 1 or g.shape != ts.shape or t.shape != ts.shape:
        raise ValueError(
            f"timestamps, good and total must be 1-D arrays of one length "
            f"(got shapes {ts.shape}, {g.shape}, {t.shape})"
        )
    if not (np.isfinite(ts).all() and np.isfinite(g).all() and np.isfinite(t).all()):
        raise ValueError("timestamps, good and total must be finite (no NaN or inf)")
    if ts.size > 1 and not (np.diff(ts) > 0).all():
        raise ValueError("timestamps must be strictly increasing")
    if (g < 0).any() or (t < g).any():
        raise ValueError("counts must satisfy total >= good >= 0 at every step")
    return ts, g, t


def window_counts(
    timestamps: ArrayLike,
    good: ArrayLike,
    total: ArrayLike,
    starts: ArrayLike,
    ends: ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    """Good and total events in each window `(starts[k], ends[k]]` (epoch seconds; `starts` and
    `ends` broadcast). An empty or inverted window sums to 0.

    Example: 60 s steps at t = 60, 120, 180 with total 10, 20, 30 and window (60, 180] -> 50.
    """
    ts, g, t = _as_series(timestamps, good, total)
    lo = np.searchsorted(ts, np.asarray(starts, dtype=np.float64), side="right")
    hi = np.searchsorted(ts, np.asarray(ends, dtype=np.float64), side="right")
    lo = np.minimum(lo, hi)
    cum_good = np.concatenate(([0.0], np.cumsum(g)))
    cum_total = np.concatenate(([0.0], np.cumsum(t)))
    return cum_good[hi] - cum_good[lo], cum_total[hi] - cum_total[lo]


def attainment(good: float, total: float) -> float:
    """The share of good events, `good / total`; 1.0 without traffic (nothing failed).

    Example: 999,600 good of 1,000,000 -> 0.9996.
    """
    return float(good / total) if total > 0 else 1.0


def minutes_to_exhaustion(remaining: float, period: timedelta, burn: float) -> float | None:
    """Minutes until the remaining budget reaches zero if the current burn rate holds.

    Burning at 1 spends the whole budget in one period, so at burn `b` the share `remaining`
    lasts `remaining x period / b`. Example: 60% left of a 30-day budget (43,200 minutes) at
    burn 14.4 -> 0.6 x 43,200 / 14.4 = 1,800 minutes (30 hours). 0.0 when the budget is already
    spent, None when nothing burns (the budget never runs out).
    """
    if remaining <= 0:
        return 0.0
    if burn <= 0:
        return None
    return remaining * (period / timedelta(minutes=1)) / burn


def slice_counts(
    timestamps: ArrayLike,
    good: ArrayLike,
    total: ArrayLike,
    start: float,
    end: float,
    length: float,
) -> tuple[FloatArray, FloatArray, NDArray[np.int64]]:
    """Good events, total events and samples in each whole time slice of `length` seconds that
    fits in `(start, end]`; slice k is `(start + k x length, start + (k + 1) x length]`.

    A partial slice at the end (still in progress at `now`) is left out. Slices should be a
    whole number of steps, so that no step straddles two slices.
    """
    ts, g, t = _as_series(timestamps, good, total)
    count = max(int((end - start) // length), 0)
    index = np.ceil((ts - start) / length).astype(np.int64) - 1
    keep = (index >= 0) & (index < count)
    index = index[keep]
    return (
        np.bincount(index, weights=g[keep], minlength=count).astype(np.float64),
        np.bincount(index, weights=t[keep], minlength=count).astype(np.float64),
        np.bincount(index, minlength=count).astype(np.int64),
    )


@dataclass(frozen=True)
class SliceTally:
    """Time slices with data, and how many were good and bad.

    Timeslices: a slice is good when its good/total ratio reaches the slice target; `good` and
    `bad` count slices. RatioTimeslices: each slice counts for its ratio, `good` is the sum of
    the ratios and `bad` the sum of `1 - ratio` (bad slice-equivalents). Either way
    attainment is `good / with_data`: the share of good slices, or the mean slice ratio.
    """

    with_data: int
    good: float
    bad: float

    @property
    def attainment(self) -> float:
        return self.good / self.with_data if self.with_data else 1.0


def tally_slices(
    slice_good: FloatArray,
    slice_total: FloatArray,
    samples: NDArray[np.int64],
    target: float,
    method: Budgeting,
) -> SliceTally:
    """Classify slices (from `slice_counts`) the OpenSLO way.

    A slice *without traffic* (samples present, total 0) counts as good, with a ratio of 1:
    nothing failed in it, and a quiet night must not spend the budget. A slice *without data*
    (no sample at all: before the series starts, or a scrape gap) is left out of both the
    numerator and the denominator.

    Example (Timeslices, target 0.99): slices with 100/100, 98/100 and 0/0 good/total are
    good, bad, good -> attainment 2/3. RatioTimeslices: ratios 1, 0.98, 1 -> 0.9933.
    """
    has_data = samples > 0
    ones = np.ones_like(slice_good)
    ratio = np.divide(slice_good, slice_total, out=ones, where=slice_total > 0)[has_data]
    with_data = int(has_data.sum())
    if method == "RatioTimeslices":
        good = float(ratio.sum())
        return SliceTally(with_data, good, with_data - good)
    good_slices = int((ratio >= target).sum())
    return SliceTally(with_data, float(good_slices), float(with_data - good_slices))


@dataclass(frozen=True)
class SloStatus:
    """An SLO at `now`, every number the status page, reports and the gate show.

    `attainment` follows the SLO's budgeting method (events for Occurrences, slices for
    Timeslices and RatioTimeslices); `event_attainment` is always good/total events. Burn rates
    are always event-based (bad/total in the window / budget), as the generated Prometheus
    alerts measure them. Budget shares are unclipped: negative remaining means overspent.
    """

    now: datetime
    period_start: datetime
    period_end: datetime  # end of the calendar period (after `now`); `now` for rolling windows
    budgeting: Budgeting
    objective: float
    error_budget: float  # 1 - objective
    good_events: float
    total_events: float
    bad_events: float
    event_attainment: float
    attainment: float
    budget_consumed: float
    budget_remaining: float  # 1 - budget_consumed
    bad_events_left: float  # error_budget x total_events - bad_events
    burn_by_window: Mapping[timedelta, float] = field(hash=False)
    period_burn: float  # (1 - attainment) / error_budget
    projection_window: timedelta
    minutes_to_exhaustion: float | None  # at the projection window's burn rate
    exhaustion_at: datetime | None  # `now` when already spent, None when never
    slice_length: timedelta | None = None
    slice_target: float | None = None
    slices_in_period: float = 0.0
    slices_with_data: int = 0
    good_slices: float = 0.0
    bad_slices: float = 0.0
    budget_minutes_left: float | None = None  # time slices: allowed bad minutes still unspent
    # A composite's components, in the order of `slo.components` (their events are not added
    # up: the composite's event fields are 0).
    components: tuple[SloStatus, ...] = ()

    @property
    def exhausted(self) -> bool:
        return self.budget_remaining <= 0


def burn_windows(slo: Slo, projection_window: timedelta = PROJECTION_WINDOW) -> list[timedelta]:
    """The trailing windows a status reports burn rates for: the standard SLI windows, every
    window the SLO's alert conditions use, and the projection window; shortest first."""
    conditions = slo.alerting.conditions
    found = {*SLI_WINDOWS, projection_window}
    found.update(c.long for c in conditions)
    found.update(c.short for c in conditions)
    return sorted(found)


def status(
    slo: Slo,
    timestamps: ArrayLike,
    good: ArrayLike,
    total: ArrayLike,
    now: datetime,
    *,
    slice_target: float | None = None,
    projection_window: timedelta = PROJECTION_WINDOW,
) -> SloStatus:
    """The status of `slo` at `now` from per-step counts (see the module docstring).

    The period is `(period_start, now]`: the rolling window ending now, or the calendar period
    so far. Samples after `now` are ignored.

    Timeslices budgeting needs `slo.timeslice`; the slice target is `slice_target` (OpenSLO's
    timeSliceTarget), or the objective when not given. Only whole slices inside the period
    count: calendar slices start at the period start, rolling ones at multiples of the slice
    length since the Unix epoch (5m slices are :00-:05, :05-:10 UTC...), so the partial slices
    at either end of a rolling window and the slice in progress are left out.
    A time-slice budget allows `budget x slices in the whole period` bad slices: 30 days of 1m
    slices at 99.9% allow 43.2 bad minutes, and 10 bad slices leave 33.2 minutes.
    """
    budget = slo.budget
    if not 0 < budget < 1:
        raise ValueError(f"{slo.name}: objective {slo.objective} must be between 0 and 1")
    ts, g, t = _as_series(timestamps, good, total)
    start, end = period_bounds(slo.window, now)
    now = now.astimezone(UTC)
    now_s, start_s = now.timestamp(), start.timestamp()
    windows = burn_windows(slo, projection_window)
    lows = [now_s - w.total_seconds() for w in windows] + [start_s]
    window_good, window_total = window_counts(ts, g, t, lows, now_s)
    burns = {
        w: burn_rate_of(float(window_good[i]), float(window_total[i]), budget)
        for i, w in enumerate(windows)
    }
    good_events, total_events = float(window_good[-1]), float(window_total[-1])
    period = end - start

    tally: SliceTally | None = None
    length, target, in_period, minutes_left = None, None, 0.0, None
    # A composite read as one series (`sources.composite_counts`) is measured in occurrences.
    if slo.budgeting == "Occurrences" or isinstance(slo.sli, CompositeSli):
        achieved = attainment(good_events, total_events)
        consumed = 1.0 - budget_remaining(good_events, total_events, budget)
    else:
        length = slo.timeslice
        if length is None or length <= timedelta(0):
            raise ValueError(
                f"{slo.name}: budgeting {slo.budgeting} needs a time slice length (timeSliceWindow)"
            )
        target = next(
            t for t in (slice_target, slo.timeslice_target, slo.objective) if t is not None
        )
        seconds = length.total_seconds()
        # Calendar slices start with the period; rolling ones are fixed to the Unix epoch, so a
        # slice stays the same slice whatever minute the status is computed at.
        origin = (
            start_s if isinstance(slo.window, Calendar) else np.ceil(start_s / seconds) * seconds
        )
        slices = slice_counts(ts, g, t, float(origin), now_s, seconds)
        tally = tally_slices(*slices, target, slo.budgeting)
        # Bad slices allowed over the whole period: 0.001 x 43,200 one-minute slices = 43.2.
        in_period = period / length
        allowed = budget * in_period
        achieved = tally.attainment
        consumed = tally.bad / allowed
        minutes_left = (allowed - tally.bad) * (length / timedelta(minutes=1))

    remaining = 1.0 - consumed
    to_exhaustion, exhaustion_at = _exhaustion(remaining, period, burns[projection_window], now)

    return SloStatus(
        now=now,
        period_start=start,
        period_end=end,
        budgeting=slo.budgeting,
        objective=slo.objective,
        error_budget=budget,
        good_events=good_events,
        total_events=total_events,
        bad_events=total_events - good_events,
        event_attainment=attainment(good_events, total_events),
        attainment=achieved,
        budget_consumed=consumed,
        budget_remaining=remaining,
        bad_events_left=bad_events_left(good_events, total_events, budget),
        burn_by_window=MappingProxyType(burns),
        period_burn=(1.0 - achieved) / budget,
        projection_window=projection_window,
        minutes_to_exhaustion=to_exhaustion,
        exhaustion_at=exhaustion_at,
        slice_length=length,
        slice_target=target,
        slices_in_period=in_period,
        slices_with_data=tally.with_data if tally else 0,
        good_slices=tally.good if tally else 0.0,
        bad_slices=tally.bad if tally else 0.0,
        budget_minutes_left=minutes_left,
    )


def _exhaustion(
    remaining: float, period: timedelta, burn: float, now: datetime
) -> tuple[float | None, datetime | None]:
    to_exhaustion = minutes_to_exhaustion(remaining, period, burn)
    exhaustion_at = None
    if to_exhaustion is not None:
        try:
            exhaustion_at = now + timedelta(minutes=to_exhaustion)
        except OverflowError:  # beyond year 9999: never, for any practical purpose
            exhaustion_at = None
    return to_exhaustion, exhaustion_at


def composite_status(
    slo: Slo,
    parts: Sequence[SloStatus],
    now: datetime,
    *,
    projection_window: timedelta = PROJECTION_WINDOW,
) -> SloStatus:
    """The status of a composite SLO from its components' statuses (in component order), as
    its generated rules compute it: with weights `w` (summing to 1) and component budgets `b`,

    - attainment is `sum(w x attainment)`, the composite's objective `sum(w x objective)`, so
      its budget `B` is `sum(w x b)`;
    - each window's burn rate is `sum(w x b x burn) / B`: the weighted error ratios over the
      composite's budget;
    - budget spent is `sum(w x b x spent) / B`, where a component's `b x spent` is its error
      ratio (occurrences) or its bad slices over the slices of the whole period.

    Example: latency (weight 0.75, 99%) at 98% and availability (0.25, 99.9%) at 99.95%
    attain 0.75 x 0.98 + 0.25 x 0.9995 = 98.4875% against a 99.225% objective: a budget of
    0.775% with 1.5125% spent, 195% of it (budget remaining -95%).

    A composite of one component is that component, under the composite's name.
    """
    components = slo.components
    if len(parts) != len(components) or not parts:
        raise ValueError(
            f"{slo.name}: a composite of {len(components)} components needs as many statuses, "
            f"got {len(parts)}"
        )
    budget = slo.budget
    now = now.astimezone(UTC)
    weights = [c.weight for c in components]

    def weighted(values: Sequence[float]) -> float:
        return math.fsum(w * v for w, v in zip(weights, values, strict=True))

    attained = weighted([p.attainment for p in parts])
    consumed = weighted([p.budget_consumed * p.error_budget for p in parts]) / budget
    windows = burn_windows(slo, projection_window)
    burns = {
        window: weighted([p.burn_by_window[window] * p.error_budget for p in parts]) / budget
        for window in windows
    }
    first = parts[0]
    remaining = 1.0 - consumed
    period = first.period_end - first.period_start
    to_exhaustion, exhaustion_at = _exhaustion(remaining, period, burns[projection_window], now)
    return SloStatus(
        now=now,
        period_start=first.period_start,
        period_end=first.period_end,
        budgeting=slo.budgeting,
        objective=slo.objective,
        error_budget=budget,
        good_events=0.0,
        total_events=0.0,
        bad_events=0.0,
        event_attainment=weighted([p.event_attainment for p in parts]),
        attainment=attained,
        budget_consumed=consumed,
        budget_remaining=remaining,
        bad_events_left=0.0,
        burn_by_window=MappingProxyType(burns),
        period_burn=(1.0 - attained) / budget,
        projection_window=projection_window,
        minutes_to_exhaustion=to_exhaustion,
        exhaustion_at=exhaustion_at,
        components=tuple(parts),
    )


def alert_conditions_holding(
    slo: Slo, burn_by_window: Mapping[timedelta, float]
) -> tuple[BurnCondition, ...]:
    """The SLO's burn conditions that hold now: burn above the factor over both the long and
    the short window, as the generated alert rules test it (`>`, not `>=`).

    Example: the page condition 14.4x over 1h and 5m holds at burns 20 (1h) and 15 (5m), not
    at 20 and 3 (the errors stopped: the short window lets the alert reset). Conditions hold
    whether or not their severity's tier is enabled. A window without a burn rate is an error.
    """
    holding = []
    for condition in slo.alerting.conditions:
        missing = [w for w in (condition.long, condition.short) if w not in burn_by_window]
        if missing:
            raise ValueError(f"{slo.name}: no burn rate for window {missing[0]}")
        if (
            burn_by_window[condition.long] > condition.factor
            and burn_by_window[condition.short] > condition.factor
        ):
            holding.append(condition)
    return tuple(holding)
