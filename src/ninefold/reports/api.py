"""REST: the KPI table of a period, each figure with the records behind it."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from ninefold.changes.dora import Period
from ninefold.changes.dora_report import Selection
from ninefold.http import CurrentUser, Now, SessionDep, SettingsDep
from ninefold.instants import period_of
from ninefold.reports import kpis, targets
from ninefold.reports.schemas import KpiTable

router = APIRouter(tags=["reports"])
DEFAULT_PERIOD = timedelta(days=30)


@router.get(
    "/kpis",
    summary="Every KPI of a period against the one before, with its records",
    description="Targets are the configuration directory's `kpi_targets`, else the defaults.",
)
def get_kpis(
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
    _me: CurrentUser,
    start: Annotated[
        str | None,
        Query(
            alias="from",
            description="Start (included): ISO 8601 or a date; default: 30 days before `to`.",
        ),
    ] = None,
    end: Annotated[
        str | None, Query(alias="to", description="End (excluded); default: now.")
    ] = None,
    team: Annotated[str | None, Query(description="The services of this team.")] = None,
    service: Annotated[str | None, Query(description="This service.")] = None,
    tier: Annotated[int | None, Query(ge=0, le=3, description="The services of this tier.")] = None,
) -> KpiTable:
    first, last = period_of(start, end, now, DEFAULT_PERIOD)
    selection = Selection(team=team, service=service, tier=tier)
    found = targets.configured(settings.config_dir)
    return kpis.kpi_table(session, Period(first, last), selection, now, found)
