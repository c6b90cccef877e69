"""Instants and ranges as users type them, for every API parameter and command option.

One rule everywhere: an instant is ISO 8601 with a zone (`2026-11-23T09:00:00Z`,
`2026-11-23T10:00+01:00`) or the word `now`. A time without a zone is refused rather than
guessed: the server's zone, the user's and a schedule's are all plausible, and each would
move the answer.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from ninefold.errors import Invalid

EXAMPLE = "2026-11-23T09:00:00Z"

# Instants people type lie between these: nothing in running services happened before 1970
# or is planned for after 9000, and the bounds leave room for every sum of instants and
# durations the domains make (a schedule walked from year 1 would be a loop of millennia;
# 9999-12-31 plus a day is past what a datetime holds).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def bounded(value: datetime) -> datetime:
    """An aware `value` in UTC, or ValueError saying why it cannot be one."""
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("lies outside years 1 to 9999 once in UTC") from None
    if not EARLIEST <= utc < LATEST:
        raise ValueError(f"must fall between {EARLIEST.year} and {LATEST.year} (UTC)")
    return utc


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
            f"{text!r} is not an ISO 8601 time such as {EXAMPLE} (or 'now')", field=field
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise Invalid(
            f"{text!r} has no time zone; add one, such as Z or +01:00 "
            f"({EXAMPLE}, 2026-11-23T10:00:00+01:00)",
            field=field,
        )
    try:
        return bounded(parsed)
    except ValueError as exc:
        raise Invalid(f"{text!r} {exc}", field=field) from None


def check_range(
    start: datetime,
    end: datetime,
    *,
    start_field: str = "from",
    end_field: str = "to",
    limit: timedelta | None = None,
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


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_period_bound(text: str, field: str, now: datetime) -> datetime:
    """A bound of a reporting period: an instant as `parse_instant` reads it, or a date
    alone, taken as midnight UTC (KPIS.md: periods are in UTC unless a zone is given)."""
    value = text.strip()
    if _DATE.match(value):
        try:
            return bounded(datetime.fromisoformat(value).replace(tzinfo=UTC))
        except ValueError as exc:
            raise Invalid(f"{text!r} is not a date: {exc}", field=field) from None
    return parse_instant(value, field, now)


def period_of(
    start: str | None, end: str | None, now: datetime, default: timedelta
) -> tuple[datetime, datetime]:
    """[from, to) of a report: `to` defaults to now, `from` to `default` before `to`."""
    last = now if end is None else parse_period_bound(end, "to", now)
    first = last - default if start is None else parse_period_bound(start, "from", now)
    check_range(first, last, limit=timedelta(days=3660))
    return first, last
