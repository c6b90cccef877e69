"""REST endpoints: runbooks as applied from the files, their tests, and coverage."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from ninefold.http import CurrentUser, Limit, Now, Offset, SessionDep
from ninefold.pagination import Page, page_of
from ninefold.runbooks import coverage, service
from ninefold.runbooks.schemas import CoverageOut, RunbookDetail, RunbookOut, TestIn, TestOut

router = APIRouter(tags=["runbooks"])


@router.get("/runbooks", summary="List runbooks with their freshness")
def list_runbooks(
    session: SessionDep,
    _me: CurrentUser,
    now: Now,
    service_name: Annotated[str | None, Query(alias="service")] = None,
    stale: Annotated[
        bool | None, Query(description="Only the stale (true) or fresh (false).")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[RunbookOut]:
    found = service.list_runbooks(session, now, service_name, stale)
    return page_of(found, limit=limit, offset=offset)


@router.get(
    "/runbooks/coverage",
    summary="Coverage of the alert rules that paged, and those without a runbook, worst first",
)
def runbook_coverage(
    session: SessionDep,
    _me: CurrentUser,
    now: Now,
    days: Annotated[int, Query(ge=1, le=730, description="The window, ending now.")] = 90,
) -> CoverageOut:
    return coverage.coverage(session, now, days)


@router.get("/runbooks/{name}", summary="A runbook: its text and its tests")
def get_runbook(name: str, session: SessionDep, _me: CurrentUser, now: Now) -> RunbookDetail:
    return service.get_runbook(session, name, now)


@router.post(
    "/runbooks/{name}/tests",
    status_code=status.HTTP_201_CREATED,
    summary="Record a test of a runbook (responders and admins)",
)
def record_test(name: str, body: TestIn, session: SessionDep, me: CurrentUser, now: Now) -> TestOut:
    return service.record_test(session, me, name, now, "api", body.note)
