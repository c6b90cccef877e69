"""Reading schedules for the API and the CLI: who is on call, the shifts of a range, overrides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.oncall import service
from ninefold.oncall.schedule import OnCall, Schedule, shadow_shifts
from ninefold.oncall.schemas import (
    OverrideOut,
    ScheduleDetail,
    ScheduleSummary,
    SegmentOut,
    shadows_out,
)
from ninefold.oncall.tables import Schedule as ScheduleRow
from ninefold.oncall.tables import ScheduleOverride
from ninefold.pagination import MAX_LIMIT, Page, every, paged

# The shortest range there is: overrides touching [now, now + INSTANT) are those covering now.
INSTANT = timedelta(microseconds=1)
END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)


def model_around(
    session: Session, row: ScheduleRow, window: tuple[datetime, datetime], now: datetime
) -> Schedule:
    """The schedule with the overrides touching `window` or `now`."""
    start, end = window
    return service.model(session, row, min(start, now), max(end, now + INSTANT))


def who(session: Session, name: str, at: datetime) -> OnCall:
    row = service.get_row(session, name)
    return service.model(session, row, at, at + INSTANT).on_call(at)


def summaries(
    session: Session, now: datetime, *, limit: int = 50, offset: int = 0
) -> Page[ScheduleSummary]:
    """Schedules by name, each with who is on call at `now`."""

    def summary(row: ScheduleRow) -> ScheduleSummary:
        on_call = service.model(session, row, now, now + INSTANT).on_call(now)
        return service.summary(service.spec_of(row), on_call)

    query = select(ScheduleRow).order_by(ScheduleRow.name)
    return paged(session, query, summary, limit=limit, offset=offset)


def all_summaries(session: Session, now: datetime) -> list[ScheduleSummary]:
    return every(lambda offset: summaries(session, now, limit=MAX_LIMIT, offset=offset))


def detail(
    session: Session, name: str, window: tuple[datetime, datetime], now: datetime
) -> ScheduleDetail:
    row = service.get_row(session, name)
    start, end = window
    shown = [
        service.override_out(o, row.name)
        for o in service.overrides_between(session, row, start, end)
    ]
    return service.detail(
        service.spec_of(row),
        model_around(session, row, window, now),
        row.managed_by,
        window,
        now,
        shown,
    )


def overrides(
    session: Session,
    name: str,
    start: datetime,
    end: datetime | None = None,
    *,
    limit: int = 50,
    offset: int = 0,
) -> Page[OverrideOut]:
    """The overrides of schedule `name` touching `[start, end)`, by start; no end: all later."""
    row = service.get_row(session, name)
    query = (
        select(ScheduleOverride)
        .where(
            ScheduleOverride.schedule_id == row.id,
            ScheduleOverride.ends_at > start,
            ScheduleOverride.starts_at < (end or END_OF_TIME),
        )
        .order_by(ScheduleOverride.starts_at, ScheduleOverride.id)
    )
    return paged(
        session, query, lambda o: service.override_out(o, row.name), limit=limit, offset=offset
    )


def shifts_of(
    session: Session, person: str, start: datetime, end: datetime
) -> list[tuple[str, SegmentOut]]:
    """`person`'s shifts in `[start, end)` across every schedule, by start: their own turns
    (holding them alone) and the stretches they shadow someone (holding only that pairing)."""
    found = []
    for row in service.all_rows(session):
        model = service.model(session, row, start, end)
        segments = model.shifts(start, end)
        found += [(row.name, service.segment_out(s)) for s in model.shifts_of(person, start, end)]
        found += [
            (row.name, SegmentOut(start=s.start, end=s.end, people=[], shadows=shadows_out([p])))
            for s in shadow_shifts(segments, person)
            for p in [(s.shadow, s.of)]
        ]
    return sorted(found, key=lambda pair: (pair[1].start, pair[0]))
