"""Changes on a time axis, for pages that show a span of time (an alert group's): where each
change falls, and the span something was open. Pure geometry; `changes_axis.svg` draws it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ninefold.changes.schemas import ChangeOut

WIDTH, HEIGHT = 720, 90
LEFT, RIGHT, TOP, BOTTOM = 16, 16, 10, 26


@dataclass(frozen=True)
class Line:
    x: float
    label: str
    href: str
    kind: str


@dataclass(frozen=True)
class Axis:
    width: int
    height: int
    plot: tuple[float, float, float, float]
    span: tuple[float, float]
    """Where the shaded span (the group open) starts and ends."""
    lines: tuple[Line, ...]
    labels: tuple[tuple[float, str], ...]


def kind_of(change: ChangeOut) -> str:
    if change.rollback:
        return "rollback"
    return "deploy" if change.outcome == "success" else "failed"


def axis(
    start: datetime,
    end: datetime,
    opened: datetime,
    closed: datetime,
    changes: Sequence[ChangeOut],
) -> Axis:
    """[start, end] across the width; the span [opened, closed] shaded; a line per change."""
    left, top, right, bottom = LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM
    total = max((end - start).total_seconds(), 1.0)

    def x(at: datetime) -> float:
        share = min(max((at - start).total_seconds() / total, 0.0), 1.0)
        return round(left + share * (right - left), 1)

    lines = tuple(
        Line(
            x(c.finished_at),
            f"#{c.id} {c.service} {c.version}".strip(),
            f"/changes/{c.id}",
            kind_of(c),
        )
        for c in changes
        if start <= c.finished_at <= end
    )
    labels = (
        (x(start), f"{start:%m-%d %H:%M}"),
        (x(opened), "opened"),
        (x(end), f"{end:%m-%d %H:%M}"),
    )
    return Axis(WIDTH, HEIGHT, (left, top, right, bottom), (x(opened), x(closed)), lines, labels)
