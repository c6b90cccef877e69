"""The ranges of the schedule API and `ninefold oncall`: two weeks from now unless given, and
at most about a quarter (instants are read by `ninefold.instants`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from ninefold.instants import check_range, parse_instant

DEFAULT_RANGE = timedelta(days=14)
# About a quarter (three months of 31 days): a schedule's shifts are computed per request.
MAX_RANGE = timedelta(days=93)


def resolve_range(
    start: str | None,
    end: str | None,
    now: datetime,
    *,
    start_field: str = "from",
    end_field: str = "to",
    default: timedelta = DEFAULT_RANGE,
    limit: timedelta = MAX_RANGE,
) -> tuple[datetime, datetime]:
    """The range `[start, end)` a request asks for: from `now` when no start is given, and
    `default` long when no end is."""
    first = now if start is None else parse_instant(start, start_field, now)
    last = first + default if end is None else parse_instant(end, end_field, now)
    check_range(first, last, start_field=start_field, end_field=end_field, limit=limit)
    return first, last
