"""REST: the KPI table of a period, each figure with the records behind it."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from ninefold.changes.dora import Period
from ninefold.changes.dora_report import Selection
from ninefold.http import CurrentUser, Limit, Now, Offset, SessionDep, SettingsDep
from ninefold.instants import period_of
from ninefold.pagination import Page
from ninefold.reports import kpis, targets
from ninefold.reports.schemas import KpiTable, RuleQualityOut

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


@router.get(
    "/alert-quality",
    summary="Every alert rule that paged in a period: pages, actionable ratio, noise, MTTA",
)
def get_alert_quality(
    session: SessionDep,
    now: Now,
    _me: CurrentUser,
    start: Annotated[
        str | None, Query(alias="from", description="Start; default 30 days before `to`.")
    ] = None,
    end: Annotated[
        str | None, Query(alias="to", description="End (excluded); default now.")
    ] = None,
    team: Annotated[str | None, Query(description="The services of this team.")] = None,
    service: Annotated[str | None, Query(description="This service.")] = None,
    min_pages: Annotated[
        int, Query(ge=1, le=10_000, description="Pages a rule needs before it can be flagged.")
    ] = 5,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[RuleQualityOut]:
    """Rules with at least `min_pages` pages and an actionable ratio under 50% are flagged
    `tune_or_delete`, with the evidence."""
    first, last = period_of(start, end, now, DEFAULT_PERIOD)
    selection = Selection(team=team, service=service)
    found = kpis.alert_quality(session, Period(first, last), selection, min_pages)
    return Page(items=found[offset : offset + limit], total=len(found), limit=limit, offset=offset)
