"""The changes pages (`/changes`, `/changes/{id}`), the DORA page (`/dora`) with its charts,
and the panel of recent changes on a service page (this service and what it depends on)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy.orm import Session

from ninefold.catalog import service as catalog
from ninefold.changes import charts, dora, dora_report, service, timeline
from ninefold.changes.dora_report import GroupBy, Selection
from ninefold.changes.figures_text import duration, rate, trend
from ninefold.changes.links import DEFAULT_WINDOW, in_window
from ninefold.http import Now, Offset, RowId, SessionDep
from ninefold.instants import period_of
from ninefold.settings import Settings
from ninefold.web.pages import PageUser, add_service_panel, render, render_fragment

router = APIRouter(include_in_schema=False)
DORA_PERIOD = timedelta(days=90)
SERVICE_PANEL_DAYS = 14
PAGE = 50
TEXT = {"duration": duration, "rate": rate, "trend": trend}


def setup(app: FastAPI, _settings: Settings) -> None:
    add_service_panel(app, changes_panel)


@router.get("/changes")
def changes_page(
    request: Request,
    session: SessionDep,
    me: PageUser,
    service_name: Annotated[str | None, Query(alias="service")] = None,
    offset: Offset = 0,
) -> HTMLResponse:
    page = service.list_page(
        session,
        services=None if not service_name else [service_name],
        limit=PAGE,
        offset=offset,
    )
    context = {"me": me, "page": page, "service": service_name or "", "step": PAGE}
    return render(request, "changes/changes.html", context)


@router.get("/changes/{change_id}")
def change_page(
    request: Request, change_id: RowId, session: SessionDep, me: PageUser
) -> HTMLResponse:
    return render(request, "changes/change.html", {"me": me, "c": service.get(session, change_id)})


@router.get("/dora")
def dora_page(
    request: Request,
    session: SessionDep,
    me: PageUser,
    now: Now,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    team: str | None = None,
    by: GroupBy = "team",
) -> HTMLResponse:
    first, last = period_of(start or None, end or None, now, DORA_PERIOD)
    period = dora.Period(first, last)
    selection = Selection(team=team or None)
    loaded = dora_report.load(session, period, selection)
    report = dora_report.table(loaded, by)
    overall = dora_report.table(loaded, "all").rows[0]
    series = dora_report.series(loaded)
    week_labels = [f"{w.start:%m-%d}" for w, _ in series.weeks]
    deploys = charts.bars(
        "Deploys per week",
        [
            (label, float(f.deploys))
            for label, (_, f) in zip(week_labels, series.weeks, strict=True)
        ],
    )
    failures = charts.bars(
        "Change failure rate per week (%)",
        [
            (label, None if f.change_failure_rate is None else f.change_failure_rate * 100)
            for label, (_, f) in zip(week_labels, series.weeks, strict=True)
        ],
        show="{:.0f}",
        at_least=10.0,
    )
    lead = charts.bars(
        "Lead time: commits by time to production",
        charts.lead_time_histogram(series.lead_times),
    )
    context = {
        "me": me,
        "report": report,
        "overall": overall,
        "charts": (deploys, lead, failures),
        "teams": catalog.all_teams(session),
        "team": team or "",
        "by": by,
        "start": f"{first:%Y-%m-%d}",
        "end": f"{last:%Y-%m-%d}",
        **TEXT,
    }
    return render(request, "changes/dora.html", context)


def group_changes(
    session: Session, service_name: str, opened: datetime, closed: datetime | None, now: datetime
) -> Markup:
    """For an alert group's page: the changes of its service and what it depends on in the
    24 hours before it opened (KPIS.md's link window), and on one axis up to its close."""
    start = opened - DEFAULT_WINDOW
    end = closed or now
    shown = service.near(session, service_name, start, end + timedelta(seconds=1))
    before = [c for c in shown if in_window(c.finished_at, opened)]
    context = {
        "before": before,
        "service": service_name,
        "axis": timeline.axis(start, end, opened, end, list(reversed(shown))),
    }
    return render_fragment("changes/group_changes.html", context)


def changes_panel(session: Session, service_name: str, now: datetime) -> Markup:
    since = now - timedelta(days=SERVICE_PANEL_DAYS)
    recent = service.near(session, service_name, since, now + timedelta(seconds=1), limit=20)
    context = {"changes": recent, "service": service_name, "days": SERVICE_PANEL_DAYS}
    return render_fragment("changes/service_changes.html", context)
