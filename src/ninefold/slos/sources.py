"""Per-step good and total event counts of an SLO, read from Prometheus.

Counter selectors (`counter: true`) are read as raw counter values and differenced here, so
the counts are exact: no rate() extrapolation at window edges. Queries over `{{.window}}`
are evaluated with the window set to the step and multiplied by it (their rate times the
step length). Raw ratio SLIs have no counts: each step counts as one event with the ratio as
its bad share, so periods average ratios, as their rules do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from ninefold.adapters.prometheus import PrometheusClient, Series
from ninefold.slos.model import EventsSli, Query, Slo

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Counts:
    """Events in each step ending at `timestamps[i]` (epoch seconds)."""

    timestamps: Array
    good: Array
    total: Array


def _aligned(instant: datetime, step: int) -> datetime:
    """Down to a multiple of the step, so Prometheus' sample times fall on the grid."""
    return datetime.fromtimestamp(int(instant.timestamp()) // step * step, UTC)


def _grid(start: datetime, end: datetime, step: int) -> Array:
    first = int(start.timestamp()) // step * step
    return np.arange(first, int(end.timestamp()) + 1, step, dtype=np.float64)


def _on_grid(series: list[Series], grid: Array) -> Array:
    """One summed series on the grid; steps without a sample repeat the last value."""
    values = np.full(grid.shape, np.nan)
    for found in series:
        index = np.searchsorted(grid, found.timestamps)
        ok = (index < len(grid)) & (grid[np.minimum(index, len(grid) - 1)] == found.timestamps)
        values[index[ok]] = np.nan_to_num(values[index[ok]]) + found.values[ok]
    last = np.maximum.accumulate(np.where(np.isnan(values), -1, np.arange(len(grid))))
    result: Array = np.where(last >= 0, values[np.maximum(last, 0)], 0.0)
    return result


def increments(cumulative: Array) -> Array:
    """Counter increases per step; a drop is a counter reset and counts as a restart from 0.

    Example: [10, 15, 3, 8] gives [5, 3, 5] (the reset step counted 3 events).
    """
    steps = np.diff(cumulative)
    out: Array = np.where(steps < 0, cumulative[1:], steps)
    return out


def _counts_of(
    client: PrometheusClient, query: Query, grid: Array, start: datetime, end: datetime, step: int
) -> Array:
    if query.counter:
        cumulative = _on_grid(client.query_range(f"sum({query.text})", start, end, step), grid)
        return increments(cumulative)
    rate = _on_grid(client.query_range(query.at(timedelta(seconds=step)), start, end, step), grid)
    per_step: Array = rate[1:] * step
    return per_step


def prometheus_counts(
    client: PrometheusClient, slo: Slo, start: datetime, end: datetime, step: int = 60
) -> Counts:
    start, end = _aligned(start, step), _aligned(end, step)
    grid = _grid(start, end, step)
    if isinstance(slo.sli, EventsSli):
        part = _counts_of(client, slo.sli.part, grid, start, end, step)
        total = _counts_of(client, slo.sli.total, grid, start, end, step)
        good = part if slo.sli.part_is_good else total - part
        return Counts(grid[1:], np.clip(good, 0, total), total)
    ratio = _on_grid(
        client.query_range(slo.sli.error_ratio(timedelta(seconds=step)), start, end, step), grid
    )[1:]
    ones = np.ones_like(ratio)
    return Counts(grid[1:], ones - np.clip(ratio, 0, 1), ones)
