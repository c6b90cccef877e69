"""Wall times resolved to instants: the gap goes to the transition, the fold to its first
occurrence, whatever the size of the change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ninefold.errors import Invalid
from ninefold.oncall.wallclock import as_utc, resolve, wall_time, zone_of
from tests.unit.oncall.reference import ZONES

MINUTE = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("zone", "wall", "instant"),
    [
        pytest.param(
            "America/Chicago",
            "2024-03-10T01:59",
            "2024-03-10T07:59",
            id="Chicago just before the gap is CST",
        ),
        pytest.param(
            "America/Chicago",
            "2024-03-10T02:00",
            "2024-03-10T08:00",
            id="Chicago 02:00 in the gap is the transition",
        ),
        pytest.param(
            "America/Chicago",
            "2024-03-10T02:30",
            "2024-03-10T08:00",
            id="Chicago 02:30 in the gap is 03:00 CDT, not 03:30",
        ),
        pytest.param(
            "America/Chicago",
            "2024-03-10T03:00",
            "2024-03-10T08:00",
            id="Chicago 03:00 is the transition too",
        ),
        pytest.param(
            "America/Chicago",
            "2024-11-03T01:00",
            "2024-11-03T06:00",
            id="Chicago 01:00 on fall-back is the first one, CDT",
        ),
        pytest.param(
            "America/Chicago",
            "2024-11-03T01:30",
            "2024-11-03T06:30",
            id="Chicago 01:30 on fall-back is the first one, CDT",
        ),
        pytest.param(
            "America/Chicago",
            "2024-11-03T02:00",
            "2024-11-03T08:00",
            id="Chicago 02:00 after the fold is CST",
        ),
        pytest.param(
            "Europe/Berlin",
            "2024-03-31T02:30",
            "2024-03-31T01:00",
            id="Berlin 02:30 in the gap is 03:00 CEST",
        ),
        pytest.param(
            "Europe/Berlin",
            "2024-10-27T02:30",
            "2024-10-27T00:30",
            id="Berlin 02:30 on fall-back is the first one, CEST",
        ),
        pytest.param(
            "Australia/Lord_Howe",
            "2024-10-06T02:10",
            "2024-10-05T15:30",
            id="Lord Howe 02:10 in the 30-minute gap is 02:30",
        ),
        pytest.param(
            "Australia/Lord_Howe",
            "2024-10-06T02:30",
            "2024-10-05T15:30",
            id="Lord Howe 02:30 is the transition",
        ),
        pytest.param(
            "Australia/Lord_Howe",
            "2024-04-07T01:45",
            "2024-04-06T14:45",
            id="Lord Howe 01:45 on fall-back is the first one, +11",
        ),
        pytest.param(
            "America/Santiago",
            "2024-09-08T00:30",
            "2024-09-08T04:00",
            id="Santiago skips midnight: 00:30 is 01:00",
        ),
        pytest.param(
            "Pacific/Apia",
            "2011-12-30T12:00",
            "2011-12-30T10:00",
            id="Apia skipped a whole day: its noon is the next midnight",
        ),
        pytest.param("UTC", "2024-03-10T02:30", "2024-03-10T02:30", id="UTC has no gaps"),
    ],
)
def test_wall_times_resolve_to_the_first_instant_showing_them(zone, wall, instant) -> None:
    resolved = resolve(datetime.fromisoformat(wall), ZoneInfo(zone))
    assert resolved == datetime.fromisoformat(instant).replace(tzinfo=UTC)


def first_showing(walls: list[datetime], zone: ZoneInfo) -> dict[datetime, datetime]:
    """For each wall time (ascending, whole minutes), the first whole minute whose clock shows
    it or later, by watching the clock minute by minute from well before (no zone is 15 hours
    ahead of UTC)."""
    found: dict[datetime, datetime] = {}
    pending = iter(walls)
    wall = next(pending, None)
    instant = walls[0].replace(tzinfo=UTC) - timedelta(hours=15)
    while wall is not None:
        shown = wall_time(instant, zone)
        while wall is not None and shown >= wall:
            found[wall] = instant
            wall = next(pending, None)
        instant += MINUTE
    return found


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        pytest.param(zone, day, id=f"{zone} around {day}")
        for zone, days in ZONES.items()
        for day in days
    ],
)
def test_every_minute_around_a_change_resolves_to_the_first_instant_showing_it(zone, day) -> None:
    """Every wall minute from 22:00 the day before to 04:00, where the clocks change."""
    late = datetime.combine(date.fromisoformat(day) - timedelta(days=1), time(22))
    walls = [late + minutes * MINUTE for minutes in range(6 * 60)]
    expected = first_showing(walls, ZoneInfo(zone))
    assert {wall: resolve(wall, ZoneInfo(zone)) for wall in walls} == expected


@st.composite
def walls_near_changes(draw: st.DrawFn) -> tuple[datetime, ZoneInfo]:
    zone = draw(st.sampled_from(sorted(ZONES)))
    day = date.fromisoformat(draw(st.sampled_from(ZONES[zone])))
    minute = draw(st.integers(min_value=0, max_value=2 * 24 * 60 - 1))
    return datetime.combine(day - timedelta(days=1), time()) + minute * MINUTE, ZoneInfo(zone)


@settings(max_examples=100, deadline=None)
@given(walls_near_changes(), st.integers(min_value=0, max_value=180))
def test_later_wall_times_never_happen_earlier(case, minutes: int) -> None:
    wall, zone = case
    assert resolve(wall, zone) <= resolve(wall + minutes * MINUTE, zone)


@settings(max_examples=100, deadline=None)
@given(walls_near_changes())
def test_a_wall_time_never_happens_after_an_instant_showing_it(case) -> None:
    wall, zone = case
    instant = wall.replace(tzinfo=UTC) - timedelta(hours=3)
    assert resolve(wall_time(instant, zone), zone) <= instant


def test_known_zones_are_found() -> None:
    assert zone_of("Europe/Berlin") == ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    "name",
    ["Mars/Olympus_Mons", "", "America", "../etc/passwd", "/etc/localtime", "Europe/Berlin "],
    ids=["made up", "empty", "a directory", "a path outside", "an absolute path", "a stray space"],
)
def test_unknown_zones_are_invalid_and_named(name: str) -> None:
    with pytest.raises(Invalid, match="unknown time zone") as raised:
        zone_of(name)
    assert repr(name) in raised.value.message


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(Invalid, match="at must be timezone-aware"):
        as_utc(datetime(2024, 1, 1, 9), "at")


def test_dates_are_not_instants() -> None:
    with pytest.raises(Invalid, match="at must be a datetime"):
        as_utc(date(2024, 1, 1), "at")  # type: ignore[arg-type]


def test_aware_datetimes_are_converted_to_utc() -> None:
    berlin = datetime(2024, 7, 1, 9, tzinfo=ZoneInfo("Europe/Berlin"))
    assert as_utc(berlin, "at") == datetime(2024, 7, 1, 7, tzinfo=UTC)
    assert as_utc(berlin, "at").tzinfo is UTC
