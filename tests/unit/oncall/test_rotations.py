"""Rotations hand over at the same wall-clock time through daylight-saving changes, and say
who holds any instant without walking from the first shift."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ninefold.errors import Invalid
from ninefold.oncall import rotations as rotations_module
from ninefold.oncall.rotations import Rotation, Shift
from tests.unit.oncall.factories import at, ranges, rotation, rotations
from tests.unit.oncall.reference import ZONES, grid, rotation_person

HOUR = timedelta(hours=1)


def walk(subject: Rotation, start: datetime, end: datetime, step: timedelta) -> list[Shift]:
    """The distinct shifts met by looking at the rotation every `step` from `start` to `end`,
    each checked to hold the instant it was met at."""
    met: list[Shift] = []
    instant = start
    while instant < end:
        shift = subject.shift_at(instant)
        assert shift is not None
        assert shift.start <= instant < shift.end
        if not met or met[-1] != shift:
            met.append(shift)
        instant += step
    return met


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        pytest.param(
            "America/Chicago", "2024-03-10", 23, id="Chicago spring-forward day lasts 23 hours"
        ),
        pytest.param(
            "America/Chicago", "2024-11-03", 25, id="Chicago fall-back day lasts 25 hours"
        ),
        pytest.param(
            "Europe/Berlin", "2024-03-31", 23, id="Berlin spring-forward day lasts 23 hours"
        ),
        pytest.param("Europe/Berlin", "2024-10-27", 25, id="Berlin fall-back day lasts 25 hours"),
        pytest.param(
            "Australia/Lord_Howe",
            "2024-10-06",
            23.5,
            id="Lord Howe spring-forward day lasts 23.5 hours",
        ),
        pytest.param(
            "Australia/Lord_Howe", "2024-04-07", 24.5, id="Lord Howe fall-back day lasts 24.5 hours"
        ),
    ],
)
def test_daily_shifts_keep_the_0900_handoff_through_clock_changes(zone, day, hours) -> None:
    change = date.fromisoformat(day)
    subject = rotation(zone, start=str(change - timedelta(days=5)), handoff="09:00")
    start = at(f"{change - timedelta(days=2)}T12:00", zone)
    met = walk(subject, start, start + timedelta(days=4), timedelta(minutes=5))
    for shift in met[1:]:
        assert shift.start.astimezone(ZoneInfo(zone)).time() == time(9)
    lengths = {s.start.astimezone(ZoneInfo(zone)).date(): s.end - s.start for s in met}
    assert lengths[change - timedelta(days=1)] == timedelta(hours=hours)  # 09:00 the day before
    assert lengths[change] == timedelta(hours=24)  # to 09:00 the day after: normal again
    assert [s.person for s in met] == [("ana", "ben")[s.index % 2] for s in met]


def test_a_handoff_inside_the_gap_happens_at_the_transition() -> None:
    """02:30 does not exist in Chicago on 2024-03-10: that handoff happens at 03:00 CDT
    (08:00Z), the first instant after the gap, not at 03:30 as `fold=0` would have it."""
    subject = rotation("America/Chicago", start="2024-03-08", handoff="02:30")
    met = walk(subject, at("2024-03-09T06:00Z"), at("2024-03-11T12:00Z"), timedelta(minutes=5))
    assert [s.start for s in met] == [
        at("2024-03-08T08:30Z"),  # 02:30 CST
        at("2024-03-09T08:30Z"),  # 02:30 CST
        at("2024-03-10T08:00Z"),  # 03:00 CDT: the transition
        at("2024-03-11T07:30Z"),  # 02:30 CDT
    ]
    assert met[1].end - met[1].start == timedelta(hours=23, minutes=30)
    assert met[2].end - met[2].start == timedelta(hours=23, minutes=30)


def test_a_handoff_in_the_repeated_hour_happens_once_at_its_first_occurrence() -> None:
    subject = rotation("America/Chicago", start="2024-11-01", handoff="01:30")
    met = walk(subject, at("2024-11-03T04:00Z"), at("2024-11-03T10:00Z"), timedelta(minutes=5))
    assert [s.start for s in met] == [at("2024-11-02T06:30Z"), at("2024-11-03T06:30Z")]
    assert met[1].start.astimezone(ZoneInfo("America/Chicago")).utcoffset() == -5 * HOUR
    # The second 01:30 (CST, 07:30Z) is in the middle of a shift, not a handoff.
    assert subject.shift_at(at("2024-11-03T07:30Z")) == met[1]
    assert met[1].end - met[1].start == 25 * HOUR


def test_the_repeated_hour_counts_once_in_hourly_shifts() -> None:
    """On fall-back the 01:00 shift holds both 01:00-02:00 hours (2 real hours); the local day
    has 24 shifts over 25 real hours and they add up to exactly that."""
    subject = rotation("America/Chicago", start="2024-11-01", handoff="00:00", unit="hours")
    day_start, day_end = (
        at("2024-11-03T00:00", "America/Chicago"),
        at("2024-11-04T00:00", "America/Chicago"),
    )
    shifts = subject.shifts(day_start, day_end)
    assert len(shifts) == 24
    assert sum((s.end - s.start for s in shifts), timedelta()) == day_end - day_start == 25 * HOUR
    assert [s.end - s.start for s in shifts].count(2 * HOUR) == 1


def test_an_hourly_shift_inside_the_gap_never_happens() -> None:
    """Chicago's 02:00-03:00 shift on 2024-03-10 starts and ends at the transition: it is left
    out, and the next shift goes to whoever it would have gone to anyway."""
    subject = rotation(
        "America/Chicago",
        start="2024-03-10",
        handoff="00:00",
        unit="hours",
        participants=("ana", "ben", "cy"),
    )
    shifts = subject.shifts(at("2024-03-10T06:00Z"), at("2024-03-10T10:00Z"))
    assert [(s.index, s.person, s.end - s.start) for s in shifts] == [
        (0, "ana", HOUR),  # 00:00 CST
        (1, "ben", HOUR),  # 01:00 CST
        (3, "ana", HOUR),  # 03:00 CDT: shift 2 (cy, 02:00) is empty
        (4, "ben", HOUR),
    ]
    assert subject.shift_start(2) == subject.shift_start(3) == at("2024-03-10T08:00Z")


def test_a_30_minute_gap_shortens_an_hourly_shift_to_30_minutes() -> None:
    subject = rotation("Australia/Lord_Howe", start="2024-10-06", handoff="00:00", unit="hours")
    shifts = subject.shifts(
        at("2024-10-06T01:00", "Australia/Lord_Howe"), at("2024-10-06T04:00", "Australia/Lord_Howe")
    )
    assert [s.end - s.start for s in shifts] == [HOUR, HOUR / 2, HOUR]


@pytest.mark.parametrize(
    ("unit", "length", "instant", "index"),
    [
        pytest.param("hours", 8, "2024-01-01T16:59Z", 0, id="the first 8-hour shift ends at 17:00"),
        pytest.param(
            "hours", 8, "2024-01-01T17:00Z", 1, id="the second 8-hour shift starts at 17:00"
        ),
        pytest.param(
            "days", 1, "2024-01-02T08:59Z", 0, id="a daily shift runs to 09:00 the next day"
        ),
        pytest.param(
            "days", 2, "2024-01-03T09:00Z", 1, id="a 2-day shift hands over on the third day"
        ),
        pytest.param(
            "weeks", 1, "2024-01-08T09:00Z", 1, id="a weekly shift hands over a week later"
        ),
        pytest.param("weeks", 2, "2024-01-14T23:00Z", 0, id="a fortnight runs to the 15th"),
    ],
)
def test_shift_units(unit, length, instant, index) -> None:
    subject = rotation("UTC", start="2024-01-01", handoff="09:00", unit=unit, length=length)
    shift = subject.shift_at(at(instant))
    assert shift is not None
    assert shift.index == index


def test_nobody_holds_the_time_before_the_first_shift() -> None:
    subject = rotation("Europe/Berlin", start="2024-01-01", handoff="09:00")
    assert subject.first_start == at("2024-01-01T08:00Z")
    assert subject.shift_at(at("2024-01-01T07:59:59Z")) is None
    assert subject.shift_at(at("2024-01-01T08:00Z")) == Shift(
        at("2024-01-01T08:00Z"), at("2024-01-02T08:00Z"), "ana", 0
    )


def test_the_shift_is_found_directly_not_by_walking_from_the_start(monkeypatch) -> None:
    """Eighty years of daily shifts later, finding the shift still resolves a handful of wall
    times, not 29,000."""
    calls = 0
    real = rotations_module.resolve

    def counting(wall: datetime, zone: ZoneInfo) -> datetime:
        nonlocal calls
        calls += 1
        return real(wall, zone)

    monkeypatch.setattr(rotations_module, "resolve", counting)
    subject = rotation(
        "Europe/Berlin", start="2000-01-01", handoff="09:00", participants=("ana", "ben", "cy")
    )
    shift = subject.shift_at(at("2080-06-15T12:00Z"))
    assert shift is not None
    assert shift.index == (date(2080, 6, 15) - date(2000, 1, 1)).days
    assert calls <= 5


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"participants": ()}, "rotation has no participants", id="no participants"),
        pytest.param(
            {"participants": ("ana", " ")}, "participants must be names", id="a blank participant"
        ),
        pytest.param({"length": 0}, "shift_length must be at least 1", id="a shift length of 0"),
        pytest.param(
            {"length": -2}, "shift_length must be at least 1", id="a negative shift length"
        ),
        pytest.param({"unit": "months"}, "unknown shift unit 'months'", id="an unknown unit"),
    ],
)
def test_bad_rotations_are_invalid(changes, message) -> None:
    with pytest.raises(Invalid, match=message):
        rotation(**changes)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        pytest.param("shift_length", 1.5, "whole number", id="a fractional shift length"),
        pytest.param(
            "handoff",
            time(9, tzinfo=UTC),
            "handoff must be a local time",
            id="a handoff with a zone",
        ),
        pytest.param("zone", "Europe/Berlin", "zone must be a ZoneInfo", id="a zone given by name"),
        pytest.param(
            "start", datetime(2024, 1, 1, 9), "start must be a local date", id="a start with a time"
        ),
    ],
)
def test_badly_typed_rotations_are_invalid(field, value, message) -> None:
    fields = {
        "participants": ("ana",),
        "shift_length": 1,
        "shift_unit": "days",
        "handoff": time(9),
        "zone": ZoneInfo("UTC"),
        "start": date(2024, 1, 1),
        field: value,
    }
    with pytest.raises(Invalid, match=message):
        Rotation(**fields)


def test_naive_instants_are_refused() -> None:
    subject = rotation()
    with pytest.raises(Invalid, match="instant must be timezone-aware"):
        subject.shift_at(datetime(2024, 1, 2, 9))
    with pytest.raises(Invalid, match="end must be timezone-aware"):
        subject.shifts(at("2024-01-02T09:00Z"), datetime(2024, 1, 3))


@st.composite
def rotations_with_ranges(draw: st.DrawFn) -> tuple[Rotation, datetime, datetime]:
    zone = draw(st.sampled_from(sorted(ZONES)))
    start, end = draw(ranges(zone))
    return draw(rotations(zone, start.date())), start, end


@settings(max_examples=150, deadline=None)
@given(rotations_with_ranges())
def test_at_every_instant_the_expected_person_is_on_call(case) -> None:
    subject, start, end = case
    for instant in grid(start, end):
        shift = subject.shift_at(instant)
        expected = rotation_person(subject, instant)
        assert (None if shift is None else shift.person) == expected, instant
        assert shift is None or shift.start <= instant < shift.end


@settings(max_examples=60, deadline=None)
@given(rotations_with_ranges())
def test_shifts_follow_each_other_without_gap_or_overlap(case) -> None:
    subject, start, end = case
    shifts = subject.shifts(start, end)
    if end <= subject.first_start:
        assert shifts == []
        return
    assert shifts[0].start <= max(start, subject.first_start)
    assert shifts[-1].end >= end
    for shift, following in itertools.pairwise(shifts):
        assert shift.start < shift.end == following.start
        assert shift.index < following.index
    for shift in shifts:
        assert shift.person == subject.participants[shift.index % len(subject.participants)]
        assert subject.shift_at(shift.start) == shift


@settings(max_examples=100, deadline=None)
@given(rotations_with_ranges(), st.floats(min_value=0, max_value=1))
def test_the_shift_found_holds_the_instant(case, fraction: float) -> None:
    subject, start, end = case
    instant = start + (end - start) * fraction
    shift = subject.shift_at(instant)
    if shift is None:
        assert instant < subject.first_start
    else:
        assert shift.start <= instant < shift.end
