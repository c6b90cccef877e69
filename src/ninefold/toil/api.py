"""REST endpoints: log toil, list it, the toil report; automations and their runs."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from ninefold.http import CurrentUser, Limit, Now, Offset, SessionDep
from ninefold.pagination import Page, page_of
from ninefold.toil import model, service
from ninefold.toil.schemas import AutomationSpec, RunIn, RunOut, ToilIn, ToilOut, ToilReport

router = APIRouter(tags=["toil"])
DayQuery = Annotated[date | None, Query(description="YYYY-MM-DD.")]


def _days(now_day: date, start: date | None, end: date | None) -> tuple[date, date]:
    """[start, end): default the calendar quarter holding today."""
    quarter = model.quarter_of(now_day)
    return start or quarter[0], end or quarter[1]


@router.post("/toil", status_code=status.HTTP_201_CREATED, summary="Log toil")
def log_toil(body: ToilIn, session: SessionDep, now: Now, me: CurrentUser) -> ToilOut:
    return service.log(session, me, body, now)


@router.get("/toil", summary="List toil, newest first (default: this quarter)")
def list_toil(
    session: SessionDep,
    _me: CurrentUser,
    now: Now,
    start: Annotated[date | None, Query(alias="from", description="First day.")] = None,
    end: Annotated[date | None, Query(alias="to", description="Day after the last.")] = None,
    team: str | None = None,
    person: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ToilOut]:
    first, last = _days(now.date(), start, end)
    found = service.entries(session, first, last, team, person)
    return page_of(found, limit=limit, offset=offset)


@router.get("/toil/report", summary="Toil ratio per team, top categories, hours saved")
def toil_report(
    session: SessionDep,
    _me: CurrentUser,
    now: Now,
    start: Annotated[date | None, Query(alias="from", description="First day.")] = None,
    end: Annotated[date | None, Query(alias="to", description="Day after the last.")] = None,
    team: str | None = None,
    hours_per_week: Annotated[float, Query(gt=0, le=168)] = model.HOURS_PER_WEEK,
) -> ToilReport:
    first, last = _days(now.date(), start, end)
    return service.report(session, first, last, team, hours_per_week)


@router.get("/automations", summary="List automations")
def list_automations(
    session: SessionDep, _me: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> Page[AutomationSpec]:
    found = [service.automation_spec(row) for row in service.automation_rows(session)]
    return page_of(found, limit=limit, offset=offset)


@router.post(
    "/automations/{name}/runs",
    status_code=status.HTTP_201_CREATED,
    summary="Record a run of an automation (201), or find it recorded by its external id (200)",
    responses={200: {"model": RunOut, "description": "Recorded before; nothing new."}},
)
def record_run(
    name: str, body: RunIn, response: Response, session: SessionDep, now: Now, me: CurrentUser
) -> RunOut:
    found = service.record_run(session, me, name, now, body.external_id)
    if not found.created:
        response.status_code = status.HTTP_200_OK
    return found
