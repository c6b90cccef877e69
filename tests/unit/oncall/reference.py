"""A slow model of who is on call, independent of `wallclock.resolve`, for the property tests.

It walks real time on a 15-minute grid and keeps the latest wall-clock time shown so far:
a handoff or window edge has happened once the clock has shown its wall time or a later one.
That is the rule the schedule code implements by resolving wall times (gap -> transition,
fold -> first occurrence), stated without gaps and folds. Handoffs and edges on the quarter
hour, in zones whose offsets and transitions fall on the quarter hour, then all happen on a
grid point, so checking every grid point checks every stretch.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ninefold.oncall.rotations import Rotation
from ninefold.oncall.schedule import Layer, Override, Restriction, Schedule

STEP = timedelta(minutes=15)
# Longer than any fall-back in the zones the tests use (1 hour at most): after a fold the
# clock shows a new maximum again within the hour it went back.
LOOKBACK = timedelta(hours=3)

ZONES = {
    # zone: local days with a clock change (2024), the change itself between 22:00 the day
    # before and 04:00 (Santiago falls back from 24:00 on the 6th to 23:00)
    "America/Chicago": ("2024-03-10", "2024-11-03"),
    "America/New_York": ("2024-03-10", "2024-11-03"),
    "America/St_Johns": ("2024-03-10", "2024-11-03"),
    "America/Santiago": ("2024-04-07", "2024-09-08"),
    "Europe/Berlin": ("2024-03-31", "2024-10-27"),
    "Australia/Sydney": ("2024-04-07", "2024-10-06"),
    "Australia/Lord_Howe": ("2024-04-07", "2024-10-06"),
    "Pacific/Chatham": ("2024-04-07", "2024-09-29"),
    "Asia/Kolkata": ("2024-06-01",),
    "UTC": ("2024-01-01",),
}


def on_grid(day: date, quarters: int = 0) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC) + quarters * STEP


def grid(start: datetime, end: datetime) -> list[datetime]:
    return [start + k * STEP for k in range((end - start) // STEP)]


def latest_wall(instant: datetime, zone: ZoneInfo) -> datetime:
    """The latest wall time the clock in `zone` has shown up to `instant` (on the grid)."""
    return max(
        (instant - k * STEP).astimezone(zone).replace(tzinfo=None)
        for k in range(LOOKBACK // STEP + 1)
    )


def rotation_person(rotation: Rotation, instant: datetime) -> str | None:
    shown = latest_wall(instant, rotation.zone)
    origin = datetime.combine(rotation.start, rotation.handoff)
    if shown < origin:
        return None
    length = timedelta(**{rotation.shift_unit: rotation.shift_length})
    index = (shown - origin) // length
    return rotation.participants[index % len(rotation.participants)]


def in_restriction(restriction: Restriction, instant: datetime, zone: ZoneInfo) -> bool:
    shown = latest_wall(instant, zone)
    for day in (shown.date() - timedelta(days=1), shown.date()):
        if day.weekday() not in restriction.days:
            continue
        closing = day if restriction.end > restriction.start else day + timedelta(days=1)
        opens = datetime.combine(day, restriction.start)
        if opens <= shown < datetime.combine(closing, restriction.end):
            return True
    return False


def layer_people(layer: Layer, instant: datetime) -> set[str]:
    if layer.restrictions and not any(
        in_restriction(r, instant, layer.rotation.zone) for r in layer.restrictions
    ):
        return set()
    person = rotation_person(layer.rotation, instant)
    return set() if person is None else {person}


def apply_overrides(people: set[str], overrides: tuple[Override, ...], instant: datetime) -> None:
    for override in overrides:
        if not override.start <= instant < override.end:
            continue
        if override.kind == "add":
            people.add(override.person)
        elif override.kind == "remove":
            people.discard(override.person)
        elif override.replaces in people:
            people.remove(override.replaces)
            people.add(override.person)


def schedule_people(schedule: Schedule, instant: datetime) -> tuple[str, ...]:
    people: set[str] = set()
    for layer in reversed(schedule.layers):
        people = layer_people(layer, instant)
        if people:
            break
    apply_overrides(people, schedule.overrides, instant)
    return tuple(sorted(people))
