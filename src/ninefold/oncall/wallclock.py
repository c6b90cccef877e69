"""Wall-clock time in a schedule's zone, turned into instants.

People agree on "handoff at 09:00 Berlin time", not on an instant, so schedules are laid out in
local wall time and only then resolved to UTC. Twice a year some wall times do not exist (the
spring-forward gap) or exist twice (the fall-back fold); one rule settles both:

    a wall time happens at the first instant whose local clock shows it or a later time.

So a wall time in the gap happens at the transition itself (02:30 on the America/Chicago
spring-forward day is 03:00 CDT, 08:00Z), and a repeated wall time happens at its first
occurrence (01:30 on the fall-back day is 01:30 CDT, 06:30Z, never 01:30 CST). Nothing here
assumes the change is one hour: Australia/Lord_Howe moves its clocks by 30 minutes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ninefold.errors import Invalid

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


def zone_of(name: str) -> ZoneInfo:
    """The IANA zone called `name`, or `Invalid` naming it, so a typo in a schedule reads as the
    user's mistake rather than a `KeyError` from the standard library."""
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        raise Invalid(f"unknown time zone {name!r}", field="zone") from None


def as_utc(value: datetime, name: str) -> datetime:
    """`value` in UTC; a naive datetime is refused because guessing its zone would shift every
    shift by the server's offset."""
    if not isinstance(value, datetime):
        raise Invalid(f"{name} must be a datetime (got {type(value).__name__})", field=name)
    if value.tzinfo is None or value.utcoffset() is None:
        raise Invalid(f"{name} must be timezone-aware (got naive {value.isoformat()})", field=name)
    return value.astimezone(UTC)


def wall_time(instant: datetime, zone: ZoneInfo) -> datetime:
    """What a clock on the wall in `zone` shows at `instant` (naive)."""
    return instant.astimezone(zone).replace(tzinfo=None, fold=0)


def resolve(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant at which the naive `wall` time happens in `zone` (rule in the module
    docstring).

    Python's `fold=0` already picks the first occurrence of a repeated time, but for a time in
    the gap it uses the offset from before the change and lands after the transition by the
    size of the jump (02:30 CST = 03:30 CDT). The transition lies between the two readings of
    the gap (`fold=1` is before it, `fold=0` after it), so it is found by bisecting on whole
    seconds; transitions in the tz database fall on whole seconds.

    Example, America/Chicago 2024-03-10 02:30: fold=1 reads 07:30Z, fold=0 reads 08:30Z; the
    offset changes from -6 h to -5 h at 08:00Z, which is the answer (03:00 CDT).
    """
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if wall_time(first, zone) == wall:
        return first
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = (before - _EPOCH) // _SECOND, -((_EPOCH - first) // _SECOND)
    offset_before = _offset(low, zone)
    while high - low > 1:  # ~13 steps for a one-hour gap
        middle = (low + high) // 2
        if _offset(middle, zone) == offset_before:
            low = middle
        else:
            high = middle
    return _EPOCH + high * _SECOND


def _offset(seconds: int, zone: ZoneInfo) -> timedelta | None:
    return (_EPOCH + seconds * _SECOND).astimezone(zone).utcoffset()
