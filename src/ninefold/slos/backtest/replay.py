"""Alert backtesting: replay alerting policies over recorded event counts and score them
against known incidents. Pure and vectorised: no I/O, no clock, no Python loop over samples.

Input, as in `ninefold.slos.core.status`: three float64 arrays of one length, `timestamps` (epoch
seconds, strictly increasing, normally one a minute), `good` and `total` (events per step).
The count at `timestamps[i]` covers the step that ends there, and a window `(a, b]` holds the
samples with `a < t <= b`.

The replay evaluates every rule at every timestamp, as Prometheus evaluates a rule group at its
interval (1 minute for 1-minute data). The error ratio of a window ending at `t` is
traffic-weighted, bad events over total events in `(t - window, t]`, read from prefix sums:
`cumsum(bad)[i] - cumsum(bad)[j]`, with `j` the first sample inside the window found by one
`np.searchsorted` for all `i` at once. Each distinct window is computed once and shared by
every policy. A window reaching back before the first sample has no ratio (nothing fires on
it) unless `partial_windows`, where it holds what there is, as Prometheus' `rate()` does over a
young series: the data starts where the query did, not where the service did, and a 36-hour
ratio over the first 3 minutes would page on a single error. So a rule over 3 days cannot fire
in the first 3 days of the data: start the data one longest window before the time you judge.

Alerts come from the boolean firing series of each policy and severity: an alert starts at the
first evaluation that fires and ends at the first one that does not (where Prometheus resolves
it), found with `np.diff` on the mask.

Scores against known incidents `(start, end)`, with `grace` after each end:
- detection: the first firing evaluation in `[start, end + grace]`, minus `start`;
- reset: the end of the last alert firing in that span, minus `end`;
- precision: the share of alerts that fire in some incident's span; recall: the share of
  incidents detected;
- budget spent: bad events in `(start, detected_at]` over the error budget of one SLO period in
  events, `budget x total x period / span of the data` (the data's average traffic over a full
  period). Example: 30 days at 1,000 requests a minute hold 43.2 M requests; at 99.9% the
  budget is 43,200 bad ones, so a full outage caught after 3 minutes has spent
  3,000 / 43,200 = 6.9% of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ninefold.slos.core.alert_policies import Policy, Rule, workbook_policies
from ninefold.slos.core.budget import error_budget, error_ratio_at, share_spent
from ninefold.slos.core.model import Severity

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IndexArray = NDArray[np.intp]
Progress = Callable[[float], None]
Tick = Callable[[], None]

DEFAULT_GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class Alert:
    """One alert of a policy. `end` is the first evaluation at which it no longer fires; None
    when it still fires at the last one."""

    policy: str
    severity: Severity
    start: datetime
    end: datetime | None

    @property
    def duration(self) -> timedelta | None:
        return None if self.end is None else self.end - self.start


@dataclass(frozen=True)
class IncidentOutcome:
    """How one policy and severity met one known incident. Budget shares are of the error
    budget of one SLO period (0.05 = 5%)."""

    start: datetime
    end: datetime
    budget_spent: float  # by the whole incident
    detected_at: datetime | None = None
    detection: timedelta | None = None  # detected_at - start
    reset: timedelta | None = None  # end of the last alert in the incident - end
    budget_spent_before_detection: float | None = None

    @property
    def detected(self) -> bool:
        return self.detected_at is not None


@dataclass(frozen=True)
class PolicyResult:
    policy: str
    severity: Severity
    alerts: tuple[Alert, ...]
    incidents: tuple[IncidentOutcome, ...]
    firing_evaluations: int
    precision: float | None  # None without alerts or without incidents to judge them by
    recall: float | None  # None without incidents


@dataclass(frozen=True)
class BacktestResult:
    objective: float
    budget: float
    period: timedelta
    start: datetime  # first evaluation
    end: datetime  # last evaluation
    budget_events: float  # bad events one SLO period may hold at the data's average traffic
    results: tuple[PolicyResult, ...]

    def result(self, policy: str, severity: Severity = "page") -> PolicyResult:
        for found in self.results:
            if found.policy == policy and found.severity == severity:
                return found
        raise KeyError(f"no {severity} result for policy {policy!r}")


def _series(
    timestamps: ArrayLike, good: ArrayLike, total: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The timestamps, bad counts and total counts, checked."""
    ts, g, t = (np.asarray(a, dtype=np.float64) for a in (timestamps, good, total))
    if ts.ndim != 1 or g.shape != ts.shape or t.shape != ts.shape:
        raise ValueError(
            "timestamps, good and total must be 1-D arrays of one length "
            f"(got shapes {ts.shape}, {g.shape}, {t.shape})"
        )
    if ts.size < 2:
        raise ValueError(f"a backtest needs at least 2 samples (got {ts.size})")
    if not (np.isfinite(ts).all() and np.isfinite(g).all() and np.isfinite(t).all()):
        raise ValueError("timestamps, good and total must be finite (no NaN or inf)")
    if not (np.diff(ts) > 0).all():
        raise ValueError("timestamps must be strictly increasing")
    if (g < 0).any() or (t < g).any():
        raise ValueError("counts must satisfy total >= good >= 0 at every step")
    return ts, t - g, t


