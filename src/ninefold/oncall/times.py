"""Instants and ranges as users type them, for the schedule API and `ninefold oncall`.

An instant is ISO 8601 with a zone (`2026-11-23T09:00:00Z`, `2026-11-23T10:00+01:00`) or the
word `now`. A time without a zone is refused rather than guessed: the server's zone, the
user's and the schedule's are all plausible and each would move every shift.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from ninefold.errors import Invalid

DEFAULT_RANGE = timedelta(days=14)
# About a quarter (three months of 31 days): a schedule's shifts are computed per request.
MAX_RANGE = timedelta(days=93)

# In a URL query an unencoded "+" arrives as a space: "...T10:00:00 01:00" meant "+01:00".
_SPACE_FOR_PLUS = re.compile(r"^(.*[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


def parse_instant(text: str, field: str, now: datetime) -> datetime:
    """`text` as an aware UTC datetime; `now` for the word "now"."""
    value = text.strip()
    if value.lower() == "now":
        return now.astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(_SPACE_FOR_PLUS.sub(r"\1+\2", value))
    except ValueError:
        raise Invalid(
            f"{text!r} is not an ISO 8601 time such as 2026-11-23T09:00:00Z (or 'now')",
            field=field,
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise Invalid(
            f"{text!r} has no time zone; add one, such as Z or +01:00 "
            "(2026-11-23T09:00:00Z, 2026-11-23T10:00:00+01:00)",
            field=field,
        )
    return parsed.astimezone(UTC)


def check_range(
    start: datetime,
    end: datetime,
    *,
    start_field: str = "from",
    end_field: str = "to",
    limit: timedelta | None = MAX_RANGE,
) -> None:
    """A range must end after it starts and last at most `limit` (if any)."""
    if end <= start:
        raise Invalid(
            f"{end_field} ({end.isoformat()}) must be after {start_field} ({start.isoformat()})",
            field=end_field,
        )
    if limit is not None and end - start > limit:
        raise Invalid(
            f"the range may span at most {limit.days} days; {start_field} to {end_field} spans "
            f"{(end - start) / timedelta(days=1):g}",
            field=end_field,
        )


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
