"""The schedule API's answers, built from specs and the pure model: no database, no clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import quote

from ninefold.conventions import API_PREFIX
from ninefold.oncall.schedule import Schedule, Segment
from ninefold.oncall.schemas import (
    CalendarUrls,
    OverrideOut,
    ScheduleDetail,
    ScheduleSummary,
    SegmentOut,
)
from ninefold.oncall.specs import ScheduleSpec
from ninefold.oncall.tables import ScheduleOverride


def segment_out(segment: Segment) -> SegmentOut:
    return SegmentOut(start=segment.start, end=segment.end, people=list(segment.people))


def summary(spec: ScheduleSpec, on_call_now: Iterable[str]) -> ScheduleSummary:
    return ScheduleSummary(
        name=spec.name,
        team=spec.team,
        time_zone=spec.time_zone,
        description=spec.description,
        on_call_now=list(on_call_now),
    )


def override_out(row: ScheduleOverride, schedule: str) -> OverrideOut:
    return OverrideOut(
        id=row.id,
        schedule=schedule,
        kind=row.kind,
        start=row.starts_at,
        end=row.ends_at,
        person=row.person,
        replaces=row.replaces,
        reason=row.reason,
        created_by=row.created_by,
        created_at=row.created_at,
    )


def detail(
    spec: ScheduleSpec,
    schedule: Schedule,
    managed_by: str,
    window: tuple[datetime, datetime],
    now: datetime,
    overrides: Iterable[OverrideOut],
) -> ScheduleDetail:
    """`schedule` must hold the overrides touching `window` and `now`."""
    start, end = window
    shifts = [segment_out(s) for s in schedule.shifts(start, end)]
    return ScheduleDetail(
        **summary(spec, schedule.who(now)).model_dump(),
        managed_by=managed_by,
        spec=spec,
        start=start,
        end=end,
        shifts=shifts,
        gaps=[s for s in shifts if not s.people],
        overrides=list(overrides),
    )


def calendar_urls(base_url: str, token: str, schedules: Iterable[str]) -> CalendarUrls:
    """The feed URLs of a calendar token: the token is in the path, calendar apps can't log in."""
    root = f"{base_url.rstrip('/')}{API_PREFIX}/calendars/{token}"
    return CalendarUrls(
        me=f"{root}/me.ics",
        schedules={name: f"{root}/schedules/{quote(name, safe='')}.ics" for name in schedules},
    )
