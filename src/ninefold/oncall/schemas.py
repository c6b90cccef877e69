"""The schedule API's bodies and answers (the schedule spec itself is in `specs.py`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field

from ninefold.oncall.schedule import OverrideKind
from ninefold.oncall.specs import ScheduleSpec
from ninefold.spec import Name, Spec


class SegmentOut(BaseModel):
    """A stretch during which the same people are on call; no people is a gap."""

    start: datetime
    end: datetime
    people: list[str]


class ScheduleSummary(BaseModel):
    name: str
    team: str | None
    time_zone: str
    description: str
    on_call_now: list[str] = Field(description="Empty when nobody is: a coverage gap.")


class OverrideIn(Spec):
    """A correction of the schedule over `[start, end)`."""

    kind: OverrideKind = Field(
        description="add puts `person` on call, remove takes them off, replace swaps "
        "`replaces` for `person` wherever `replaces` is on call."
    )
    start: AwareDatetime = Field(description="With a time zone: 2026-11-23T09:00:00Z.")
    end: AwareDatetime = Field(description="With a time zone; after `start`.")
    person: Name = Field(description="User name.")
    replaces: Name | None = Field(default=None, description="User name; replace only.")
    reason: str = Field(default="", max_length=2000)


class OverrideOut(BaseModel):
    id: int
    schedule: str
    kind: str
    start: datetime
    end: datetime
    person: str
    replaces: str | None
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
