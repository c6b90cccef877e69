"""REST endpoints for silences and maintenance windows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from ninefold.http import CurrentUser, Limit, Now, Offset, RowId, SessionDep
from ninefold.pagination import Page
from ninefold.paging.schemas import MaintenanceIn, MaintenanceOut, SilenceIn, SilenceOut
from ninefold.paging.silences import service as silences

router = APIRouter(tags=["alerts"])

State = Annotated[
    str | None,
    Query(description="pending, active or expired; default: pending and active."),
]


@router.get("/silences", summary="List silences")
def list_silences(
    session: SessionDep,
    now: Now,
    _me: CurrentUser,
    state: State = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[SilenceOut]:
    return silences.list_silences(session, now, state, limit=limit, offset=offset)


@router.post("/silences", status_code=status.HTTP_201_CREATED, summary="Silence matching alerts")
def create_silence(body: SilenceIn, session: SessionDep, now: Now, me: CurrentUser) -> SilenceOut:
    return silences.create_silence(session, me, body, now)


@router.delete("/silences/{silence_id}", summary="End a silence now (the record stays)")
def end_silence(silence_id: RowId, session: SessionDep, now: Now, me: CurrentUser) -> SilenceOut:
    return silences.end_silence(session, me, silence_id, now)


@router.get("/maintenance-windows", summary="List maintenance windows")
def list_windows(
    session: SessionDep,
    now: Now,
    _me: CurrentUser,
    state: State = None,
    service: Annotated[str | None, Query(description="Service name.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[MaintenanceOut]:
    return silences.list_windows(session, now, state, service, limit=limit, offset=offset)


@router.post(
    "/maintenance-windows",
    status_code=status.HTTP_201_CREATED,
    summary="Plan maintenance of a service",
)
def create_window(
    body: MaintenanceIn, session: SessionDep, now: Now, me: CurrentUser
) -> MaintenanceOut:
    return silences.create_window(session, me, body, now)


@router.delete(
    "/maintenance-windows/{window_id}", summary="End or cancel a maintenance window (kept)"
)
def end_window(window_id: RowId, session: SessionDep, now: Now, me: CurrentUser) -> MaintenanceOut:
    return silences.end_window(session, me, window_id, now)
