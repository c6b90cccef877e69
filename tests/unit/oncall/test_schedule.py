"""Schedules: higher layers cover lower ones, restrictions let lower ones show through,
overrides win, and the segments tile time exactly."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ninefold.errors import Invalid
from ninefold.oncall.schedule import Layer, Override, Restriction, Schedule, Segment
from tests.unit.oncall.factories import at, overrides, rotation, schedules
from tests.unit.oncall.reference import grid, schedule_people

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
BERLIN = ZoneInfo("Europe/Berlin")


def hours(start: str, end: str) -> tuple[time, time]:
    return time.fromisoformat(start), time.fromisoformat(end)


FRIDAY_NIGHT = Restriction((4,), *hours("20:00", "08:00"))
EVERY_NIGHT = Restriction.daily(*hours("20:00", "08:00"))


@pytest.mark.parametrize(
    ("restriction", "local", "inside"),
    [
        pytest.param(
            Restriction.daily(*hours("09:00", "17:00")),
            "2024-01-08T09:00",
            True,
            id="daily window opens at its start",
        ),
        pytest.param(
            Restriction.daily(*hours("09:00", "17:00")),
            "2024-01-13T16:59",
            True,
            id="daily window includes Saturday afternoon",
        ),
        pytest.param(
            Restriction.daily(*hours("09:00", "17:00")),
            "2024-01-08T17:00",
            False,
            id="daily window closes at its end",
        ),
        pytest.param(
            Restriction.daily(*hours("09:00", "17:00")),
            "2024-01-08T08:59",
            False,
            id="daily window is closed before its start",
        ),
        pytest.param(
            Restriction.weekdays(*hours("09:00", "17:00")),
            "2024-01-12T10:00",
            True,
            id="weekday window is open on Friday",
        ),
        pytest.param(
            Restriction.weekdays(*hours("09:00", "17:00")),
            "2024-01-13T10:00",
            False,
            id="weekday window is closed on Saturday",
        ),
        pytest.param(
            FRIDAY_NIGHT, "2024-01-12T20:00", True, id="Friday night opens Friday at 20:00"
        ),
        pytest.param(
            FRIDAY_NIGHT, "2024-01-13T07:59", True, id="Friday night runs into Saturday morning"
        ),
        pytest.param(
            FRIDAY_NIGHT, "2024-01-13T08:00", False, id="Friday night closes Saturday at 08:00"
        ),
        pytest.param(
            FRIDAY_NIGHT, "2024-01-12T07:59", False, id="Friday morning belongs to Thursday night"
        ),
        pytest.param(
            FRIDAY_NIGHT, "2024-01-13T21:00", False, id="Saturday night is not Friday night"
        ),
        pytest.param(
            EVERY_NIGHT, "2024-01-08T03:00", True, id="Monday 03:00 belongs to Sunday night"
        ),
        pytest.param(
            Restriction.daily(time(6), time(6)),
            "2024-01-08T05:59",
            True,
            id="equal start and end is the whole day",
        ),
    ],
)
def test_restriction_windows(restriction: Restriction, local: str, inside: bool) -> None:
    assert restriction.contains(at(local, "Europe/Berlin"), BERLIN) is inside


@pytest.mark.parametrize(
    ("zone", "window", "day", "expected"),
    [
        pytest.param(
            "America/Chicago",
            ("02:30", "03:30"),
            "2024-03-10",
            [("08:00", "08:30")],
            id="an edge in the gap moves to the transition",
        ),
        pytest.param(
            "America/Chicago",
            ("02:00", "02:30"),
            "2024-03-10",
            [],
            id="a window wholly in the gap does not open",
        ),
        pytest.param(
            "Europe/Berlin",
            ("02:00", "03:00"),
            "2024-10-27",
            [("00:00", "02:00")],
            id="a window over the repeated hour lasts two hours",
        ),
        pytest.param(
            "Europe/Berlin",
            ("01:00", "02:30"),
            "2024-10-27",
            [("23:00", "00:30")],
            id="an edge in the fold is its first occurrence",
        ),
        pytest.param(
            "Australia/Lord_Howe",
            ("02:00", "03:00"),
            "2024-10-06",
            [("15:30", "16:00")],
            id="Lord Howe loses 30 minutes of the window",
        ),
    ],
)
def test_restriction_edges_follow_the_wall_clock_rules(zone, window, day, expected) -> None:
    restriction = Restriction.daily(*hours(*window))
    local_day = date.fromisoformat(day)
    start, end = at(f"{local_day}T00:00", zone), at(f"{local_day + DAY}T00:00", zone)
    found = [
        (opens.strftime("%H:%M"), closes.strftime("%H:%M"))
        for opens, closes in restriction.windows(start, end, ZoneInfo(zone))
        if opens.astimezone(ZoneInfo(zone)).date() == local_day
    ]
    assert found == expected


def weekdays_layer(name: str = "business hours") -> Layer:
    return Layer(name, rotation(participants=("cy",)), (Restriction.weekdays(time(9), time(17)),))


def test_a_layer_is_empty_outside_its_restrictions() -> None:
    layer = weekdays_layer()
    assert layer.who(at("2024-01-08T10:00Z")) == ("cy",)
    assert layer.who(at("2024-01-08T18:00Z")) == ()
    assert layer.who(at("2024-01-13T10:00Z")) == ()


def test_a_layer_without_restrictions_applies_from_its_first_shift_on() -> None:
    layer = Layer("always", rotation(start="2024-01-01", handoff="09:00"))
    assert layer.who(at("2024-01-01T08:59Z")) == ()
    assert layer.who(at("2024-01-01T09:00Z")) == ("ana",)
    assert layer.who(at("2030-01-01T03:00Z")) in {("ana",), ("ben",)}


def test_the_highest_layer_covers_and_lower_ones_show_through() -> None:
    schedule = Schedule(
        "primary", (Layer("base", rotation(participants=("ana",))), weekdays_layer())
    )
    assert schedule.who(at("2024-01-08T10:00Z")) == ("cy",)
    assert schedule.who(at("2024-01-08T18:00Z")) == ("ana",)
    assert [
        (s.start, s.end, s.people)
        for s in schedule.shifts(at("2024-01-08T00:00Z"), at("2024-01-09T00:00Z"))
    ] == [
        (at("2024-01-08T00:00Z"), at("2024-01-08T09:00Z"), ("ana",)),
        (at("2024-01-08T09:00Z"), at("2024-01-08T17:00Z"), ("cy",)),
        (at("2024-01-08T17:00Z"), at("2024-01-09T00:00Z"), ("ana",)),
    ]


def overriding(*corrections: Override) -> Schedule:
    """Ana on call all the time, corrected by `corrections`."""
    return Schedule("primary", (Layer("base", rotation(participants=("ana",))),), corrections)


NOON, ONE = at("2024-01-08T12:00Z"), at("2024-01-08T13:00Z")


@pytest.mark.parametrize(
    ("corrections", "expected"),
    [
        pytest.param(
            [Override("add", NOON, ONE, "ben")],
            ("ana", "ben"),
            id="add puts someone on call alongside",
        ),
        pytest.param(
            [Override("remove", NOON, ONE, "ana")], (), id="remove takes someone off, leaving a gap"
        ),
        pytest.param(
            [Override("replace", NOON, ONE, "ben", "ana")],
            ("ben",),
            id="replace swaps the person on call",
        ),
        pytest.param(
            [Override("replace", NOON, ONE, "cy", "ben")],
            ("ana",),
            id="replace of someone not on call does nothing",
        ),
        pytest.param(
            [Override("add", NOON, ONE, "ben"), Override("remove", NOON, ONE, "ben")],
            ("ana",),
            id="a later remove undoes an add",
        ),
        pytest.param(
            [Override("remove", NOON, ONE, "ana"), Override("add", NOON, ONE, "ana")],
            ("ana",),
            id="a later add undoes a remove",
        ),
        pytest.param(
            [Override("add", NOON, ONE, "ben"), Override("replace", NOON, ONE, "cy", "ben")],
            ("ana", "cy"),
            id="replace sees the overrides before it",
        ),
        pytest.param(
            [
                Override("replace", NOON, ONE, "ben", "ana"),
                Override("replace", NOON, ONE, "cy", "ben"),
            ],
            ("cy",),
            id="replacements chain in order",
        ),
    ],
)
def test_overrides_apply_in_order(corrections, expected) -> None:
    schedule = overriding(*corrections)
    assert schedule.who(NOON + HOUR / 2) == expected
    assert schedule.who(ONE) == ("ana",), "an override ends at its end"


def test_override_times_are_stored_in_utc() -> None:
    berlin_noon = datetime(2024, 1, 8, 13, tzinfo=BERLIN)
    override = Override("add", berlin_noon, berlin_noon + HOUR, "ben")
    assert override == Override("add", NOON, ONE, "ben")
    assert override.start.tzinfo is UTC


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(
            ("add", datetime(2024, 1, 8, 12), ONE, "ben"),
            "start must be timezone-aware",
            id="a naive start",
        ),
        pytest.param(
            ("add", ONE, NOON, "ben"),
            "override must end after it starts",
            id="an end before the start",
        ),
        pytest.param(
            ("add", NOON, NOON, "ben"), "override must end after it starts", id="no time at all"
        ),
        pytest.param(
            ("swap", NOON, ONE, "ben"), "unknown override kind 'swap'", id="an unknown kind"
        ),
        pytest.param(("add", NOON, ONE, ""), "override has no person", id="no person"),
        pytest.param(
            ("replace", NOON, ONE, "ben"), "names whom it replaces", id="a replace without whom"
        ),
        pytest.param(
            ("add", NOON, ONE, "ben", "ana"),
            "only a replace override",
            id="an add naming whom it replaces",
        ),
        pytest.param(
            ("replace", NOON, ONE, "ben", "ben"),
            "cannot replace themselves",
            id="a replace of oneself",
        ),
    ],
)
def test_bad_overrides_are_invalid(arguments, message) -> None:
    with pytest.raises(Invalid, match=message):
        Override(*arguments)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        pytest.param(
            lambda: Schedule("primary", ()), "has no layers", id="a schedule without layers"
        ),
        pytest.param(
            lambda: Schedule("primary", (weekdays_layer("a"), weekdays_layer("a"))),
            "two layers named 'a'",
            id="two layers of one name",
        ),
        pytest.param(
            lambda: Layer(" ", rotation()), "layer has no name", id="a layer without a name"
        ),
        pytest.param(
            lambda: Restriction((), time(9), time(17)),
            "restriction has no days",
            id="a restriction without days",
        ),
        pytest.param(
            lambda: Restriction((7,), time(9), time(17)),
            r"0 \(Monday\) to 6 \(Sunday\), got 7",
            id="a day after Sunday",
        ),
        pytest.param(
            lambda: Restriction((0,), time(9, tzinfo=UTC), time(17)),
            "start must be a local time",
            id="a window edge with a zone",
        ),
    ],
)
def test_bad_schedules_are_invalid(build, message) -> None:
    with pytest.raises(Invalid, match=message):
        build()


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda s: s.who(datetime(2024, 1, 8, 12)), id="who"),
        pytest.param(lambda s: s.shifts(datetime(2024, 1, 8), NOON), id="shifts"),
        pytest.param(lambda s: s.gaps(NOON, datetime(2024, 1, 9)), id="gaps"),
        pytest.param(lambda s: s.shifts_of("ana", NOON, datetime(2024, 1, 9)), id="shifts_of"),
    ],
)
def test_naive_datetimes_are_refused(call) -> None:
    with pytest.raises(Invalid, match="must be timezone-aware"):
        call(overriding())


def test_a_range_ending_before_it_starts_is_invalid() -> None:
    with pytest.raises(Invalid, match="range ends before it starts"):
        overriding().shifts(ONE, NOON)
    assert overriding().shifts(NOON, NOON) == []


def test_gaps_and_my_shifts() -> None:
    schedule = Schedule(
        "primary",
        (weekdays_layer(),),
        (Override("add", at("2024-01-08T16:00Z"), at("2024-01-08T18:00Z"), "ben"),),
    )
    monday, tuesday = at("2024-01-08T00:00Z"), at("2024-01-09T00:00Z")
    assert schedule.gaps(monday, tuesday) == [
        Segment(monday, at("2024-01-08T09:00Z"), ()),
        Segment(at("2024-01-08T18:00Z"), tuesday, ()),
    ]
    # Ben joining for the last hour does not cut cy's working day in two.
    assert schedule.shifts_of("cy", monday, tuesday) == [
        Segment(at("2024-01-08T09:00Z"), at("2024-01-08T17:00Z"), ("cy",))
    ]
    assert schedule.shifts_of("ben", monday, tuesday) == [
        Segment(at("2024-01-08T16:00Z"), at("2024-01-08T18:00Z"), ("ben",))
    ]
    assert schedule.shifts_of("dee", monday, tuesday) == []
    assert schedule.shifts_of("cy", monday, at("2024-01-10T00:00Z")) == [
        Segment(at("2024-01-08T09:00Z"), at("2024-01-08T17:00Z"), ("cy",)),
        Segment(at("2024-01-09T09:00Z"), at("2024-01-09T17:00Z"), ("cy",)),
    ]


@pytest.mark.parametrize(
    ("zone", "day", "real"),
    [
        pytest.param("Europe/Berlin", "2024-10-27", 25 * HOUR, id="Berlin fall-back day"),
        pytest.param("America/Chicago", "2024-03-10", 23 * HOUR, id="Chicago spring-forward day"),
        pytest.param(
            "Australia/Lord_Howe", "2024-04-07", 24.5 * HOUR, id="Lord Howe fall-back day"
        ),
    ],
)
def test_segments_of_a_change_day_add_up_to_its_real_length(zone, day, real) -> None:
    """Walked every 5 minutes, each instant is in exactly one segment, with its people, and no
    hour is counted twice."""
    schedule = Schedule(
        "primary",
        (
            Layer(
                "base",
                rotation(
                    zone, handoff="01:30", unit="hours", length=3, participants=("ana", "ben", "cy")
                ),
            ),
            Layer("nights", rotation(zone, handoff="02:30", participants=("dee",)), (EVERY_NIGHT,)),
        ),
    )
    local_day = date.fromisoformat(day)
    start, end = at(f"{local_day}T00:00", zone), at(f"{local_day + DAY}T00:00", zone)
    segments = schedule.shifts(start, end)
    assert end - start == real
    assert sum((s.duration for s in segments), timedelta()) == real
    instant = start
    while instant < end:
        holding = [s for s in segments if s.start <= instant < s.end]
        assert len(holding) == 1
        assert holding[0].people == schedule.who(instant)
        instant += timedelta(minutes=5)


def follow_the_sun(*, fallback: bool) -> Schedule:
    """Office hours in Sydney, Berlin and New York, which chain up exactly in January (UTC
    21-05, 05-13 and 13-21) but not in March, when New York has moved and the others not yet."""
    layers = (
        Layer(
            "sydney",
            rotation(
                "Australia/Sydney", handoff="08:00", unit="weeks", participants=("sam", "sue")
            ),
            (Restriction.daily(time(8), time(16)),),
        ),
        Layer(
            "berlin",
            rotation("Europe/Berlin", handoff="06:00", unit="weeks", participants=("bea", "bo")),
            (Restriction.daily(time(6), time(14)),),
        ),
        Layer(
            "new york",
            rotation(
                "America/New_York", handoff="08:00", unit="weeks", participants=("nia", "ned")
            ),
            (Restriction.daily(time(8), time(16)),),
        ),
    )
    if fallback:
        layers = (Layer("fallback", rotation(participants=("fay",))), *layers)
    return Schedule("follow the sun", layers)


def test_follow_the_sun_hands_the_pager_around_the_world() -> None:
    schedule = follow_the_sun(fallback=False)
    week = at("2024-01-08T00:00Z"), at("2024-01-15T00:00Z")
    assert schedule.gaps(*week) == []
    assert schedule.who(at("2024-01-08T02:00Z")) == ("sue",)
    assert schedule.who(at("2024-01-08T09:00Z")) == ("bo",)
    assert schedule.who(at("2024-01-08T17:00Z")) == ("ned",)
    handovers = {s.start.strftime("%H:%M") for s in schedule.shifts(*week)[1:]}
    assert handovers == {"05:00", "13:00", "21:00"}


def test_follow_the_sun_leaves_a_gap_while_the_clocks_disagree() -> None:
    week = at("2024-03-11T00:00Z"), at("2024-03-18T00:00Z")
    gaps = follow_the_sun(fallback=False).gaps(*week)
    assert [(g.start.strftime("%H:%M"), g.duration) for g in gaps] == [("20:00", HOUR)] * 7
    covered = follow_the_sun(fallback=True)
    assert covered.gaps(*week) == []
    assert covered.who(at("2024-03-11T20:30Z")) == ("fay",)
    assert covered.who(at("2024-03-11T12:30Z")) in {("nia",), ("ned",)}, "New York is higher"


def assert_tiles(segments: list[Segment], start: datetime, end: datetime) -> None:
    if start == end:
        assert segments == []
        return
    assert segments[0].start == start
    assert segments[-1].end == end
    for segment in segments:
        assert segment.start < segment.end
        assert list(segment.people) == sorted(set(segment.people))
    for segment, following in itertools.pairwise(segments):
        assert segment.end == following.start
        assert segment.people != following.people, "neighbours with the same people merge"


@settings(max_examples=100, deadline=None)
@given(schedules())
def test_segments_tile_the_range_and_match_the_reference(case) -> None:
    schedule, start, end = case
    segments = schedule.shifts(start, end)
    assert_tiles(segments, start, end)
    holding = iter(segments)
    segment = next(holding)
    for instant in grid(start, end):
        while not instant < segment.end:
            segment = next(holding)
        assert segment.people == schedule_people(schedule, instant), instant


@settings(max_examples=50, deadline=None)
@given(schedules(), st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=10))
def test_who_is_the_people_of_the_segment_holding_the_instant(case, fractions) -> None:
    schedule, start, end = case
    segments = schedule.shifts(start, end)
    for fraction in fractions:
        instant = min(start + (end - start) * fraction, end - timedelta(microseconds=1))
        (segment,) = [s for s in segments if s.start <= instant < s.end]
        assert schedule.who(instant) == segment.people


@st.composite
def overridden(draw: st.DrawFn) -> tuple[Schedule, Schedule, Override, datetime]:
    schedule, start, end = draw(schedules(with_overrides=False))
    override = draw(overrides(start, end))
    instant = start + (end - start) * draw(st.floats(min_value=0, max_value=1))
    corrected = Schedule(schedule.name, schedule.layers, (override,))
    return schedule, corrected, override, min(instant, end - timedelta(microseconds=1))


@settings(max_examples=100, deadline=None)
@given(overridden())
def test_overrides_win(case) -> None:
    plain, corrected, override, instant = case
    before, after = set(plain.who(instant)), set(corrected.who(instant))
    if not override.start <= instant < override.end:
        assert after == before
    elif override.kind == "add":
        assert after == before | {override.person}
    elif override.kind == "remove":
        assert after == before - {override.person}
    elif override.replaces in before:
        assert after == (before - {override.replaces}) | {override.person}
    else:
        assert after == before
