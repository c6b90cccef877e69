"""The KPI page (`/kpis`): the table of a period against the one before, each figure a link
to the records behind it (`/kpis/{key}`), those it counted and those it left out and why."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from ninefold.catalog import service as catalog
from ninefold.errors import NotFound
from ninefold.http import Now, SessionDep, SettingsDep
from ninefold.oncall import service as schedules
from ninefold.reports import kpis, periods, targets
from ninefold.reports.api import Asked, Question
from ninefold.reports.catalogue import BY_KEY
from ninefold.reports.charts import kpi_chart
from ninefold.reports.document import KINDS
from ninefold.reports.render import FORMATS
from ninefold.reports.report_api import Downloaded, answer
from ninefold.reports.schemas import KpiTable
from ninefold.reports.table import Loaded, periods_ending
from ninefold.web.pages import PageUser, render

router = APIRouter(include_in_schema=False)
MIN_PAGES = 5
HISTORY = 6
"""Periods a KPI's chart shows, this one the last."""
FILTERS = ("from", "to", "team", "service", "tier")
LINKS = {
    "incident": "/incidents/{}",
    "alert group": "/alerts/{}",
    "deploy": "/changes/{}",
    "page": "/alerts/{}",
    "action item": "/action-items?show=all#item-{}",
    "runbook": "/runbooks/{}",
    "DR test": "/dr/{}",
    "resource": "/capacity/{}",
    "service": "/readiness/{}",
}


def _table(
    session: SessionDep, settings: SettingsDep, now: Now, asked: Question
) -> tuple[KpiTable, dict[str, Markup], Loaded]:
    """The table over HISTORY periods, each KPI's chart of them, and the records read (the
    page shows more of them)."""
    found = targets.configured(settings.config_dir)
    loaded = kpis.load(session, asked.period, asked.selection, HISTORY, now, settings)
    kpi_table = kpis.table_for(
        loaded, asked.period, asked.selection, now, found, asked.severity, HISTORY
    )
    starts = [p.start for p in periods_ending(asked.period, HISTORY)]
    charts = {
        # charts.py escapes every text it writes into the SVG.
        row.key: Markup(kpi_chart(row, found.get(row.key, BY_KEY[row.key].target), starts))  # noqa: S704
        for row in kpi_table.rows
    }
    return kpi_table, charts, loaded


@router.get("/kpis")
def kpi_page(
    request: Request,
    asked: Asked,
    session: SessionDep,
    settings: SettingsDep,
    me: PageUser,
    now: Now,
) -> HTMLResponse:
    found, charts, loaded = _table(session, settings, now, asked)
    query = request.query_params
    context = {
        "me": me,
        "table": found,
        "charts": charts,
        "rules": kpis.rules_of(loaded, asked.period, MIN_PAGES),
        "min_pages": MIN_PAGES,
        "loads": kpis.oncall_loads(session, asked.period, asked.selection.team, me),
        "query": request.url.query,
        "filters": {
            name: query.get(name, "") for name in ("from", "to", "team", "service", "tier")
        },
        "teams": [t.name for t in catalog.all_teams(session)],
        "services": [s.name for s in catalog.all_services(session)],
    }
    return render(request, "reports/kpis.html", context)


@router.get("/kpis/{key}")
def kpi_records_page(
    request: Request,
    key: str,
    asked: Asked,
    session: SessionDep,
    settings: SettingsDep,
    me: PageUser,
    now: Now,
) -> HTMLResponse:
    if key not in BY_KEY:
        raise NotFound(f"no KPI named {key!r}")
    found, charts, _ = _table(session, settings, now, asked)
    row = next(r for r in found.rows if r.key == key)
    link = LINKS.get(row.records, "")
    context = {
        "me": me,
        "table": found,
        "row": row,
        "chart": charts[key],
        "link": lambda ref: link.format(ref.split(":")[0]) if link else "",
        "query": request.url.query,
    }
    return render(request, "reports/kpi.html", context)


@router.get("/reports")
def reports_page(request: Request, session: SessionDep, me: PageUser) -> HTMLResponse:
    context = {
        "me": me,
        "kinds": KINDS,
        "formats": FORMATS,
        "query": request.query_params,
        "teams": [t.name for t in catalog.all_teams(session)],
        "schedules": [row.name for row in schedules.all_rows(session)],
        "examples": periods.EXAMPLES,
    }
    return render(request, "reports/reports.html", context)


@router.get("/reports/{kind}", response_model=None)
def report_download(
    asked: Downloaded, session: SessionDep, settings: SettingsDep, now: Now, _me: PageUser
) -> Response:
    return answer(session, settings, asked, now)
