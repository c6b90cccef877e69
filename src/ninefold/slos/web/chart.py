"""The burn-down drawn as SVG geometry, on the server: the page needs no JavaScript chart
library and reads the same with scripts off. Pure: a `BurnDown` in, coordinates and tick
labels out; the template `slo_burndown.svg` draws them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ninefold.slos.core.burndown import BurnDown

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 12, 28
Y_TICKS = (1.0, 0.75, 0.5, 0.25, 0.0)


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Marker:
    """A change to mark on the time axis: when it finished, what to call it, where it links,
    and its kind (`deploy`, `rollback`, `failed`) for the line's style."""

    at: datetime
    label: str
    href: str
    kind: str


@dataclass(frozen=True)
class Mark:
    x: float
    label: str
    href: str
    kind: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot: tuple[float, float, float, float]  # left, top, right, bottom
    remaining: str  # SVG polyline points "x,y x,y ..."
    ideal: str
    zero_y: float
    now_x: float
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    overspent: bool
    marks: tuple[Mark, ...] = ()


def chart(
    burn: BurnDown,
    width: int = WIDTH,
    height: int = HEIGHT,
    changes: Sequence[Marker] = (),
) -> Chart | None:
    """None when the period holds no data yet. The y axis runs from 100% down to 0%, or lower
    when the budget is overspent, so the zero line always shows. Changes inside the period
    become vertical lines on the same time axis: which deploy burned the budget is one look."""
    if not burn.points:
        return None
    left, top, right, bottom = LEFT, TOP, width - RIGHT, height - BOTTOM
    lowest = min(0.0, *(p.remaining for p in burn.points))
    start, span = burn.start.timestamp(), (burn.end - burn.start).total_seconds()

    def x(at: float) -> float:
        return round(left + (at - start) / span * (right - left), 1)

    def y(share: float) -> float:
        return round(top + (1.0 - share) / (1.0 - lowest) * (bottom - top), 1)

    def line(values: list[tuple[float, float]]) -> str:
        return " ".join(f"{x(at)},{y(share)}" for at, share in values)

    remaining = [(p.at.timestamp(), p.remaining) for p in burn.points]
    ideal = [(start, 1.0), (burn.end.timestamp(), 0.0)]
    y_ticks = [Tick(y(v), f"{v:.0%}") for v in Y_TICKS]
    if lowest < 0:
        y_ticks.append(Tick(y(lowest), f"{lowest:.0%}"))
    days = span / 86400
    x_ticks = tuple(
        Tick(x(start + span * k / 4), f"day {days * k / 4:g}" if days >= 2 else f"{k * 25}%")
        for k in range(5)
    )
    return Chart(
        width=width,
        height=height,
        plot=(left, top, right, bottom),
        remaining=line(remaining),
        ideal=line(ideal),
        zero_y=y(0.0),
        now_x=x(burn.now.timestamp()),
        y_ticks=tuple(y_ticks),
        x_ticks=x_ticks,
        overspent=lowest < 0,
        marks=tuple(
            Mark(x(c.at.timestamp()), c.label, c.href, c.kind)
            for c in changes
            if burn.start <= c.at <= burn.end
        ),
    )
