"""Schedules as written in the configuration and the API, and their conversion to the model.

A spec is the user's words (weekday names, "09:00", a zone per layer or one for the whole
schedule); `to_schedule` turns it into the pure model in `schedule.py`, which answers who is on
call. Invalid specs fail here, field by field, before anything reaches the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, model_validator

from ninefold.oncall.rotations import Rotation
from ninefold.oncall.schedule import (
    Layer,
    Override,
    OverrideKind,
    Restriction,
    Schedule,
    Shadow,
)
from ninefold.spec import Instant, LocalTime, Name, Spec, TimeZone

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class RestrictionSpec(Spec):
    """On call only from `start` to `end` (local time in the layer's zone) on `days`."""

    days: list[Weekday] = Field(
        default_factory=lambda: list(WEEKDAYS),
        min_length=1,
        description="Days the window opens on: mon ... sun. An overnight window belongs to the "
        "day it opens.",
    )
    start: LocalTime = Field(description="Local time the window opens, e.g. 09:00.")
    end: LocalTime = Field(
        description="Local time it closes; at or before `start` it runs overnight, equal to "
        "`start` it lasts a whole day."
    )

    def to_restriction(self) -> Restriction:
        days = tuple(sorted({WEEKDAYS.index(day) for day in self.days}))
        return Restriction(days, self.start, self.end)


class ShadowSpec(Spec):
    """Someone learning on-call: paged with each turn they shadow, marked as shadow; the
    escalation never waits on them."""

    person: Name = Field(description="User name of the shadow.")
    of: Name | None = Field(
        default=None,
        description="The participant whose turns they shadow; none: every turn of the layer "
        "(but their own).",
    )


class LayerSpec(Spec):
    """A rotation: participants take turns of `shift_length` `shift_unit`s."""

    name: Name = Field(description="Unique within the schedule.")
    participants: list[Name] = Field(
        min_length=1, description="User names in turn order; a name may appear twice."
    )
    shift_length: int = Field(default=1, ge=1, le=1000, description="Length of one turn.")
    shift_unit: Literal["hours", "days", "weeks"] = Field(
        default="weeks", description="hours, days or weeks."
    )
    handoff: LocalTime = Field(
        default=time(9, 0), description="Local time turns change, e.g. 09:00."
    )
    start: date = Field(description="Local date the first participant's first turn starts.")
    time_zone: TimeZone | None = Field(
        default=None, description="IANA zone of the handoff and restrictions; the schedule's."
    )
    restrictions: list[RestrictionSpec] = Field(
        default_factory=list,
        description="Windows the layer is on call in; none means around the clock.",
    )
    shadows: list[ShadowSpec] = Field(
        default_factory=list,
        description="People shadowing the layer's turns: paged with the person on call, "
        "marked as shadow, never waited on.",
    )

    @model_validator(mode="after")
    def _shadows_follow_participants(self) -> LayerSpec:
        seen: set[tuple[str, str | None]] = set()
        for i, shadow in enumerate(self.shadows):
            where = f"shadows[{i}]"
            if shadow.of is not None and shadow.of not in self.participants:
                raise ValueError(
                    f"{where}.of: {shadow.of!r} is not a participant of layer {self.name!r}"
                )
            if shadow.of == shadow.person:
                raise ValueError(f"{where}: {shadow.person!r} cannot shadow themselves")
            if (shadow.person, shadow.of) in seen:
                raise ValueError(f"{where}: {shadow.person!r} is written twice for the same turns")
            seen.add((shadow.person, shadow.of))
        return self


class ScheduleSpec(Spec):
    """Who is on call: layers (the last is the highest) and, through the API, overrides."""

    name: Name = Field(description="Unique schedule name.")
    description: str = Field(default="", max_length=2000, description="Free text.")
    team: Name | None = Field(default=None, description="Team that owns the schedule.")
    time_zone: TimeZone = Field(default="UTC", description="Zone of layers that name none.")
    layers: list[LayerSpec] = Field(min_length=1, description="Lowest first.")

    @model_validator(mode="after")
    def _layer_names_unique(self) -> ScheduleSpec:
        names = [layer.name for layer in self.layers]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"two layers are named {name!r}")
        return self

    def participants(self) -> list[str]:
        return sorted({person for layer in self.layers for person in layer.participants})

    def to_schedule(self, overrides: Iterable[Override] = ()) -> Schedule:
        layers = tuple(
            Layer(
                name=layer.name,
                rotation=Rotation(
                    participants=tuple(layer.participants),
                    shift_length=layer.shift_length,
                    shift_unit=layer.shift_unit,
                    handoff=layer.handoff,
                    zone=ZoneInfo(layer.time_zone or self.time_zone),
                    start=layer.start,
                ),
                restrictions=tuple(r.to_restriction() for r in layer.restrictions),
                shadows=tuple(Shadow(s.person, s.of) for s in layer.shadows),
            )
            for layer in self.layers
        )
        return Schedule(self.name, layers, tuple(overrides))


