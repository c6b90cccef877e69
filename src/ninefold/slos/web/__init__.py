"""The SLO pages (`/slos`, `/slos/{service}/{name}`) and what the SLO domain adds to other
pages: SLOs by budget left on the home page, and on a service page its SLOs and the release
gate's recent decisions (panels the catalog renders without knowing where they come from)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy.orm import Session

from ninefold.changes import service as changes_service
from ninefold.errors import NotFound
from ninefold.http import Now, SessionDep
from ninefold.settings import Settings
from ninefold.slos.core.model import prometheus_duration
from ninefold.slos.service import recent_decisions
from ninefold.slos.sources.configured import count_source
from ninefold.slos.web.board import SloBoard
from ninefold.slos.web.chart import Marker, chart
from ninefold.web.pages import (
    HomePanel,
    PageUser,
    ServicePanel,
    add_home_panel,
    add_service_panel,
    render,
    render_fragment,
)

router = APIRouter(include_in_schema=False)


def setup(app: FastAPI, settings: Settings) -> None:
    """The SLO board the pages share, and the panels of the home and service pages."""
    board = make_board(settings)
    app.state.slo_board = board
    add_home_panel(app, home_panel(board))
    add_service_panel(app, service_slos_panel(board))
    add_service_panel(app, gate_panel)


def make_board(settings: Settings) -> SloBoard:
    source, name = count_source(settings)
    return SloBoard(settings.config_dir, source, name)


def _board(request: Request) -> SloBoard:
    board: SloBoard = request.app.state.slo_board
    return board


@router.get("/slos")
def slos_page(request: Request, me: PageUser, now: Now) -> HTMLResponse:
    snapshot = _board(request).snapshot(now)
    return render(request, "slos/slos.html", {"me": me, "snapshot": snapshot})


@router.get("/slos/{service}/{name}")
def slo_page(
    request: Request, service: str, name: str, session: SessionDep, me: PageUser, now: Now
) -> HTMLResponse:
    snapshot = _board(request).snapshot(now)
    view = snapshot.find(service, name)
    if view is None:
        raise NotFound(f"no SLO {name!r} of service {service!r} in the configuration directory")
    burn = view.burn
    changes = [] if burn is None else change_markers(session, service, burn.start, burn.end)
    context = {
        "me": me,
        "view": view,
        "source": snapshot.source,
        "chart": chart(burn, changes=changes) if burn else None,
        "changes": changes,
        "duration": prometheus_duration,
    }
    return render(request, "slos/slo.html", context)


def change_markers(session: Session, service: str, start: datetime, end: datetime) -> list[Marker]:
    """The changes of the service and of what it depends on in [start, end], as marks."""
    found = changes_service.near(session, service, start, end + timedelta(seconds=1))
    return [
        Marker(
            c.finished_at,
            f"#{c.id} {c.service} {c.version}".strip(),
            f"/changes/{c.id}",
            "rollback" if c.rollback else ("failed" if c.outcome != "success" else "deploy"),
        )
        for c in reversed(found)
    ]


def home_panel(board: SloBoard) -> HomePanel:
    def panel(_session: Session, now: datetime) -> Markup:
        snapshot = board.snapshot(now)
        return render_fragment("slos/slos_home.html", {"snapshot": snapshot})

    return panel


def service_slos_panel(board: SloBoard) -> ServicePanel:
    def panel(_session: Session, service: str, now: datetime) -> Markup:
        snapshot = board.snapshot(now)
        views = [v for v in snapshot.by_budget() if v.slo.service == service]
        return render_fragment("slos/slos_service.html", {"views": views, "service": service})

    return panel


def gate_panel(session: Session, service: str, _now: datetime) -> Markup:
    decisions = recent_decisions(session, service)
    return render_fragment("slos/gate_decisions.html", {"decisions": decisions, "service": service})
