"""Calendar feeds: every shift of the window once, whole, with UIDs that survive a refresh."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from icalendar import Calendar

from ninefold.oncall import ical
from ninefold.oncall.rotations import Rotation
from ninefold.oncall.schedule import Layer, Override, Restriction, Schedule
from tests.unit.oncall.factories import schedules

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)  # the window spans Berlin's spring change
BERLIN = ZoneInfo("Europe/Berlin")


def primary(*overrides: Override) -> Schedule:
    daily = Rotation(("ana", "ben", "cy"), 1, "days", time(9), BERLIN, date(2026, 1, 5))
    weekly = Rotation(("dee",), 1, "weeks", time(9), BERLIN, date(2026, 1, 5))
    return Schedule(
        "primary",
        (
            Layer("nights", weekly),
            Layer("days", daily, (Restriction.weekdays(time(9), time(17)),)),
        ),
        overrides,
    )


def events(feed: bytes) -> list[tuple[str, datetime, datetime, str]]:
    """(summary, start, end, uid) of each event; starts and ends are times, not dates."""
    found = []
    for event in Calendar.from_ical(feed).events:
        start, end = event.start, event.end
        assert isinstance(start, datetime)
        assert isinstance(end, datetime)
        found.append((str(event["SUMMARY"]), start, end, str(event["UID"])))
    return found


def test_a_person_feed_holds_their_shifts_of_the_window_whole() -> None:
    schedule = primary(Override("add", NOW, NOW + timedelta(hours=2), "ana"))
    window = ical.feed_window(NOW)
    feed = ical.person_calendar("ana", [schedule], window, NOW)
    wide = schedule.shifts_of("ana", NOW - timedelta(days=40), NOW + timedelta(days=100))
    expected = [s for s in wide if s.start < window[1] and window[0] < s.end]
    assert [(start, end) for _, start, end, _ in events(feed)] == [
        (s.start, s.end) for s in expected
    ]
    assert {summary for summary, *_ in events(feed)} == {"On call: primary"}
    assert (NOW, NOW + timedelta(hours=2)) in [(s.start, s.end) for s in expected]


def test_a_schedule_feed_names_whoever_is_on_call_in_each_event() -> None:
    schedule = primary()
    window = ical.feed_window(NOW)
    found = events(ical.schedule_calendar(schedule, window, NOW))
    by_person: dict[str, list[tuple[datetime, datetime]]] = {}
    for summary, start, end, _ in found:
        person, _, rest = summary.partition(" on call ")
        assert rest == "(primary)"
        by_person.setdefault(person, []).append((start, end))
    wide = (window[0] - timedelta(days=31), window[1] + timedelta(days=31))
    for person in ("ana", "ben", "cy", "dee"):
        expected = [
            (s.start, s.end)
            for s in schedule.shifts_of(person, *wide)
            if s.start < window[1] and window[0] < s.end
        ]
        assert sorted(by_person[person]) == expected, person
    # A shift running across the window's start is shown whole: ben's Friday, 08:00-16:00Z.
    assert (window[0] - timedelta(hours=4), window[0] + timedelta(hours=4)) in by_person["ben"]
    # Every instant someone is on call in the window is inside an event of theirs.
    for segment in schedule.shifts(*window):
        for person in segment.people:
            assert any(s <= segment.start and segment.end <= e for s, e in by_person[person])


def test_uids_stay_the_same_from_one_refresh_to_the_next() -> None:
    schedule = primary()
    first = ical.schedule_calendar(schedule, ical.feed_window(NOW), NOW)
    later = NOW + timedelta(hours=5)
    second = ical.schedule_calendar(schedule, ical.feed_window(later), later)
    uids_then = {uid: (start, end) for _, start, end, uid in events(first)}
    uids_now = {uid: (start, end) for _, start, end, uid in events(second)}
    shared = uids_then.keys() & uids_now.keys()
    assert len(shared) > 50
    assert all(uids_then[uid] == uids_now[uid] for uid in shared)


def test_uids_are_unique_and_quote_names() -> None:
    shift = ical.Shift("a/b c", "x y", NOW, NOW + timedelta(hours=1))
    assert shift.uid == "a%2Fb%20c/x%20y/20260320T120000Z@ninefold"
    found = events(ical.schedule_calendar(primary(), ical.feed_window(NOW), NOW))
    uids = [uid for *_, uid in found]
    assert len(uids) == len(set(uids))


def test_the_calendar_is_named_and_says_who_made_it() -> None:
    feed = ical.person_calendar("ana", [], ical.feed_window(NOW), NOW)
    calendar = Calendar.from_ical(feed)
    assert str(calendar["X-WR-CALNAME"]) == "ana on call"
    assert str(calendar["PRODID"]) == ical.PRODID
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in feed
    assert calendar.events == []
    assert feed == ical.person_calendar("ana", [], ical.feed_window(NOW), NOW), "deterministic"


@settings(max_examples=40, deadline=None)
@given(schedules())
def test_stretches_are_what_shifts_of_gives(drawn: tuple[Schedule, datetime, datetime]) -> None:
    schedule, start, end = drawn
    found = ical.stretches(schedule.shifts(start, end))
    for person in ("ana", "ben", "cy", "dee"):
        assert found.get(person, []) == schedule.shifts_of(person, start, end)


@pytest.mark.parametrize("person", ["ana", "nobody"])
def test_a_person_with_no_shifts_gets_an_empty_list(person: str) -> None:
    schedule = Schedule(
        "quiet",
        (Layer("l", Rotation(("ben",), 1, "weeks", time(9), BERLIN, date(2026, 1, 5))),),
    )
    assert ical.shifts(schedule, ical.feed_window(NOW), person) == []
