"""REST endpoints: the resources declared and each one's forecast."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ninefold.capacity import service
from ninefold.capacity.schemas import ForecastOut, ResourceSpec
from ninefold.http import CurrentUser, Limit, Now, Offset, SessionDep, SettingsDep
from ninefold.pagination import Page, page_of

router = APIRouter(tags=["capacity"])
Days = Annotated[int, Query(ge=1, le=365, description="How far ahead to forecast.")]


@router.get("/resources", summary="List the resources whose capacity is forecast")
def list_resources(
    session: SessionDep,
    _me: CurrentUser,
    service_name: Annotated[str | None, Query(alias="service")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ResourceSpec]:
    found = [
        service.resource_spec(row)
        for row in service.resource_rows(session)
        if service_name is None or row.service == service_name
    ]
    return page_of(found, limit=limit, offset=offset)


@router.get(
    "/resources/{name}/forecast",
    summary="A resource's forecast: days until its threshold, P95 headroom, measured accuracy",
)
def resource_forecast(
    name: str,
    session: SessionDep,
    settings: SettingsDep,
    _me: CurrentUser,
    now: Now,
    days: Days = service.HORIZON_DAYS,
) -> ForecastOut:
    spec = service.get_spec(session, name)
    return service.forecast(spec, settings.config_dir, settings.prometheus_url, now, days)