def _prefix(values: FloatArray) -> FloatArray:
    """Prefix sums with a leading 0: the sum of `values[j:i]` is `p[i] - p[j]`."""
    return np.concatenate(([0.0], np.cumsum(values)))


def _step(ts: FloatArray) -> float:
    """The data's step (median spacing): the first sample covers `(ts[0] - step, ts[0]]`."""
    return float(np.median(np.diff(ts)))


def _window_ratio(
    ts: FloatArray,
    bad_sums: FloatArray,
    total_sums: FloatArray,
    window: timedelta,
    partial: bool,
) -> FloatArray:
    """The error ratio over `(t - window, t]` at every timestamp `t`. NaN, which no rule fires
    on (Prometheus has no sample then), without traffic and, unless `partial`, while the data
    does not yet reach back a whole window.

    Example: 1-minute samples, window 5m, at sample 9: `j = searchsorted(ts, ts[9] - 300,
    "right") = 5`, so the window holds samples 5..9 and its bad count is `p[10] - p[5]`. At
    sample 3 the window would need a minute before the first sample, so it is NaN.
    """
    seconds = window.total_seconds()
    first = np.searchsorted(ts, ts - seconds, side="right")
    bad = np.maximum(bad_sums[1:] - bad_sums[first], 0.0)
    total = total_sums[1:] - total_sums[first]
    known = total > 0
    if not partial:
        known &= ts - seconds >= ts[0] - _step(ts)
    return np.divide(bad, total, out=np.full_like(bad, np.nan), where=known)


def _ratios(
    ts: FloatArray,
    bad: FloatArray,
    total: FloatArray,
    windows: Sequence[timedelta],
    partial: bool,
    tick: Tick,
) -> dict[timedelta, FloatArray]:
    bad_sums, total_sums = _prefix(bad), _prefix(total)
    ratios = {}
    for window in sorted(set(windows)):
        ratios[window] = _window_ratio(ts, bad_sums, total_sums, window, partial)
        tick()
    return ratios


def error_ratios(
    timestamps: ArrayLike,
    good: ArrayLike,
    total: ArrayLike,
    windows: Sequence[timedelta],
    *,
    partial_windows: bool = False,
) -> dict[timedelta, FloatArray]:
    """The error ratio over each window, ending at every timestamp (NaN where unknown, see
    `_window_ratio`)."""
    ts, bad, tot = _series(timestamps, good, total)
    return _ratios(ts, bad, tot, windows, partial_windows, lambda: None)


