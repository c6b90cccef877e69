"""On-call shifts as iCalendar feeds (RFC 5545) that calendar apps subscribe to.

A feed covers a window around now (a week back, two months ahead) and shows each shift
whole: shifts are looked up `MARGIN` beyond the window on both sides, so a shift crossing its
edge keeps its real start and end. That keeps each event's UID (schedule, person, start)
the same from one refresh to the next, so calendar apps update events instead of
duplicating them. Times are UTC; the apps show them in their user's zone.

A shadow's stretches are events of their own, named as shadowing and with their own UIDs, so a
person learning on-call sees when they will be paged without mistaking it for their own turn.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from icalendar import Calendar, Event

from ninefold.oncall.schedule import Schedule, Segment, shadow_shifts

PRODID = "-//Ninefold//On-call schedules//EN"
FEED_PAST = timedelta(days=7)
FEED_AHEAD = timedelta(days=60)
MARGIN = timedelta(days=31)
REFRESH = timedelta(hours=1)


def feed_window(now: datetime) -> tuple[datetime, datetime]:
    """The window a feed fetched at `now` shows: shifts overlapping it appear."""
    return now - FEED_PAST, now + FEED_AHEAD


def lookup_range(window: tuple[datetime, datetime]) -> tuple[datetime, datetime]:
    """The range to compute shifts (and load overrides) over for `window`."""
    return window[0] - MARGIN, window[1] + MARGIN


@dataclass(frozen=True)
class Shift:
    """One person's unbroken stretch on call in one schedule, or shadowing `shadowing`
    there: one calendar event."""

    schedule: str
    person: str
    start: datetime
    end: datetime
    shadowing: str | None = None

    @property
    def uid(self) -> str:
        # Quoted so that names with spaces or "/" cannot make two shifts' UIDs collide.
        names = f"{quote(self.schedule, safe='')}/{quote(self.person, safe='')}"
        if self.shadowing is not None:
            names += f"/shadowing/{quote(self.shadowing, safe='')}"
        return f"{names}/{self.start:%Y%m%dT%H%M%SZ}@ninefold"


def stretches(segments: Iterable[Segment]) -> dict[str, list[Segment]]:
    """Each person's unbroken stretches on call, as `Schedule.shifts_of` gives them, from one
    list of segments (so a schedule's feed computes its segments once, not once a person)."""
    found: dict[str, list[Segment]] = {}
    for segment in segments:
        for person in segment.people:
            mine = found.setdefault(person, [])
            if mine and mine[-1].end == segment.start:
                mine[-1] = Segment(mine[-1].start, segment.end, (person,))
            else:
                mine.append(Segment(segment.start, segment.end, (person,)))
    return found


def shifts(
    schedule: Schedule, window: tuple[datetime, datetime], person: str | None = None
) -> list[Shift]:
    """The shifts overlapping `window`, whole (up to `MARGIN` beyond it), of `person` or of
    everyone, ordered by start and person. `schedule` must hold the overrides touching the
    `lookup_range` of the window."""
    start, end = window
    segments = schedule.shifts(*lookup_range(window))
    by_person = stretches(segments)
    people = sorted(by_person) if person is None else [person]
    found = [
        Shift(schedule.name, name, stretch.start, stretch.end)
        for name in people
        for stretch in by_person.get(name, [])
    ]
    found += [
        Shift(schedule.name, s.shadow, s.start, s.end, shadowing=s.of)
        for s in shadow_shifts(segments, person)
    ]
    return sorted(
        (shift for shift in found if shift.start < end and start < shift.end),
        key=lambda shift: (shift.start, shift.person, shift.shadowing or ""),
    )


def render(
    title: str, calendar_id: str, events: Iterable[tuple[Shift, str]], now: datetime
) -> bytes:
    """A VCALENDAR named `title` holding one VEVENT per (shift, summary)."""
    calendar = Calendar.new(prodid=PRODID, name=title, uid=calendar_id)
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", REFRESH)
    stamp = now.replace(microsecond=0)
    for shift, summary in events:
        calendar.add_component(
            Event.new(uid=shift.uid, start=shift.start, end=shift.end, summary=summary, stamp=stamp)
        )
    text: bytes = calendar.to_ical()
    return text


def person_calendar(
    person: str, schedules: Iterable[Schedule], window: tuple[datetime, datetime], now: datetime
) -> bytes:
    """`person`'s shifts across `schedules`: "On call: <schedule>", or "Shadowing <primary>:
    <schedule>"."""
    found = sorted(
        (shift for schedule in schedules for shift in shifts(schedule, window, person)),
        key=lambda shift: (shift.start, shift.schedule),
    )
    return render(
        f"{person} on call",
        f"ninefold-person-{quote(person, safe='')}",
        [(shift, _mine(shift)) for shift in found],
        now,
    )


def _mine(shift: Shift) -> str:
    if shift.shadowing is None:
        return f"On call: {shift.schedule}"
    return f"Shadowing {shift.shadowing}: {shift.schedule}"


def _theirs(shift: Shift) -> str:
    if shift.shadowing is None:
        return f"{shift.person} on call ({shift.schedule})"
    return f"{shift.person} shadowing {shift.shadowing} ({shift.schedule})"


def schedule_calendar(
    schedule: Schedule, window: tuple[datetime, datetime], now: datetime
) -> bytes:
    """Every shift of `schedule`: "<person> on call (<schedule>)", and the shadows':
    "<person> shadowing <primary> (<schedule>)"."""
    return render(
        f"On call: {schedule.name}",
        f"ninefold-schedule-{quote(schedule.name, safe='')}",
        [(shift, _theirs(shift)) for shift in shifts(schedule, window)],
        now,
    )
