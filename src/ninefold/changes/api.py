"""REST endpoints: record changes from CI, read them, and the DORA table."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from ninefold.changes import dora, dora_report, hooks, service
from ninefold.changes.dora_report import GroupBy, Selection
from ninefold.changes.schemas import (
    ChangeIn,
    ChangeIntegrationOut,
    ChangeOut,
    DoraReport,
    RecordResult,
)
from ninefold.http import (
    CurrentUser,
    Limit,
    Now,
    Offset,
    PeriodEnd,
    PeriodStart,
    RowId,
    SessionDep,
    SettingsDep,
    TeamQuery,
    TierQuery,
)
from ninefold.instants import parse_instant, period_of
from ninefold.pagination import Page

router = APIRouter(tags=["changes"])
DEFAULT_PERIOD = timedelta(days=30)
PeriodBound = Annotated[
    str | None,
    Query(description="ISO 8601 with a zone, a date (midnight UTC), or now."),
]


@router.post(
    "/changes",
    status_code=status.HTTP_201_CREATED,
    summary="Record a change (201), or find it recorded already by its external id (200)",
    responses={200: {"model": RecordResult, "description": "Recorded before; nothing new."}},
)
def record_change(
    body: ChangeIn, response: Response, session: SessionDep, me: CurrentUser, now: Now
) -> RecordResult:
    result = service.record(session, me, body, now)
    if not result.created:
        response.status_code = status.HTTP_200_OK
    return result


@router.get("/changes", summary="List changes, newest first")
def list_changes(
    session: SessionDep,
    now: Now,
    _me: CurrentUser,
    service_name: Annotated[
        str | None, Query(alias="service", description="Changes of this service only.")
    ] = None,
    since: PeriodBound = None,
    until: PeriodBound = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ChangeOut]:
    """Those finished in [since, until)."""
    return service.list_page(
        session,
        services=None if service_name is None else [service_name],
        since=None if since is None else parse_instant(since, "since", now),
        until=None if until is None else parse_instant(until, "until", now),
        limit=limit,
        offset=offset,
    )


@router.get("/changes/{change_id}", summary="Get a change with its commits")
def get_change(change_id: RowId, session: SessionDep, _me: CurrentUser) -> ChangeOut:
    return service.get(session, change_id)


@router.get("/change-integrations", summary="List change webhooks with their URLs")
def list_change_integrations(
    session: SessionDep,
    settings: SettingsDep,
    me: CurrentUser,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ChangeIntegrationOut]:
    return hooks.list_page(session, me, settings.resolved_public_url(), limit=limit, offset=offset)


@router.get("/dora", summary="The DORA figures of a period, against the period before it")
def get_dora(
    session: SessionDep,
    now: Now,
    _me: CurrentUser,
    start: PeriodStart = None,
    end: PeriodEnd = None,
    team: TeamQuery = None,
    service_name: Annotated[
        str | None, Query(alias="service", description="This service only.")
    ] = None,
    tier: TierQuery = None,
    group_by: Annotated[
        GroupBy, Query(description="One row for all, or a row per service, team or tier.")
    ] = "all",
) -> DoraReport:
    first, last = period_of(start, end, now, DEFAULT_PERIOD)
    selection = Selection(team=team, service=service_name, tier=tier)
    return dora_report.report(session, dora.Period(first, last), selection, group_by)
