"""Rotations, layers, schedules and overrides for the oncall tests: plain builders for the
table tests, hypothesis strategies for the properties.

The strategies stay on the quarter-hour grid the reference model checks (see `reference`), and
put their ranges around the clock changes of the zone drawn, where the rules matter.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from ninefold.oncall.rotations import Rotation, ShiftUnit
from ninefold.oncall.schedule import Layer, Override, Restriction, Schedule
from tests.unit.oncall.reference import STEP, ZONES, on_grid

PEOPLE = ("ana", "ben", "cy", "dee")


def rotation(
    zone: str = "UTC",
    start: str = "2024-01-01",
    handoff: str = "09:00",
    participants: tuple[str, ...] = ("ana", "ben"),
    length: int = 1,
    unit: ShiftUnit = "days",
) -> Rotation:
    return Rotation(
        participants=participants,
        shift_length=length,
        shift_unit=unit,
        handoff=time.fromisoformat(handoff),
        zone=ZoneInfo(zone),
        start=date.fromisoformat(start),
    )


def at(text: str, zone: str = "UTC") -> datetime:
    """The instant (UTC) of a local wall time in `zone`, fold 0: the first of a repeated time.

    In UTC because Python subtracts two datetimes of one zone on the wall clock: 00:00 to
    00:00 the next day is 24 hours even across a clock change.
    """
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def quarter_hours_between(first: int, last: int) -> st.SearchStrategy[time]:
    return st.builds(
        time, st.integers(min_value=first, max_value=last), st.sampled_from((0, 15, 30, 45))
    )


# Half the handoffs and window edges in the small hours, where the clocks change.
quarter_hours = st.one_of(quarter_hours_between(0, 3), quarter_hours_between(0, 23))


@st.composite
def ranges(draw: st.DrawFn, zone: str, days: int = 3) -> tuple[datetime, datetime]:
    """Up to `days` long, starting on the grid in the UTC day before one of `zone`'s changes,
    and mostly long enough to reach past it (the change is within 14 hours of the UTC midnight
    starting its local day)."""
    change = date.fromisoformat(draw(st.sampled_from(ZONES[zone])))
    start = on_grid(change - timedelta(days=1), draw(st.integers(min_value=0, max_value=95)))
    quarters = draw(
        st.one_of(
            st.integers(min_value=2 * 96, max_value=days * 96),
            st.integers(min_value=1, max_value=days * 96),
        )
    )
    return start, start + quarters * STEP


@st.composite
def rotations(draw: st.DrawFn, zone: str, near: date) -> Rotation:
    unit = draw(st.sampled_from(("hours", "days", "weeks")))
    longest = {"hours": 8, "days": 3, "weeks": 2}[unit]
    # Short shifts often, so that some handoff falls into the gap or fold of the range.
    length = draw(st.one_of(st.just(1), st.integers(min_value=1, max_value=longest)))
    return Rotation(
        participants=tuple(
            draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=4, unique=True))
        ),
        shift_length=length,
        shift_unit=unit,
        handoff=draw(quarter_hours),
        zone=ZoneInfo(zone),
        start=near + timedelta(days=draw(st.integers(min_value=-15, max_value=2))),
    )


restrictions = st.builds(
    Restriction,
    days=st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=7, unique=True).map(
        lambda days: tuple(sorted(days))
    ),
    start=quarter_hours,
    end=quarter_hours,
)


@st.composite
def overrides(draw: st.DrawFn, start: datetime, end: datetime) -> Override:
    quarters = (end - start) // STEP
    first = draw(st.integers(min_value=-4, max_value=quarters))
    last = draw(st.integers(min_value=first + 1, max_value=quarters + 4))
    kind = draw(st.sampled_from(("add", "remove", "replace")))
    person = draw(st.sampled_from(PEOPLE))
    replaces = None
    if kind == "replace":
        replaces = draw(st.sampled_from([p for p in PEOPLE if p != person]))
    return Override(kind, start + first * STEP, start + last * STEP, person, replaces)


@st.composite
def schedules(draw: st.DrawFn, with_overrides: bool = True) -> tuple[Schedule, datetime, datetime]:
    """A schedule of 1-3 layers in zones of its own choosing, with a range to look at."""
    home = draw(st.sampled_from(sorted(ZONES)))
    start, end = draw(ranges(home))
    layers = []
    for number in range(draw(st.integers(min_value=1, max_value=3))):
        zone = draw(st.sampled_from((home, *sorted(ZONES))))
        layers.append(
            Layer(
                name=f"layer {number}",
                rotation=draw(rotations(zone, start.date())),
                restrictions=tuple(draw(st.lists(restrictions, max_size=2))),
            )
        )
    corrections = draw(st.lists(overrides(start, end), max_size=4)) if with_overrides else []
    return Schedule("primary", tuple(layers), tuple(corrections)), start, end
