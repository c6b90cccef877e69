"""REST endpoints: record DR tests and their follow-ups, list them, the DR report."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, status

from ninefold.dr import service
from ninefold.dr.schemas import DrReport, DrTestIn, DrTestOut
from ninefold.http import CurrentUser, Limit, Now, Offset, RowId, SessionDep
from ninefold.incidents.schemas import ActionItemIn, ActionItemOut
from ninefold.pagination import Page

router = APIRouter(tags=["dr"])
From = Annotated[date | None, Query(alias="from", description="First day (YYYY-MM-DD).")]
To = Annotated[date | None, Query(alias="to", description="Day after the last.")]
YEAR = timedelta(days=365)


@router.post("/dr-tests", status_code=status.HTTP_201_CREATED, summary="Record a DR test")
def record_test(body: DrTestIn, session: SessionDep, now: Now, me: CurrentUser) -> DrTestOut:
    return service.record(session, me, body, now)


@router.get("/dr-tests", summary="List DR tests, newest first")
def list_tests(
    session: SessionDep,
    _me: CurrentUser,
    now: Now,
    start: From = None,
    end: To = None,
    service_name: Annotated[str | None, Query(alias="service")] = None,
    tier: Annotated[int | None, Query(ge=0, le=3)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[DrTestOut]:
    rows = service.recorded(session, start, end, service_name, tier)
    items = [service.out(session, r, now.date()) for r in rows[offset : offset + limit]]
    return Page[DrTestOut](items=items, total=len(rows), limit=limit, offset=offset)


@router.get("/dr-tests/{test_id}", summary="A DR test")
def get_test(test_id: RowId, session: SessionDep, _me: CurrentUser, now: Now) -> DrTestOut:
    return service.out(session, service.get_row(session, test_id), now.date())


@router.post(
    "/dr-tests/{test_id}/action-items",
    status_code=status.HTTP_201_CREATED,
    summary="Add a follow-up action item to a DR test",
)
def add_follow_up(
    test_id: RowId, body: ActionItemIn, session: SessionDep, now: Now, me: CurrentUser
) -> ActionItemOut:
    test = service.get_row(session, test_id)
    return service.add_follow_up(session, me, test, body, now)


@router.get("/dr/report", summary="DR readiness per tier and each service's standing")
def dr_report(
    session: SessionDep, _me: CurrentUser, now: Now, start: From = None, end: To = None
) -> DrReport:
    """The period defaults to the year up to today (its end exclusive: tomorrow)."""
    last = end or now.date() + timedelta(days=1)
    return service.report(session, start or last - YEAR, last, now.date())
