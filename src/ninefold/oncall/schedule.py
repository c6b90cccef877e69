"""Schedules: layers of rotations, restricted to hours of the week, corrected by overrides.

The last layer is the highest. At an instant the people on call are those of the highest layer
that has someone there, so a higher layer covers the ones below it and, where its restrictions
leave it empty, lets a lower one show through; then the overrides are applied in the order
given. Follow-the-sun is three layers restricted to office hours in three zones, with a 24/7
layer below them (if any) catching the hours the zones' clock changes leave uncovered.

Shadows are people learning on-call: paged with a primary, never instead of one, so they are
never among the people on call. A shadow belongs to a shift, not to a person's calendar: a
layer's shadow follows the turns it names, and an override that hands such a turn to someone
else (`replace`) hands the shadow over too; an override may bring its own shadow, and a
`shadow` override pairs a shadow with a person for a while without changing who is on call.

Restrictions are wall-clock windows in the layer's zone and resolve like rotation handoffs
(`wallclock.resolve`): an edge in the spring-forward gap happens at the transition, an edge in
the fall-back fold at its first occurrence.

Everything between two "edges" (a handoff, a window edge, an override edge) is constant, so
`shifts` evaluates `who` once per stretch between consecutive edges instead of sampling time.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from ninefold.errors import Invalid
from ninefold.oncall.rotations import Rotation
from ninefold.oncall.wallclock import as_utc, resolve, wall_time

OverrideKind = Literal["add", "remove", "replace", "shadow"]

MONDAY_TO_FRIDAY = (0, 1, 2, 3, 4)
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)
_DAY = timedelta(days=1)

Window = tuple[datetime, datetime]
# (shadow, primary): `shadow` is paged with `primary`, marked as shadow.
Pairing = tuple[str, str]


@dataclass(frozen=True)
class Restriction:
    """Windows from `start` to `end` local time on each of `days` (0 is Monday, as in
    `date.weekday()`). An `end` at or before `start` runs overnight into the next day, and the
    window belongs to the day it starts: Friday 20:00-08:00 is Friday evening to Saturday
    morning. `start == end` is a whole day, from `start` to `start` the next day.
    """

    days: tuple[int, ...]
    start: time
    end: time

    def __post_init__(self) -> None:
        if not self.days:
            raise Invalid("restriction has no days", field="days")
        for day in self.days:
            if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
                raise Invalid(
                    f"restriction days must be 0 (Monday) to 6 (Sunday), got {day!r}",
                    field="days",
                )
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, time) or value.tzinfo is not None:
                raise Invalid(
                    f"restriction {name} must be a local time of day without a zone "
                    "(the zone is the layer's)",
                    field=name,
                )

    @classmethod
    def daily(cls, start: time, end: time) -> Restriction:
        """Every day from `start` to `end`."""
        return cls(EVERY_DAY, start, end)

    @classmethod
    def weekdays(cls, start: time, end: time) -> Restriction:
        """Monday to Friday from `start` to `end` (an overnight Friday window ends Saturday)."""
        return cls(MONDAY_TO_FRIDAY, start, end)

    def windows(self, start: datetime, end: datetime, zone: ZoneInfo) -> list[Window]:
        """The windows `[opens, closes)` (UTC) overlapping `[start, end)`, whole, in order."""
        start, end = as_utc(start, "start"), as_utc(end, "end")
        return [(o, c) for o, c in self._windows_near(start, end, zone) if o < end and start < c]

    def contains(self, instant: datetime, zone: ZoneInfo) -> bool:
        """Whether `instant` falls in one of the windows."""
        instant = as_utc(instant, "instant")
        return any(o <= instant < c for o, c in self._windows_near(instant, instant, zone))

    def _windows_near(self, start: datetime, end: datetime, zone: ZoneInfo) -> Iterator[Window]:
        """The non-empty windows of the local days from the one before `start` to the one after
        `end`: enough, since a window lasts at most a day and a fold moves an edge by hours.
        A window wholly inside a spring-forward gap (02:00-02:30 that day) is empty and left out.
        """
        day = wall_time(start, zone).date() - _DAY
        last = wall_time(end, zone).date() + _DAY
        while day <= last:
            if day.weekday() in self.days:
                closing_day = day if self.end > self.start else day + _DAY
                opens = resolve(datetime.combine(day, self.start), zone)
                closes = resolve(datetime.combine(closing_day, self.end), zone)
                if opens < closes:
                    yield opens, closes
            day += _DAY


@dataclass(frozen=True)
class Shadow:
    """`person` shadows the turns of `of` in a layer, or every turn when `of` is None."""

    person: str
    of: str | None = None

    def follows(self, primary: str) -> bool:
        return self.person != primary and self.of in (None, primary)


@dataclass(frozen=True)
class Layer:
    """A rotation, on call only inside its restrictions (always, when it has none), with the
    shadows of its turns."""

    name: str
    rotation: Rotation
    restrictions: tuple[Restriction, ...] = ()
    shadows: tuple[Shadow, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise Invalid("layer has no name", field="name")

    @property
    def zone(self) -> ZoneInfo:
        return self.rotation.zone

    def who(self, instant: datetime) -> tuple[str, ...]:
        """The person of this layer on call at `instant`, as a 0- or 1-tuple."""
        instant = as_utc(instant, "instant")
        if self.restrictions and not any(r.contains(instant, self.zone) for r in self.restrictions):
            return ()
        shift = self.rotation.shift_at(instant)
        return () if shift is None else (shift.person,)

    def shadows_of(self, primary: str) -> set[str]:
        """Who shadows `primary`'s turn in this layer."""
        return {shadow.person for shadow in self.shadows if shadow.follows(primary)}

    def edges(self, start: datetime, end: datetime) -> set[datetime]:
        """The instants inside `(start, end)` where this layer's answer may change: handoffs
        (the rotation's first start included) and window edges."""
        edges = {shift.start for shift in self.rotation.shifts(start, end)}
        for restriction in self.restrictions:
            for opens, closes in restriction.windows(start, end, self.zone):
                edges.update((opens, closes))
        return {edge for edge in edges if start < edge < end}


