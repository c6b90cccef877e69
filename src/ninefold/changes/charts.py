"""The DORA page's charts as SVG geometry, drawn on the server like the SLO burn-down: pure,
values in, bars and tick labels out; the template `bars.svg` draws them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 520, 200
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 10, 34


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class BarChart:
    title: str
    width: int
    height: int
    plot: tuple[float, float, float, float]
    bars: tuple[Bar, ...]
    y_ticks: tuple[Tick, ...]
    x_labels: tuple[Tick, ...]


def bars(
    title: str,
    values: Sequence[tuple[str, float | None]],
    show: str = "{:g}",
    at_least: float = 1.0,
) -> BarChart:
    """A bar per value, labelled; None is "no data" and draws no bar. The y axis starts at 0
    and reaches the largest value (at least `at_least`); about six x labels are shown."""
    left, top, right, bottom = LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM
    top_value = max([at_least, *(v for _, v in values if v is not None)])
    slot = (right - left) / max(len(values), 1)
    every = max(1, round(len(values) / 6))
    drawn, labels = [], []
    for i, (label, value) in enumerate(values):
        x = left + i * slot
        if i % every == 0:
            labels.append(Tick(round(x + slot / 2, 1), label))
        if value is None:
            continue
        height = (bottom - top) * value / top_value
        drawn.append(
            Bar(
                round(x + slot * 0.1, 1),
                round(bottom - height, 1),
                round(slot * 0.8, 1),
                round(height, 1),
                label,
                show.format(value),
            )
        )
    y_ticks = tuple(
        Tick(round(bottom - (bottom - top) * k / 4, 1), show.format(top_value * k / 4))
        for k in range(5)
    )
    return BarChart(
        title, WIDTH, HEIGHT, (left, top, right, bottom), tuple(drawn), y_ticks, tuple(labels)
    )


LEAD_TIME_BUCKETS = (
    ("< 1 h", 3600.0),
    ("1-4 h", 4 * 3600.0),
    ("4-24 h", 86_400.0),
    ("1-7 d", 7 * 86_400.0),
    ("7-30 d", 30 * 86_400.0),
    ("> 30 d", float("inf")),
)


def lead_time_histogram(seconds: Sequence[float]) -> list[tuple[str, float | None]]:
    """(commit, deploy) pairs by how long they took, in the buckets DORA's tiers use."""
    counts = [0] * len(LEAD_TIME_BUCKETS)
    for value in seconds:
        for i, (_label, bound) in enumerate(LEAD_TIME_BUCKETS):
            if value < bound:
                counts[i] += 1
                break
    return [(label, float(n)) for (label, _), n in zip(LEAD_TIME_BUCKETS, counts, strict=True)]
