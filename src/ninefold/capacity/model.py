"""Capacity forecasts: a utilisation series made regular (or refused saying why), a Holt-Winters
forecast with trend and seasonality (statsmodels) and its band, the day it crosses the
threshold, P95 headroom, and its accuracy measured on a held-out season against a seasonal-naive
forecast of the same series (KPIS.md). Pure: the series come from `sources.py`."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from ninefold.errors import Invalid

Array = npt.NDArray[np.float64]
MAX_FILL = 3
"""Missing points in a row filled by linear interpolation; a longer gap is refused."""
SEASONS = 3
"""A forecast needs two seasons to fit and one held out to measure it."""
SIMULATIONS = 500
BAND = (2.5, 97.5)
"""The forecast band: the middle 95% of simulated futures."""
NEAR_ZERO = 0.01
"""Actuals below this share of their mean make MAPE meaningless: sMAPE is used instead."""


def _at(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Series:
    times: Array
    """Seconds since the epoch, UTC, one every `step`."""
    values: Array
    step: int
    filled: int = 0
    """Points filled in by interpolation."""


def regular(times: Array, values: Array, step: int) -> Series:
    """The points on one grid of `step` seconds, sorted; up to `MAX_FILL` missing points in a
    row filled in linearly. Refused (`Invalid`): no points, a value that is not a number or
    negative, two points at one time, a point off the grid, a longer gap."""
    if len(times) == 0:
        raise Invalid("the series has no points")
    order = np.argsort(times, kind="stable")
    times, values = times[order], values[order]
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        first = int(np.argmax(bad))
        raise Invalid(f"the value at {_at(times[first])} is {values[first]}: not a utilisation")
    same = np.diff(times) == 0
    if same.any():
        raise Invalid(f"two points at {_at(times[int(np.argmax(same))])}: keep one per time")
    off = (times - times[0]) % step != 0
    if off.any():
        where = _at(times[int(np.argmax(off))])
        raise Invalid(f"the point at {where} is off the grid of one every {step} s from the first")
    gaps = np.diff(times) // step - 1
    if (gaps > MAX_FILL).any():
        first = int(np.argmax(gaps > MAX_FILL))
        raise Invalid(
            f"{int(gaps[first])} points missing after {_at(times[first])}; at most {MAX_FILL} "
            "missing in a row are filled in"
        )
    grid = np.arange(times[0], times[-1] + step, step, dtype=np.float64)
    return Series(grid, np.interp(grid, times, values), step, int(gaps.sum()))


@dataclass(frozen=True)
class Accuracy:
    metric: str
    """`MAPE`, or `sMAPE` where actuals are near zero."""
    model: float
    naive: float
    """The seasonal-naive forecast's error on the same held-out season."""
    held_out: int


def error(actual: Array, predicted: Array) -> tuple[str, float]:
    """MAPE, mean |a - f| / |a|; sMAPE, mean 2|a - f| / (|a| + |f|), where an actual is near
    zero (below `NEAR_ZERO` of the mean)."""
    scale = float(np.mean(np.abs(actual)))
    if scale == 0 or float(np.min(np.abs(actual))) < NEAR_ZERO * scale:
        total = np.abs(actual) + np.abs(predicted)
        ratios = np.divide(
            2 * np.abs(actual - predicted), total, out=np.zeros_like(total), where=total > 0
        )
        return "sMAPE", float(np.mean(ratios))
    return "MAPE", float(np.mean(np.abs(actual - predicted) / np.abs(actual)))


def seasonal_naive(history: Array, season: int, steps: int) -> Array:
    """Each future point is the point one season before it."""
    last = history[-season:]
    return np.array([last[i % season] for i in range(steps)], dtype=np.float64)


def _fit(values: Array, season: int) -> object:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings():
        # A fit that stops short of the optimiser's tolerance is still a fit; its accuracy
        # on the held-out season says how good it is.
        warnings.simplefilter("ignore")
        return ExponentialSmoothing(
            values,
            trend="add",
            seasonal="add",
            seasonal_periods=season,
            initialization_method="estimated",
        ).fit()


def check_length(series: Series, season: int) -> None:
    if season < 2:
        raise Invalid(f"a season of {season} point(s) is no season; make it at least 2 steps")
    needed = SEASONS * season
    if len(series.values) < needed:
        raise Invalid(
            f"the series has {len(series.values)} points; a forecast needs {SEASONS} seasons "
            f"of {season} ({needed}): two to fit and one held out to measure it"
        )


def backtest(series: Series, season: int) -> Accuracy:
    """Fit on all but the last season, forecast it, and compare with what happened.

    The KPI table backtests each resource at the end of each of its periods, and most of those
    series are the same from one request to the next: the result is kept per series."""
    check_length(series, season)
    return _backtest(series.values.tobytes(), season)


@lru_cache(maxsize=256)
def _backtest(values: bytes, season: int) -> Accuracy:
    whole = np.frombuffer(values, dtype=np.float64)
    train, test = whole[:-season], whole[-season:]
    fitted = _fit(train, season)
    predicted = np.asarray(fitted.forecast(season), dtype=np.float64)  # type: ignore[attr-defined]
    metric, model = error(test, predicted)
    _, naive = error(test, seasonal_naive(train, season, season))
    return Accuracy(metric, model, naive, season)


@dataclass(frozen=True)
class Forecast:
    times: Array
    mean: Array
    low: Array
    high: Array
    threshold: float
    crossing: float | None
    """When the forecast first reaches the threshold (seconds since the epoch); None: not
    within the horizon."""
    days_until: float | None
    """From the series' last point; 0 when it is at or over the threshold already."""


def forecast(series: Series, season: int, steps: int, threshold: float) -> Forecast:
    check_length(series, season)
    fitted = _fit(series.values, season)
    mean = np.asarray(fitted.forecast(steps), dtype=np.float64)  # type: ignore[attr-defined]
    futures = np.asarray(
        fitted.simulate(steps, repetitions=SIMULATIONS, error="add", rng=np.random.default_rng(0)),  # type: ignore[attr-defined]
        dtype=np.float64,
    ).reshape(steps, -1)
    low, high = np.percentile(futures, BAND, axis=1)
    last = float(series.times[-1])
    times = last + series.step * np.arange(1, steps + 1, dtype=np.float64)
    if series.values[-1] >= threshold:
        return Forecast(times, mean, low, high, threshold, last, 0.0)
    over = mean >= threshold
    crossing = float(times[int(np.argmax(over))]) if over.any() else None
    days = None if crossing is None else (crossing - last) / 86400
    return Forecast(times, mean, low, high, threshold, crossing, days)


def p95(values: Array) -> float:
    """Linear interpolation between closest ranks (KPIS.md)."""
    return float(np.percentile(values, 95))


def headroom(values: Array, limit: float) -> float:
    """(limit - P95 of utilisation) / limit: negative when P95 is over the limit."""
    return (limit - p95(values)) / limit


@dataclass(frozen=True)
class Reading:
    """A resource's series as the KPIs read it: `series` None when it could not be read or was
    refused, `problem` saying why."""

    resource: str
    service: str
    limit: float
    season: int
    series: Series | None
    problem: str = ""

    def until(self, end: float) -> Series | None:
        """The series up to `end` (exclusive), as it stood then."""
        if self.series is None:
            return None
        kept = self.series.times < end
        return Series(self.series.times[kept], self.series.values[kept], self.series.step)