@dataclass(frozen=True)
class Override:
    """A correction over `[start, end)`: `add` puts `person` on call, `remove` takes them off
    (and off any shadowing), `replace` swaps `replaces` for `person` only where `replaces` is
    on call (so a swap cannot put anyone on call where the person swapped out was not), with
    the shadows of the turn. `shadow`, with `add` or `replace`, shadows the turn it puts
    `person` on; the `shadow` kind only pairs `shadow` with `person` wherever `person` is on
    call, changing nobody's turn."""

    kind: OverrideKind
    start: datetime
    end: datetime
    person: str
    replaces: str | None = None
    shadow: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in get_args(OverrideKind):
            raise Invalid(
                f"unknown override kind {self.kind!r} (use add, remove, replace or shadow)",
                field="kind",
            )
        # Stored in UTC so that equal overrides compare equal whatever zone they came in.
        object.__setattr__(self, "start", as_utc(self.start, "start"))
        object.__setattr__(self, "end", as_utc(self.end, "end"))
        if self.end <= self.start:
            raise Invalid(
                f"override must end after it starts ({self.start.isoformat()} to "
                f"{self.end.isoformat()})",
                field="end",
            )
        if not isinstance(self.person, str) or not self.person.strip():
            raise Invalid("override has no person", field="person")
        if self.kind == "replace":
            if not self.replaces:
                raise Invalid("a replace override names whom it replaces", field="replaces")
            if self.replaces == self.person:
                raise Invalid(f"{self.person!r} cannot replace themselves", field="replaces")
        elif self.replaces is not None:
            raise Invalid(
                f"only a replace override names whom it replaces (this one is {self.kind})",
                field="replaces",
            )
        self._check_shadow()

    def _check_shadow(self) -> None:
        if self.shadow is None:
            if self.kind == "shadow":
                raise Invalid("a shadow override names the shadow", field="shadow")
            return
        if not isinstance(self.shadow, str) or not self.shadow.strip():
            raise Invalid("override has an empty shadow", field="shadow")
        if self.kind == "remove":
            raise Invalid(
                "a remove override puts nobody on call, so there is no one to shadow",
                field="shadow",
            )
        if self.shadow == self.person:
            raise Invalid(f"{self.person!r} cannot shadow themselves", field="shadow")

    def covers(self, instant: datetime) -> bool:
        return self.start <= instant < self.end

    def apply(self, people: set[str], shadows: dict[str, set[str]]) -> None:
        """Applies this override to the people on call and to the shadows of each (in place)."""
        if self.kind == "remove":
            people.discard(self.person)
            shadows.pop(self.person, None)
            return
        if self.kind == "add":
            people.add(self.person)
        elif self.kind == "replace":
            if self.replaces not in people:
                return
            people.discard(self.replaces)
            people.add(self.person)
            shadows.setdefault(self.person, set()).update(shadows.pop(self.replaces, ()))
        elif self.person not in people:  # a shadow override of someone not on call
            return
        if self.shadow is not None:
            shadows.setdefault(self.person, set()).add(self.shadow)


@dataclass(frozen=True)
class OnCall:
    """Who is on call at an instant (sorted; none is a gap) and who shadows whom."""

    people: tuple[str, ...]
    shadows: tuple[Pairing, ...] = ()


