"""Small bar charts as SVG text, drawn on the server so that the web page, the HTML report,
its PDF and an email show the same picture with no script.

Pure: values in, markup out. Each bar carries a `<title>` (a tooltip, and what a screen reader
says); a period with no data is drawn as a hollow stub, never as a bar of 0; the target is a
dashed line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from ninefold.reports.catalogue import Target, shown
from ninefold.reports.schemas import KpiOut

COLOURS = {True: "#2e7d32", False: "#c62828", None: "#5c6bc0"}
EARLIER = "#9fa8da"
GOAL = "#c62828"
STUB = 3


@dataclass(frozen=True)
class Bar:
    label: str
    """What the bar stands for, e.g. the period's first day."""
    value: float | None
    shown: str
    """The value as words, for the tooltip."""


def goal_of(target: Target, previous: float | None) -> float | None:
    """The line to draw: the bound of an absolute target, else the level a change target asks
    of this period given the one before."""
    for bound in (target.at_most, target.at_least):
        if bound is not None:
            return bound
    if previous is None:
        return None
    for share in (target.change_at_most, target.change_at_least):
        if share is not None:
            return previous * (1 + share)
    return None


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    goal: float | None = None,
    goal_label: str = "target",
    meets: bool | None = None,
    width: int = 180,
    height: int = 44,
    labels: bool = False,
) -> str:
    """Bars left to right, the last one coloured by whether it meets its target; `labels`
    writes each bar's label under it (for the larger charts of reports)."""
    foot = 14 if labels else 0
    plot = height - foot - 2
    top = max([b.value for b in bars if b.value is not None] + [goal or 0.0, 0.0])
    scale = plot / top if top > 0 else 0.0
    step = width / max(len(bars), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, bar in enumerate(bars):
        x = index * step + 1
        last = index == len(bars) - 1
        tip = f"<title>{escape(bar.label)}: {escape(bar.shown)}</title>"
        if bar.value is None:
            parts.append(
                f'<rect x="{x:.1f}" y="{plot - STUB:.1f}" width="{step - 2:.1f}" height="{STUB}" '
                f'fill="none" stroke="#9e9e9e" stroke-dasharray="2,1">{tip}</rect>'
            )
        else:
            tall = max(bar.value * scale, 1.0) if bar.value > 0 else 1.0
            colour = COLOURS[meets] if last else EARLIER
            parts.append(
                f'<rect x="{x:.1f}" y="{plot - tall:.1f}" width="{step - 2:.1f}" '
                f'height="{tall:.1f}" fill="{colour}">{tip}</rect>'
            )
        if labels:
            parts.append(
                f'<text x="{x + (step - 2) / 2:.1f}" y="{height - 2}" font-size="9" '
                f'text-anchor="middle" fill="#555">{escape(bar.label)}</text>'
            )
    if goal is not None and scale:
        y = plot - goal * scale
        parts.append(
            f'<line x1="0" y1="{y:.1f}" x2="{width}" y2="{y:.1f}" stroke="{GOAL}" '
            f'stroke-dasharray="4,2" stroke-width="1"><title>{escape(goal_label)}</title></line>'
        )
    parts.append("</svg>")
    return "".join(parts)


def kpi_chart(row: KpiOut, target: Target, starts: Sequence[datetime]) -> str:
    """A KPI's values over the periods starting at `starts`, with its target."""
    bars = [
        Bar(f"{start:%Y-%m-%d}", value, shown(value, row.unit))
        for start, value in zip(starts, row.history, strict=True)
    ]
    return bar_chart(
        bars,
        title=f"{row.title} over the last {len(bars)} periods",
        goal=goal_of(target, row.previous),
        goal_label=f"target: {row.target}",
        meets=row.meets,
    )