def _held(mask: BoolArray, ts: FloatArray, hold: timedelta) -> BoolArray:
    """Where `mask` has been true without a break for at least `hold` (Prometheus' `for`: the
    alert is pending from the first true evaluation and fires once `hold` has passed).

    Example: true at minutes 3..70, hold 1h: the run starts at 3, so it fires from 63 to 70.
    The run start at each `i` is one past the last false index, carried forward with
    `np.maximum.accumulate`.
    """
    if hold <= timedelta(0):
        return mask
    index = np.arange(mask.size)
    last_false = np.maximum.accumulate(np.where(mask, -1, index))
    run_start = np.minimum(last_false + 1, mask.size - 1)
    held: BoolArray = mask & (ts - ts[run_start] >= hold.total_seconds())
    return held


def _rule_mask(
    rule: Rule, ts: FloatArray, ratios: dict[timedelta, FloatArray], budget: float
) -> BoolArray:
    threshold = error_ratio_at(rule.factor, budget)
    mask = np.ones(ts.size, dtype=np.bool_)
    for window in rule.windows:
        ratio = ratios[window]
        mask &= (ratio >= threshold) if rule.inclusive else (ratio > threshold)
    return _held(mask, ts, rule.hold)


def _policy_masks(
    policy: Policy, ts: FloatArray, ratios: dict[timedelta, FloatArray], budget: float
) -> dict[Severity, BoolArray]:
    masks: dict[Severity, BoolArray] = {}
    for rule in policy.rules:
        mask = _rule_mask(rule, ts, ratios, budget)
        masks[rule.severity] = masks[rule.severity] | mask if rule.severity in masks else mask
    return {severity: masks[severity] for severity in policy.severities}


def firing_series(
    timestamps: ArrayLike,
    good: ArrayLike,
    total: ArrayLike,
    *,
    objective: float,
    policies: Sequence[Policy],
    partial_windows: bool = False,
) -> dict[tuple[str, Severity], BoolArray]:
    """Whether each policy fires at each timestamp, by (policy name, severity)."""
    ts, bad, tot = _series(timestamps, good, total)
    budget = error_budget(objective)
    windows = [w for policy in policies for w in policy.windows]
    ratios = _ratios(ts, bad, tot, windows, partial_windows, lambda: None)
    return {
        (policy.name, severity): mask
        for policy in policies
        for severity, mask in _policy_masks(policy, ts, ratios, budget).items()
    }


def _runs(mask: BoolArray) -> tuple[IndexArray, IndexArray]:
    """The start index and the end index (exclusive) of each run of true values.

    Example: [F, T, T, F, T] -> starts [1, 4], ends [3, 5].
    """
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def _instant(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _epoch(value: datetime, name: str) -> float:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (got naive {value.isoformat()})")
    return value.timestamp()


def alerts_from_mask(
    policy: str, severity: Severity, timestamps: ArrayLike, mask: ArrayLike
) -> tuple[Alert, ...]:
    """The alerts of a firing series: one per run of firing evaluations."""
    ts = np.asarray(timestamps, dtype=np.float64)
    starts, ends = _runs(np.asarray(mask, dtype=np.bool_))
    return tuple(
        Alert(policy, severity, _instant(ts[s]), _instant(ts[e]) if e < ts.size else None)
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True)
    )


def _incident_bounds(
    incidents: Sequence[tuple[datetime, datetime]],
) -> tuple[FloatArray, FloatArray]:
    starts = np.array([_epoch(s, "incident start") for s, _ in incidents], dtype=np.float64)
    ends = np.array([_epoch(e, "incident end") for _, e in incidents], dtype=np.float64)
    if (ends <= starts).any():
        raise ValueError("every incident must end after it starts")
    return starts, ends


