"""REST: the KPI table of a period, each figure with the records behind it, and the quality
of each alert rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ninefold.changes.dora import Period
from ninefold.changes.dora_report import Selection
from ninefold.http import (
    CurrentUser,
    Limit,
    Now,
    Offset,
    PeriodEnd,
    PeriodStart,
    SessionDep,
    SettingsDep,
    TeamQuery,
    TierQuery,
)
from ninefold.incidents.model import Severity
from ninefold.instants import period_of
from ninefold.pagination import Page, page_of
from ninefold.reports import kpis, targets
from ninefold.reports.schemas import KpiTable, RuleQualityOut, ScheduleLoadOut

router = APIRouter(tags=["reports"])
DEFAULT_PERIOD = timedelta(days=30)


@dataclass(frozen=True)
class Question:
    """The period and the selection a report is asked for."""

    period: Period
    selection: Selection
    severity: Severity | None = None


def question(
    now: Now,
    start: PeriodStart = None,
    end: PeriodEnd = None,
    team: TeamQuery = None,
    service: Annotated[str | None, Query(description="This service.")] = None,
    tier: TierQuery = None,
    severity: Annotated[
        Severity | None, Query(description="The incident KPIs of this severity only.")
    ] = None,
) -> Question:
    first, last = period_of(start or None, end or None, now, DEFAULT_PERIOD)
    selection = Selection(team=team or None, service=service or None, tier=tier)
    return Question(Period(first, last), selection, severity)


Asked = Annotated[Question, Depends(question)]


@router.get(
    "/kpis",
    summary="Every KPI of a period against the one before, with its records",
    description="Targets are the configuration directory's `kpi_targets`, else the defaults.",
)
def get_kpis(
    asked: Asked,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
    _me: CurrentUser,
    history: Annotated[
        int, Query(ge=2, le=12, description="Periods in each KPI's `history`, this one last.")
    ] = 2,
) -> KpiTable:
    found = targets.configured(settings.config_dir)
    return kpis.kpi_table(
        session, asked.period, asked.selection, now, found, asked.severity, history, settings
    )


@router.get(
    "/alert-quality",
    summary="Every alert rule that paged in a period: pages, actionable ratio, noise, MTTA",
)
def get_alert_quality(
    asked: Asked,
    session: SessionDep,
    _me: CurrentUser,
    min_pages: Annotated[
        int, Query(ge=1, le=10_000, description="Pages a rule needs before it can be flagged.")
    ] = 5,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[RuleQualityOut]:
    """Rules with at least `min_pages` pages and an actionable ratio under 50% are flagged
    `tune_or_delete`, with the evidence."""
    found = kpis.alert_quality(session, asked.period, asked.selection, min_pages)
    return page_of(found, limit=limit, offset=offset)


@router.get(
    "/oncall-load",
    summary="Each schedule's on-call load in a period: hours, pages, off-hours, fairness",
)
def get_oncall_load(
    asked: Asked, session: SessionDep, me: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> Page[ScheduleLoadOut]:
    """The team figures of every schedule (of `team`, or all); the people in it are shown
    to admins, and to each person their own row only (KPIS.md: no leaderboard of people)."""
    found = kpis.oncall_loads(session, asked.period, asked.selection.team, me)
    return page_of(found, limit=limit, offset=offset)