@dataclass(frozen=True)
class Segment:
    """A stretch `[start, end)` during which the same people are on call (sorted), shadowed
    by the same shadows; no people is a coverage gap."""

    start: datetime
    end: datetime
    people: tuple[str, ...]
    shadows: tuple[Pairing, ...] = ()

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class Schedule:
    """Layers, lowest first, and overrides, applied in order on top of them."""

    name: str
    layers: tuple[Layer, ...]
    overrides: tuple[Override, ...] = ()

    def __post_init__(self) -> None:
        if not self.layers:
            raise Invalid(f"schedule {self.name!r} has no layers", field="layers")
        names = [layer.name for layer in self.layers]
        for name in names:
            if names.count(name) > 1:
                raise Invalid(
                    f"schedule {self.name!r} has two layers named {name!r}", field="layers"
                )

    def who(self, at: datetime) -> tuple[str, ...]:
        """The people on call at `at`, sorted; empty is a coverage gap."""
        return self.on_call(at).people

    def on_call(self, at: datetime) -> OnCall:
        """The people on call at `at` and their shadows. Shadow overrides apply after the
        others, so they pair with whoever those leave on call; someone on call is nobody's
        shadow, and a `remove` override of a shadow takes them off shadowing too."""
        at = as_utc(at, "at")
        people: set[str] = set()
        shadows: dict[str, set[str]] = {}
        for layer in reversed(self.layers):
            people = set(layer.who(at))
            if people:
                if layer.shadows:
                    shadows = {person: layer.shadows_of(person) for person in people}
                break
        covering = [o for o in self.overrides if o.covers(at)]
        for override in sorted(covering, key=lambda o: o.kind == "shadow"):
            override.apply(people, shadows)
        off = {o.person for o in covering if o.kind == "remove"} | people
        pairs = {
            (shadow, primary)
            for primary, theirs in shadows.items()
            for shadow in theirs
            if primary in people and shadow not in off
        }
        return OnCall(tuple(sorted(people)), tuple(sorted(pairs)))

    def shifts(self, start: datetime, end: datetime) -> list[Segment]:
        """Segments tiling `[start, end)` exactly, in order, neighbours with the same people
        merged. The first starts at `start` and the last ends at `end` even where the people's
        turns run on beyond them."""
        start, end = as_utc(start, "start"), as_utc(end, "end")
        if end < start:
            raise Invalid(
                f"range ends before it starts ({start.isoformat()} to {end.isoformat()})",
                field="end",
            )
        edges: set[datetime] = {start, end}
        for layer in self.layers:
            edges |= layer.edges(start, end)
        for override in self.overrides:
            edges.update(e for e in (override.start, override.end) if start < e < end)
        ordered = sorted(edges)
        segments: list[Segment] = []
        for lower, upper in itertools.pairwise(ordered):
            now = self.on_call(lower)
            last = segments[-1] if segments else None
            if last is not None and (last.people, last.shadows) == (now.people, now.shadows):
                segments[-1] = Segment(last.start, upper, now.people, now.shadows)
            else:
                segments.append(Segment(lower, upper, now.people, now.shadows))
        return segments

    def gaps(self, start: datetime, end: datetime) -> list[Segment]:
        """The stretches of `[start, end)` with nobody on call."""
        return [segment for segment in self.shifts(start, end) if not segment.people]

    def shifts_of(self, person: str, start: datetime, end: datetime) -> list[Segment]:
        """When `person` is on call within `[start, end)`: each unbroken stretch once, as a
        segment with only them (whoever else is on call alongside does not split it)."""
        stretches: list[Segment] = []
        for segment in self.shifts(start, end):
            if person not in segment.people:
                continue
            if stretches and stretches[-1].end == segment.start:
                stretches[-1] = Segment(stretches[-1].start, segment.end, (person,))
            else:
                stretches.append(Segment(segment.start, segment.end, (person,)))
        return stretches


@dataclass(frozen=True)
class ShadowShift:
    """One unbroken stretch of `shadow` shadowing `of`."""

    shadow: str
    of: str
    start: datetime
    end: datetime


def shadow_shifts(segments: Iterable[Segment], shadow: str | None = None) -> list[ShadowShift]:
    """The stretches of each shadow (or of `shadow` only) with each primary, from segments in
    order: a shadow following two people in turn has a stretch with each, as each has a shift."""
    last: dict[Pairing, int] = {}
    found: list[ShadowShift] = []
    for segment in segments:
        for pair in segment.shadows:
            if shadow is not None and pair[0] != shadow:
                continue
            index = last.get(pair)
            if index is not None and found[index].end == segment.start:
                found[index] = replace(found[index], end=segment.end)
            else:
                last[pair] = len(found)
                found.append(ShadowShift(*pair, segment.start, segment.end))
    return sorted(found, key=lambda s: (s.start, s.shadow, s.of))
