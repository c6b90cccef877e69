"""Rotations: who holds the pager, shift after shift, in a zone's wall-clock time.

A rotation hands over at the same local time however the zone's offset moves, because that is
what its people agreed to. Boundary k is laid out on the naive local calendar,

    boundary(k) = (start + handoff) + k x shift length    (naive wall time)

and only then resolved to an instant (`wallclock.resolve`: a time in the spring-forward gap
happens at the transition, a repeated time at its first occurrence). So a daily shift lasts 23
or 25 hours on the change days (23.5 or 24.5 in Australia/Lord_Howe) and the handoff stays at
09:00. Shift k belongs to participants[k % n].

Example: daily shifts at 09:00 in America/Chicago starting 2024-03-09 with (ana, ben): ana
holds 2024-03-09 15:00Z to 2024-03-10 14:00Z (23 hours: clocks skip 02:00-03:00), ben from
14:00Z the next day on.

When two consecutive boundaries resolve to the same instant (an hourly shift whose both ends
fall into one spring-forward gap), that shift is empty: it never happens, nobody holds it, and
it does not appear among the shifts. The count still advances, so the next person takes over
as if the skipped hour had passed: who holds which shift never depends on the offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from ninefold.errors import Invalid
from ninefold.oncall.wallclock import as_utc, resolve, wall_time

ShiftUnit = Literal["hours", "days", "weeks"]


@dataclass(frozen=True)
class Shift:
    """One person's turn: `[start, end)` in UTC; `index` counts shifts from the rotation's
    first (0), so it names the turn even when the participants repeat."""

    start: datetime
    end: datetime
    person: str
    index: int


@dataclass(frozen=True)
class Rotation:
    """Participants taking turns of `shift_length` `shift_unit`s, handing over at `handoff`
    local time in `zone`, the first turn starting on `start` (a local date)."""

    participants: tuple[str, ...]
    shift_length: int
    shift_unit: ShiftUnit
    handoff: time
    zone: ZoneInfo
    start: date

    def __post_init__(self) -> None:
        if not self.participants:
            raise Invalid("rotation has no participants", field="participants")
        for person in self.participants:
            if not isinstance(person, str) or not person.strip():
                raise Invalid(
                    f"rotation participants must be names (got {person!r})", field="participants"
                )
        if isinstance(self.shift_length, bool) or not isinstance(self.shift_length, int):
            raise Invalid(
                f"shift_length must be a whole number (got {self.shift_length!r})",
                field="shift_length",
            )
        if self.shift_length < 1:
            raise Invalid(
                f"shift_length must be at least 1 (got {self.shift_length})", field="shift_length"
            )
        if self.shift_unit not in get_args(ShiftUnit):
            raise Invalid(
                f"unknown shift unit {self.shift_unit!r} (use hours, days or weeks)",
                field="shift_unit",
            )
        if not isinstance(self.handoff, time) or self.handoff.tzinfo is not None:
            raise Invalid(
                "handoff must be a local time of day without a zone (the zone is `zone`)",
                field="handoff",
            )
        if not isinstance(self.zone, ZoneInfo):
            raise Invalid("zone must be a ZoneInfo (see wallclock.zone_of)", field="zone")
        if isinstance(self.start, datetime) or not isinstance(self.start, date):
            raise Invalid("start must be a local date (the time is `handoff`)", field="start")

    @property
    def length(self) -> timedelta:
        """One shift on the wall clock (not in real time: see the module docstring)."""
        return timedelta(**{self.shift_unit: self.shift_length})

    @property
    def origin(self) -> datetime:
        """The wall time of the first handoff (naive)."""
        return datetime.combine(self.start, self.handoff)

    def shift_start(self, index: int) -> datetime:
        """The instant (UTC) at which shift `index` begins, and so shift `index - 1` ends."""
        return resolve(self.origin + index * self.length, self.zone)

    @property
    def first_start(self) -> datetime:
        """When the rotation begins; nobody is on call in it before."""
        return self.shift_start(0)

    def shift_at(self, instant: datetime) -> Shift | None:
        """The shift holding `instant`, or None before the rotation begins.

        O(1): the wall time at `instant` tells the shift up to the few boundaries sharing wall
        times with it in a fall-back fold. Resolution never moves a wall time later than an
        instant showing it, so the estimate never overshoots and is only ever corrected forward,
        past boundaries whose first occurrence is already behind (and past empty shifts).
        """
        instant = as_utc(instant, "instant")
        if instant < self.first_start:
            return None
        index = max(0, (wall_time(instant, self.zone) - self.origin) // self.length)
        end = self.shift_start(index + 1)
        while end <= instant:
            index, end = index + 1, self.shift_start(index + 2)
        return self._shift(index, self.shift_start(index), end)

    def shifts(self, start: datetime, end: datetime) -> list[Shift]:
        """The shifts overlapping `[start, end)`, whole (the first may begin before `start`, the
        last end after `end`), in order, empty shifts left out."""
        start, end = as_utc(start, "start"), as_utc(end, "end")
        if end <= start:
            return []
        first = self.shift_at(start)
        index = 0 if first is None else first.index
        lower = self.shift_start(index)
        found: list[Shift] = []
        while lower < end:
            upper = self.shift_start(index + 1)
            if lower < upper:
                found.append(self._shift(index, lower, upper))
            index, lower = index + 1, upper
        return found

    def _shift(self, index: int, start: datetime, end: datetime) -> Shift:
        person = self.participants[index % len(self.participants)]
        return Shift(start=start, end=end, person=person, index=index)