def _score(
    name: str,
    severity: Severity,
    mask: BoolArray,
    ts: FloatArray,
    bad_sums: FloatArray,
    incidents: tuple[FloatArray, FloatArray],
    grace: timedelta,
    budget_events: float,
) -> PolicyResult:
    """Alerts, per-incident outcomes, precision and recall of one firing series. Vectorised
    over incidents too: alerts x incidents is a small matrix."""
    starts, ends = incidents
    last = ends + grace.total_seconds()
    run_starts, run_ends = _runs(mask)

    def spent(since: FloatArray, until: FloatArray) -> FloatArray:
        lo = np.searchsorted(ts, since, side="right")
        hi = np.maximum(np.searchsorted(ts, until, side="right"), lo)
        bad = bad_sums[hi] - bad_sums[lo]
        return share_spent(bad, budget_events)

    # The first firing evaluation at or after each start is a detection if it is by `last`.
    firing_at = np.append(ts[mask], np.inf)
    detected_at = firing_at[np.searchsorted(firing_at, starts, side="left")]
    detected = detected_at <= last
    # An alert meets an incident when it fires at some evaluation within [start, last]; the
    # incident's reset is the end of the last alert meeting it (inf while that one fires on).
    meets = (ts[run_starts][:, None] <= last[None, :]) & (
        ts[run_ends - 1][:, None] >= starts[None, :]
    )
    alert_ends = np.append(ts, np.inf)[run_ends]
    reset_at = np.where(meets, alert_ends[:, None], -np.inf).max(axis=0, initial=-np.inf)
    whole = spent(starts, ends)
    before = spent(starts, np.where(detected, detected_at, starts))

    def outcome(k: int) -> IncidentOutcome:
        start, end = _instant(starts[k]), _instant(ends[k])
        if not detected[k]:
            return IncidentOutcome(start, end, float(whole[k]))
        reset = reset_at[k] - ends[k]
        return IncidentOutcome(
            start,
            end,
            float(whole[k]),
            detected_at=_instant(detected_at[k]),
            detection=timedelta(seconds=float(detected_at[k] - starts[k])),
            reset=timedelta(seconds=float(reset)) if np.isfinite(reset) else None,
            budget_spent_before_detection=float(before[k]),
        )

    return PolicyResult(
        policy=name,
        severity=severity,
        alerts=alerts_from_mask(name, severity, ts, mask),
        incidents=tuple(outcome(k) for k in range(starts.size)),
        firing_evaluations=int(mask.sum()),
        precision=float(meets.any(axis=1).mean()) if run_starts.size and starts.size else None,
        recall=float(detected.mean()) if starts.size else None,
    )


def backtest(
    timestamps: ArrayLike,
    good: ArrayLike,
    total: ArrayLike,
    *,
    objective: float,
    period: timedelta,
    policies: Sequence[Policy] | None = None,
    incidents: Sequence[tuple[datetime, datetime]] = (),
    grace: timedelta = DEFAULT_GRACE,
    partial_windows: bool = False,
    progress: Progress | None = None,
) -> BacktestResult:
    """Replay `policies` (the six workbook approaches for `period` by default) over the
    counts and score them against `incidents`. `progress` is called with the fraction done
    (0 < f <= 1) after each window's ratios and after each policy's scores."""
    ts, bad, tot = _series(timestamps, good, total)
    budget = error_budget(objective)
    chosen = tuple(workbook_policies(period) if policies is None else policies)
    names = [policy.name for policy in chosen]
    if len(set(names)) < len(names):
        raise ValueError(f"policy names must be unique (got {', '.join(names)})")
    bounds = _incident_bounds(incidents)
    windows = sorted({w for policy in chosen for w in policy.windows})
    steps, done = len(windows) + len(chosen), 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done / steps)

    ratios = _ratios(ts, bad, tot, windows, partial_windows, tick)
    # The budget of one period in events, at the data's average traffic (see the module doc).
    span = float(ts[-1] - ts[0] + _step(ts))
    budget_events = budget * float(tot.sum()) * period.total_seconds() / span
    bad_sums = _prefix(bad)

    results = []
    for policy in chosen:
        for severity, mask in _policy_masks(policy, ts, ratios, budget).items():
            results.append(
                _score(policy.name, severity, mask, ts, bad_sums, bounds, grace, budget_events)
            )
        tick()
    return BacktestResult(
        objective=objective,
        budget=budget,
        period=period,
        start=_instant(ts[0]),
        end=_instant(ts[-1]),
        budget_events=budget_events,
        results=tuple(results),
    )
