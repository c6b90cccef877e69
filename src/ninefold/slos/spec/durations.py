"""Durations as SLO specs write them: Prometheus style (`5m`, `1h30m`, `28d`) and OpenSLO's
calendar units (`1w`, `1M` month, `1Q` quarter, `1Y` year)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

import promql_parser
from pydantic import AfterValidator, StringConstraints

_CALENDAR = re.compile(r"^(\d+)([MQY])$")
CALENDAR_UNIT_NAMES = {"M": "month", "Q": "quarter", "Y": "year"}


def parse_duration(text: str) -> timedelta:
    """A positive duration, `ValueError` with the reason otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("duration must be text such as 5m, 1h or 28d")
    if text.strip().isdigit():
        raise ValueError(f"{text!r} has no unit: write it as 30m, 2h or 28d")
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


def format_duration(value: timedelta) -> str:
    """The shortest exact spelling in the largest unit that divides it: 25h, 90m, 1d, 45s.

    Specs store durations this way so that `5m` and `300s` compare equal after a round trip
    through the database (and `apply` plans no change for them).
    """
    seconds = int(value.total_seconds())
    for unit, size in (("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def spelled(text: str) -> str:
    """A duration a spec keeps: checked, and in its shortest spelling (`60m` is `1h`)."""
    return format_duration(parse_duration(text))


# A duration field of a spec (`review_every`, `season`), kept as `spelled` gives it.
Spelled = Annotated[str, StringConstraints(max_length=32), AfterValidator(spelled)]
