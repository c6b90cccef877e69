"""Durations as SLO specs write them: Prometheus style (`5m`, `1h30m`, `28d`) and OpenSLO's
calendar units (`1w`, `1M` month, `1Q` quarter, `1Y` year)."""

from __future__ import annotations

import re
from datetime import timedelta

import promql_parser

_CALENDAR = re.compile(r"^(\d+)([MQY])$")
CALENDAR_UNIT_NAMES = {"M": "month", "Q": "quarter", "Y": "year"}


def parse_duration(text: str) -> timedelta:
    """A positive duration, `ValueError` with the reason otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("duration must be text such as 5m, 1h or 28d")
    try:
        value = promql_parser.parse_duration(text.strip())
    except ValueError:
        raise ValueError(
            f"malformed duration {text!r}; use a number and a unit: s, m, h, d or w (e.g. 28d)"
        ) from None
    if value <= timedelta(0):
        raise ValueError(f"duration {text!r} must be longer than zero")
    return value


def calendar_unit(text: str) -> str | None:
    """`1M` -> "month", `1Q` -> "quarter", `1Y` -> "year", `1w` -> "week"; None otherwise."""
    if text == "1w":
        return "week"
    found = _CALENDAR.match(text)
    if found and found.group(1) == "1":
        return CALENDAR_UNIT_NAMES[found.group(2)]
    return None
