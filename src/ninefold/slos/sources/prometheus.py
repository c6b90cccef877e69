"""Per-step good and total event counts of an SLO, read from Prometheus.

Counter selectors (`counter: true`) are read as raw counter values and differenced here, so
the counts are exact: no rate() extrapolation at window edges. Queries over `{{.window}}`
are evaluated with the window set to the step and multiplied by it (their rate times the
step length). Raw ratio SLIs have no counts: each step counts as one event with the ratio as
its bad share, so periods average ratios, as their rules do. A threshold SLI is sampled once a
step: each step with a sample is one event, good when the threshold is met; steps without a
sample are left out, as the rules leave them out.

A composite's counts hold each component's counts (`components`), from which its status is
computed. Its own arrays combine them for what needs one series (a burn-down chart, a
backtest): each component's events are rescaled so that over the range read it weighs its
weight, which makes their sums over that range give the composite's error ratio exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from ninefold.adapters.prometheus import PrometheusClient, Series
from ninefold.slos.core.model import CompositeSli, EventsSli, Query, Slo, ThresholdSli

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Counts:
    """Events in each step ending at `timestamps[i]` (epoch seconds)."""

    timestamps: Array
    good: Array
    total: Array
    components: tuple[Counts, ...] = ()  # a composite's, one per component in order


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


def composite_counts(sli: CompositeSli, parts: tuple[Counts, ...]) -> Counts:
    """One series for a composite, keeping its components' counts (see the module docstring).

    Example: latency (weight 0.75) read 1,000 events with 40 bad and availability (0.25)
    10,000 with 10 bad, 11,000 in all: latency's events are scaled by 0.75 x 11,000 / 1,000,
    availability's by 0.25 x 11,000 / 10,000, so the combined series holds 11,000 events with
    0.75 x 0.04 + 0.25 x 0.001 = 3.025% bad.
    """
    timestamps = np.unique(np.concatenate([p.timestamps for p in parts]))
    good, total = np.zeros_like(timestamps), np.zeros_like(timestamps)
    events = float(sum(p.total.sum() for p in parts))
    for component, part in zip(sli.components, parts, strict=True):
        read = float(part.total.sum())
        if read <= 0:
            continue
        scale = component.weight * events / read
        index = np.searchsorted(timestamps, part.timestamps)
        np.add.at(good, index, part.good * scale)
        np.add.at(total, index, part.total * scale)
    return Counts(timestamps, np.minimum(good, total), total, parts)


def _threshold_counts(
    client: PrometheusClient,
    sli: ThresholdSli,
    grid: Array,
    start: datetime,
    end: datetime,
    step: int,
) -> Counts:
    """One event per step with a sample: good (1) when the threshold is met, bad (0) when not."""
    met = np.full(grid.shape, np.nan)
    for found in client.query_range(sli.sample(), start, end, step):
        index = np.searchsorted(grid, found.timestamps)
        ok = (index < len(grid)) & (grid[np.minimum(index, len(grid) - 1)] == found.timestamps)
        met[index[ok]] = np.fmin(met[index[ok]], found.values[ok])
    met = met[1:]
    sampled = ~np.isnan(met)
    return Counts(grid[1:][sampled], np.clip(met[sampled], 0, 1), np.ones(int(sampled.sum())))


def prometheus_counts(
    client: PrometheusClient, slo: Slo, start: datetime, end: datetime, step: int = 60
) -> Counts:
    if isinstance(slo.sli, CompositeSli):
        parts = tuple(
            prometheus_counts(client, part.slo, start, end, step) for part in slo.sli.components
        )
        return composite_counts(slo.sli, parts)
    start, end = _aligned(start, step), _aligned(end, step)
    grid = _grid(start, end, step)
    if isinstance(slo.sli, ThresholdSli):
        return _threshold_counts(client, slo.sli, grid, start, end, step)
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