class ShadowOut(BaseModel):
    """`person` shadows `of`: paged with them, marked as shadow."""

    person: str
    of: str


def shadows_out(pairs: Iterable[tuple[str, str]]) -> list[ShadowOut]:
    return [ShadowOut(person=shadow, of=primary) for shadow, primary in pairs]


class SegmentOut(BaseModel):
    """A stretch during which the same people are on call; no people is a gap."""

    start: datetime
    end: datetime
    people: list[str]
    shadows: list[ShadowOut] = Field(
        default_factory=list, description="Who shadows whom; shadows are not on call."
    )


class ScheduleSummary(BaseModel):
    name: str
    team: str | None
    time_zone: str
    description: str
    on_call_now: list[str] = Field(description="Empty when nobody is: a coverage gap.")
    shadows_now: list[ShadowOut] = Field(
        default_factory=list, description="Who shadows whom now (not on call themselves)."
    )


class OverrideIn(Spec):
    """A correction of the schedule over `[start, end)`."""

    kind: OverrideKind = Field(
        description="add puts `person` on call, remove takes them off, replace swaps "
        "`replaces` for `person` wherever `replaces` is on call, shadow has `shadow` shadow "
        "`person` wherever `person` is on call."
    )
    start: Instant = Field(description="With a time zone: 2026-11-23T09:00:00Z.")
    end: Instant = Field(description="With a time zone; after `start`.")
    person: Name = Field(description="User name.")
    replaces: Name | None = Field(default=None, description="User name; replace only.")
    shadow: Name | None = Field(
        default=None,
        description="User name of someone learning on-call, paged with `person` and marked "
        "as shadow; required by shadow, refused by remove.",
    )
    reason: str = Field(default="", max_length=2000)


class OverrideOut(BaseModel):
    id: int
    schedule: str
    kind: str
    start: datetime
    end: datetime
    person: str
    replaces: str | None
    shadow: str | None
    reason: str
    created_by: str
    created_at: datetime


class ScheduleDetail(ScheduleSummary):
    managed_by: str
    spec: ScheduleSpec
    start: datetime = Field(description="Start of the range the shifts cover.")
    end: datetime = Field(description="End of the range.")
    shifts: list[SegmentOut] = Field(description="Tile the range exactly, gaps included.")
    gaps: list[SegmentOut] = Field(description="The shifts with nobody on call.")
    overrides: list[OverrideOut] = Field(description="Overrides touching the range.")


class CalendarUrls(BaseModel):
    me: str = Field(description="Your own shifts across every schedule.")
    schedules: dict[str, str] = Field(description="Every shift of each schedule, by name.")


class CalendarTokenOut(BaseModel):
    token: str = Field(description="Shown once; creating a new one stops the old URLs.")
    urls: CalendarUrls
