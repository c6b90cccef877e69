"""The KPI page (`/kpis`): the table of a period against the one before, each figure a link
to the records behind it (`/kpis/{key}`), those it counted and those it left out and why."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ninefold.catalog import service as catalog
from ninefold.changes.dora import Period
from ninefold.changes.dora_report import Selection
from ninefold.errors import NotFound
from ninefold.http import Now, SessionDep, SettingsDep
from ninefold.instants import period_of
from ninefold.reports import kpis, targets
from ninefold.reports.catalogue import BY_KEY
from ninefold.reports.schemas import KpiTable
from ninefold.web.pages import PageUser, render

router = APIRouter(include_in_schema=False)
DEFAULT_PERIOD = timedelta(days=30)
MIN_PAGES = 5
LINKS = {
    "incident": "/incidents/{}",
    "alert group": "/alerts/{}",
    "deploy": "/changes/{}",
    "page": "/alerts/{}",
    "action item": "/action-items?show=all#item-{}",
}


def _table(
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
    start: str | None,
    end: str | None,
    team: str | None,
    service: str | None,
    tier: int | None,
) -> KpiTable:
    first, last = period_of(start or None, end or None, now, DEFAULT_PERIOD)
    selection = Selection(team=team or None, service=service or None, tier=tier)
    found = targets.configured(settings.config_dir)
    return kpis.kpi_table(session, Period(first, last), selection, now, found)


Start = Annotated[str | None, Query(alias="from")]
End = Annotated[str | None, Query(alias="to")]


@router.get("/kpis")
def kpi_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    me: PageUser,
    now: Now,
    start: Start = None,
    end: End = None,
    team: str | None = None,
    service: str | None = None,
    tier: Annotated[int | None, Query(ge=0, le=3)] = None,
) -> HTMLResponse:
    found = _table(session, settings, now, start, end, team, service, tier)
    selection = Selection(team=team or None, service=service or None, tier=tier)
    period = Period(found.start, found.end)
    context = {
        "me": me,
        "table": found,
        "rules": kpis.alert_quality(session, period, selection, MIN_PAGES),
        "min_pages": MIN_PAGES,
        "query": request.url.query,
        "filters": {
            "from": start or "",
            "to": end or "",
            "team": team or "",
            "service": service or "",
            "tier": "" if tier is None else str(tier),
        },
        "teams": [t.name for t in catalog.all_teams(session)],
        "services": [s.name for s in catalog.all_services(session)],
    }
    return render(request, "reports/kpis.html", context)


@router.get("/kpis/{key}")
def kpi_records_page(
    request: Request,
    key: str,
    session: SessionDep,
    settings: SettingsDep,
    me: PageUser,
    now: Now,
    start: Start = None,
    end: End = None,
    team: str | None = None,
    service: str | None = None,
    tier: Annotated[int | None, Query(ge=0, le=3)] = None,
) -> HTMLResponse:
    if key not in BY_KEY:
        raise NotFound(f"no KPI named {key!r}")
    found = _table(session, settings, now, start, end, team, service, tier)
    row = next(r for r in found.rows if r.key == key)
    link = LINKS.get(row.records, "")
    context = {
        "me": me,
        "table": found,
        "row": row,
        "link": lambda ref: link.format(ref.split(":")[0]) if link else "",
        "query": request.url.query,
    }
    return render(request, "reports/kpi.html", context)
