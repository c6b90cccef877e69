"""Schedules in the database: written from specs, read back as the pure model with overrides.

Override writes take turns per schedule (see `Schedule.override_version`), so two people
saving clashing overrides at the same moment cannot both succeed: the second sees the first
and gets a conflict.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ninefold.conventions import API_PREFIX
from ninefold.errors import Conflict, NotFound
from ninefold.oncall.schedule import OnCall, Override, Schedule, Segment
from ninefold.oncall.schemas import (
    CalendarUrls,
    LayerSpec,
    OverrideOut,
    ScheduleDetail,
    ScheduleSpec,
    ScheduleSummary,
    SegmentOut,
    shadows_out,
)
from ninefold.oncall.tables import Schedule as ScheduleRow
from ninefold.oncall.tables import ScheduleOverride


def all_rows(session: Session) -> list[ScheduleRow]:
    return list(session.scalars(select(ScheduleRow).order_by(ScheduleRow.name)))


def find_row(session: Session, name: str) -> ScheduleRow | None:
    return session.scalar(select(ScheduleRow).where(ScheduleRow.name == name))


def get_row(session: Session, name: str) -> ScheduleRow:
    row = find_row(session, name)
    if row is None:
        raise NotFound(f"no schedule named {name!r}", field="schedule")
    return row


def spec_of(row: ScheduleRow) -> ScheduleSpec:
    return ScheduleSpec(
        name=row.name,
        description=row.description,
        team=row.team,
        time_zone=row.time_zone,
        layers=[LayerSpec.model_validate(layer) for layer in row.layers],
    )


def write(
    session: Session,
    spec: ScheduleSpec,
    managed_by: str,
    now: datetime,
    row: ScheduleRow | None = None,
) -> ScheduleRow:
    """Create or update; the overrides made on the schedule stay."""
    if row is None:
        row = ScheduleRow(name=spec.name)
        session.add(row)
    row.description = spec.description
    row.team = spec.team
    row.time_zone = spec.time_zone
    row.layers = [layer.model_dump(mode="json") for layer in spec.layers]
    row.managed_by = managed_by
    row.touch(now)
    session.flush()
    return row


def overrides_between(
    session: Session, row: ScheduleRow, start: datetime, end: datetime
) -> list[ScheduleOverride]:
    return list(
        session.scalars(
            select(ScheduleOverride)
            .where(
                ScheduleOverride.schedule_id == row.id,
                ScheduleOverride.starts_at < end,
                ScheduleOverride.ends_at > start,
            )
            .order_by(ScheduleOverride.created_at, ScheduleOverride.id)
        )
    )


def model(session: Session, row: ScheduleRow, start: datetime, end: datetime) -> Schedule:
    """The schedule with the overrides touching `[start, end)`, oldest first (so the newest
    applies last)."""
    overrides = [to_override(o) for o in overrides_between(session, row, start, end)]
    return spec_of(row).to_schedule(overrides)


def to_override(row: ScheduleOverride) -> Override:
    return Override(row.kind, row.starts_at, row.ends_at, row.person, row.replaces, row.shadow)  # type: ignore[arg-type]


def people_of(override: Override) -> set[str]:
    """Whom an override concerns. A shadow override concerns its shadow only: pairing a
    shadow with someone leaves that person's turn free to be swapped."""
    if override.kind == "shadow":
        named = [override.shadow]
    else:
        named = [override.person, override.replaces, override.shadow]
    return {name for name in named if name is not None}


def add_override(
    session: Session, row: ScheduleRow, override: Override, actor: str, now: datetime, reason: str
) -> ScheduleOverride:
    """Store an override unless it clashes with one already stored: overlapping in time and
    concerning the same person (two people taking over the same shift, removing someone
    another override puts on, or shadowing two turns at once). Overrides for different
    people may overlap freely."""
    session.execute(
        update(ScheduleRow)
        .where(ScheduleRow.id == row.id)
        .values(override_version=ScheduleRow.override_version + 1)
    )
    for existing in overrides_between(session, row, override.start, override.end):
        if people_of(to_override(existing)) & people_of(override):
            raise Conflict(
                f"override clashes with override {existing.id} ({existing.kind} "
                f"{existing.person} from {existing.starts_at.isoformat()} to "
                f"{existing.ends_at.isoformat()}); delete that one first",
                field="start",
            )
    stored = ScheduleOverride(
        schedule_id=row.id,
        kind=override.kind,
        starts_at=override.start,
        ends_at=override.end,
        person=override.person,
        replaces=override.replaces,
        shadow=override.shadow,
        reason=reason,
        created_by=actor,
        created_at=now,
    )
    session.add(stored)
    session.flush()
    return stored


# --- API answers -----------------------------------------------------------------------


def segment_out(segment: Segment) -> SegmentOut:
    return SegmentOut(
        start=segment.start,
        end=segment.end,
        people=list(segment.people),
        shadows=shadows_out(segment.shadows),
    )


def summary(spec: ScheduleSpec, now: OnCall) -> ScheduleSummary:
    return ScheduleSummary(
        name=spec.name,
        team=spec.team,
        time_zone=spec.time_zone,
        description=spec.description,
        on_call_now=list(now.people),
        shadows_now=shadows_out(now.shadows),
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
        shadow=row.shadow,
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
        **summary(spec, schedule.on_call(now)).model_dump(),
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
