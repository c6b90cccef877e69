"""Benchmark (i): capacity forecasts on a series no one here made, against seasonal naive.

The series: the weekly atmospheric CO2 concentration at Mauna Loa, March 1958 to December
2001, as statsmodels ships it (`statsmodels.datasets.co2`, from the Scripps CO2 program), in
monthly means (statsmodels' own examples resample it so; a month whose weeks are all missing
is left out, and Ninefold's `model.regular` fills it in or refuses the series, as it would a
user's). The months are put on an even grid: the model sees their order, not their lengths.

For each of the last `folds` years, Ninefold's backtest as a resource's forecast makes it
(`capacity.model.backtest`: Holt-Winters with additive trend and season of 12, fitted on every
month before the year, the year held out) against the seasonal-naive forecast of the same year
(each month repeats the one a year before): MAPE of both, their ratio, and the time of the fit
and forecast. A good forecast of a trending seasonal series must beat naive by a wide margin;
one that does not is worth nothing.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import numpy as np

from bench.measure import Spread
from ninefold.capacity import model

MONTH = 30 * 86400
SEASON = 12


@dataclass(frozen=True)
class Result:
    months: int
    filled: int
    folds: list[tuple[int, float, float]]
    """(year held out, MAPE of the forecast, MAPE of seasonal naive)."""
    seconds: list[float]

    @property
    def ok(self) -> bool:
        return all(np.isfinite([m for _, m, _ in self.folds]))

    def text(self) -> str:
        lines = [
            f"(i) capacity forecast of the Mauna Loa CO2 series: {self.months} monthly means "
            f"({self.filled} filled in), the last {len(self.folds)} years held out one by one",
            f"{'year':>6} {'forecast MAPE':>14} {'seasonal naive':>15} {'naive / forecast':>17}",
        ]
        lines += [
            f"{year:>6} {fc:>13.3%} {naive:>15.3%} {naive / fc:>16.1f}x"
            for year, fc, naive in self.folds
        ]
        s = self.summary()
        lines.append(
            f"mean   {s['forecast_mape']:>13.3%} {s['naive_mape']:>15.3%} "
            f"{s['naive_over_forecast']:>16.1f}x   fit and forecast {s['seconds']}"
        )
        return "\n".join(lines)

    def summary(self) -> dict[str, object]:
        forecast = statistics.mean(m for _, m, _ in self.folds)
        naive = statistics.mean(n for _, _, n in self.folds)
        return {
            "months": self.months,
            "filled": self.filled,
            "forecast_mape": forecast,
            "naive_mape": naive,
            "naive_over_forecast": naive / forecast,
            "seconds": Spread.of(self.seconds).show(),
            "folds": self.folds,
        }


def monthly_co2() -> tuple[np.ndarray, np.ndarray, int]:
    """The monthly means on an even grid, the first month's year and month as a number."""
    from statsmodels.datasets import co2

    weekly = co2.load_pandas().data["co2"]
    monthly = weekly.resample("MS").mean().dropna()
    first = monthly.index[0]
    index = np.array(
        [(d.year - first.year) * 12 + d.month - first.month for d in monthly.index],
        dtype=np.float64,
    )
    return index * MONTH, monthly.to_numpy(dtype=np.float64), first.year * 12 + first.month - 1


def run(folds: int = 10) -> Result:
    times, values, first = monthly_co2()
    series = model.regular(times, values, MONTH)
    found, seconds = [], []
    for k in range(folds, 0, -1):
        cut = len(series.values) - SEASON * (k - 1)
        part = model.Series(series.times[:cut], series.values[:cut], MONTH)
        started = time.perf_counter()
        accuracy = model.backtest(part, SEASON)
        seconds.append(time.perf_counter() - started)
        year = (first + cut - 1) // 12
        found.append((year, accuracy.model, accuracy.naive))
    return Result(len(series.values), series.filled, found, seconds)


if __name__ == "__main__":
    print(run().text())
