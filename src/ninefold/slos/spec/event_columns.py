"""What the columns of an event file mean: the `--events` column options (or the spec's
`ninefold.dev/events-*` annotations) checked into one mapping. Pure, without DuckDB, so that
`ninefold check` can validate a spec's mapping without loading the reader."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from ninefold.errors import Invalid

TimeUnit = Literal["s", "ms"]
_UNITS: dict[str, TimeUnit] = {"s": "s", "ms": "ms"}
MICROS: dict[TimeUnit, int] = {"s": 1_000_000, "ms": 1_000}
DEFAULT_BAD_STATUS = ((500, None),)  # 500 and above
StatusRange = tuple[int, int | None]  # inclusive; None: no upper bound


# --- what the columns mean ---------------------------------------------------------------


@dataclass(frozen=True)
class EventColumns:
    """Which columns of an event file hold the time and the verdict, and how to read them.

    Exactly one of `good`, `status` and `latency` is set. `latency_threshold` is in the
    latency column's own unit (`latency_unit`): 300 for a 300 ms threshold over milliseconds.
    """

    time: str = "timestamp"
    time_unit: TimeUnit | None = None
    good: str | None = None
    status: str | None = None
    bad_status: tuple[StatusRange, ...] = DEFAULT_BAD_STATUS
    latency: str | None = None
    latency_threshold: float | None = None
    latency_unit: TimeUnit | None = None

    @property
    def verdict(self) -> str:
        """The column that says good or bad."""
        found = self.good or self.status or self.latency
        assert found is not None  # noqa: S101 (event_columns guarantees one)
        return found


def parse_bad_status(text: str) -> tuple[StatusRange, ...]:
    """`--bad-status`: codes, ranges and classes, comma-separated.

    Example: "5xx,429" -> ((500, 599), (429, 429)); "500-504" -> ((500, 504),).
    """
    found: list[StatusRange] = []
    for raw in text.split(","):
        part = raw.strip().lower()
        if re.fullmatch(r"[1-9]xx", part):
            found.append((int(part[0]) * 100, int(part[0]) * 100 + 99))
        elif re.fullmatch(r"\d+", part):
            found.append((int(part), int(part)))
        elif match := re.fullmatch(r"(\d+)\s*-\s*(\d+)", part):
            low, high = int(match.group(1)), int(match.group(2))
            if low > high:
                raise Invalid(f"--bad-status: range {raw.strip()!r} is empty ({low} > {high})")
            found.append((low, high))
        else:
            raise Invalid(
                f"--bad-status: {raw.strip()!r} is not a status code (429), range (500-504) "
                "or class (5xx)"
            )
    return tuple(found)


def parse_threshold(text: str) -> float:
    """`--latency-threshold` in seconds: "300ms" -> 0.3, "1.5s" -> 1.5."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s)\s*", text)
    if not match:
        raise Invalid(
            f"--latency-threshold: {text!r} is not a duration in seconds or milliseconds "
            "such as 300ms or 1.5s"
        )
    value = float(match.group(1))
    return value / 1000 if match.group(2) == "ms" else value


def unit_from_name(column: str) -> TimeUnit | None:
    """The unit a latency column's name ends with: `duration_ms`, `latencyMs` -> ms;
    `duration_seconds`, `latency_s` -> s; `latency` -> None."""
    words = re.split(r"[^a-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", column).lower())
    last = words[-1] if words else ""
    if last in {"ms", "msec", "millis", "milliseconds"}:
        return "ms"
    if last in {"s", "sec", "secs", "seconds"}:
        return "s"
    return None


def _time_unit(option: str, text: str | None) -> TimeUnit | None:
    if text is None:
        return None
    found = _UNITS.get(text)
    if found is not None:
        return found
    raise Invalid(f"{option}: {text!r} is not s or ms")


# The column options, as the command line (`--time-column`) and an SLO's annotations
# (`ninefold.dev/events-time-column`) name them, each with the `event_columns` keyword it sets.
COLUMN_OPTIONS: dict[str, str] = {
    "time-column": "time",
    "time-unit": "time_unit",
    "good-column": "good",
    "status-column": "status",
    "bad-status": "bad_status",
    "latency-column": "latency",
    "latency-threshold": "latency_threshold",
    "latency-unit": "latency_unit",
}


def columns_from(options: Mapping[str, str | None]) -> EventColumns:
    """The column mapping the options say, by their names (`time-column`), checked."""
    return event_columns(**{COLUMN_OPTIONS[name]: value for name, value in options.items()})


def event_columns(
    *,
    time: str | None = None,
    time_unit: str | None = None,
    good: str | None = None,
    status: str | None = None,
    bad_status: str | None = None,
    latency: str | None = None,
    latency_threshold: str | None = None,
    latency_unit: str | None = None,
) -> EventColumns:
    """The column mapping from the command line's options, checked."""
    chosen = [
        f"--{name}-column"
        for name, column in (("good", good), ("status", status), ("latency", latency))
        if column
    ]
    if len(chosen) != 1:
        which = " and ".join(chosen) if chosen else "none"
        raise Invalid(
            "--events needs exactly one of --good-column, --status-column and "
            f"--latency-column (got {which})"
        )
    if bad_status is not None and not status:
        raise Invalid("--bad-status needs --status-column")
    if (latency_threshold is not None or latency_unit is not None) and not latency:
        raise Invalid("--latency-threshold and --latency-unit need --latency-column")
    columns = EventColumns(
        time=time or "timestamp",
        time_unit=_time_unit("--time-unit", time_unit),
        good=good,
        status=status,
        bad_status=parse_bad_status(bad_status) if bad_status else DEFAULT_BAD_STATUS,
    )
    if not latency:
        return columns
    if latency_threshold is None:
        raise Invalid("--latency-column needs --latency-threshold (e.g. 300ms)")
    unit = _time_unit("--latency-unit", latency_unit) or unit_from_name(latency)
    if unit is None:
        raise Invalid(
            f"--latency-unit: cannot tell from its name whether {latency!r} holds seconds or "
            "milliseconds; give --latency-unit s or ms"
        )
    threshold = parse_threshold(latency_threshold) * MICROS["s"] / MICROS[unit]
    return replace(columns, latency=latency, latency_threshold=threshold, latency_unit=unit)
