"""Figures as people read them, the same in the CLI and the web pages: durations as KPIS.md
shows them ("42.5 min", "1 h 05 min", "3 d 4 h"), rates as percentages, "no data" for none,
and the direction of a figure against the period before."""

from __future__ import annotations

NO_DATA = "no data"


def duration(minutes: float | None) -> str:
    if minutes is None:
        return NO_DATA
    if minutes < 60:
        return f"{minutes:.1f} min"
    whole = round(minutes)
    if whole < 24 * 60:
        return f"{whole // 60} h {whole % 60:02d} min"
    days, rest = divmod(whole, 24 * 60)
    return f"{days} d {rest // 60} h"


def rate(value: float | None) -> str:
    return NO_DATA if value is None else f"{value * 100:.1f}%"


def trend(now: float | None, before: float | None) -> str:
    """↑ or ↓ with the change, = when equal, nothing when either side has no data."""
    if now is None or before is None:
        return ""
    if now == before:
        return "="
    arrow = "↑" if now > before else "↓"
    if before == 0:
        return arrow
    return f"{arrow}{abs(now - before) / abs(before) * 100:.0f}%"
