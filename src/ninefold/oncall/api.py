"""REST endpoints for schedules, their overrides and their calendar feeds."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from ninefold.http import CurrentUser, Limit, Now, Offset, RowId, SessionDep, SettingsDep
from ninefold.instants import check_range, parse_instant
from ninefold.oncall import browse, calendars, overrides, times
from ninefold.oncall.schemas import (
    CalendarTokenOut,
    OverrideIn,
    OverrideOut,
    ScheduleDetail,
    ScheduleSummary,
)
from ninefold.pagination import Page

router = APIRouter(tags=["oncall"])

From = Annotated[
    str | None,
    Query(
        alias="from",
        description="ISO 8601 with a zone (2026-11-23T09:00:00Z; encode + as %2B), or now. "
        "Default: now.",
    ),
]
To = Annotated[str | None, Query(alias="to", description="ISO 8601 with a zone, or now.")]
ICS = "text/calendar; charset=utf-8"
ICS_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {}}, "description": "An iCalendar feed."}
}


@router.get("/schedules", summary="List schedules and who is on call now")
def list_schedules(
    session: SessionDep, now: Now, _me: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> Page[ScheduleSummary]:
    return browse.summaries(session, now, limit=limit, offset=offset)


@router.get("/schedules/{name}", summary="A schedule, who is on call now, its shifts and gaps")
def get_schedule(
    name: str, session: SessionDep, now: Now, _me: CurrentUser, start: From = None, end: To = None
) -> ScheduleDetail:
    """Shifts from `from` (default now) to `to` (default 14 days later), at most 93 days."""
    return browse.detail(session, name, times.resolve_range(start, end, now), now)


@router.get("/schedules/{name}/overrides", summary="List a schedule's overrides")
def list_overrides(
    name: str,
    session: SessionDep,
    now: Now,
    _me: CurrentUser,
    start: From = None,
    end: To = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[OverrideOut]:
    """Those ending after `from` (default now) and, given `to`, starting before it."""
    first = now if start is None else parse_instant(start, "from", now)
    last = None if end is None else parse_instant(end, "to", now)
    if last is not None:
        check_range(first, last)
    return browse.overrides(session, name, first, last, limit=limit, offset=offset)


@router.post(
    "/schedules/{name}/overrides",
    status_code=status.HTTP_201_CREATED,
    summary="Override a schedule: add, remove or replace someone for a while",
)
def create_override(
    name: str, body: OverrideIn, session: SessionDep, now: Now, me: CurrentUser
) -> OverrideOut:
    return overrides.create(session, me, name, body, now)


@router.delete(
    "/schedules/{name}/overrides/{override_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete an override",
)
def delete_override(
    name: str, override_id: RowId, session: SessionDep, now: Now, me: CurrentUser
) -> Response:
    overrides.delete(session, me, name, override_id, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/users/me/calendar-token",
    summary="Make your calendar feed URLs (again: the old ones stop working)",
)
def create_calendar_token(
    session: SessionDep, now: Now, me: CurrentUser, settings: SettingsDep
) -> CalendarTokenOut:
    return calendars.new_token(session, me, settings.resolved_public_url(), now)


@router.get(
    "/calendars/{token}/me.ics",
    summary="iCalendar feed of the token owner's shifts (the token is the login)",
    response_class=Response,
    responses=ICS_RESPONSE,
)
def my_calendar(token: str, session: SessionDep, now: Now) -> Response:
    return Response(calendars.person_feed(session, token, now), media_type=ICS)


@router.get(
    "/calendars/{token}/schedules/{name}.ics",
    summary="iCalendar feed of every shift of a schedule (the token is the login)",
    response_class=Response,
    responses=ICS_RESPONSE,
)
def schedule_calendar(token: str, name: str, session: SessionDep, now: Now) -> Response:
    return Response(calendars.schedule_feed(session, token, name, now), media_type=ICS)
