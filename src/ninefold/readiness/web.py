"""The readiness pages: the catalog-wide grid (services by rules), each service's checklist
(every rule by level, what was found and what to do), and a panel on the service page."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy.orm import Session

from ninefold.http import Now, SessionDep, SettingsDep
from ninefold.readiness import model, service
from ninefold.settings import Settings
from ninefold.web.pages import PageUser, add_service_panel, render, render_fragment

router = APIRouter(include_in_schema=False)


def setup(app: FastAPI, settings: Settings) -> None:
    def panel(session: Session, name: str, now: datetime) -> Markup:
        [card] = service.scorecards(session, settings.config_dir, now, name)
        return render_fragment("readiness/panel.html", {"card": service.out(card)})

    add_service_panel(app, panel)


@router.get("/readiness")
def grid_page(
    request: Request, session: SessionDep, settings: SettingsDep, me: PageUser, now: Now
) -> HTMLResponse:
    rubric = service.levels(session)
    cards = [service.out(c) for c in service.scorecards(session, settings.config_dir, now)]
    columns = [(level.name, model.BY_KEY[key]) for level in rubric for key in level.rules]
    context = {"me": me, "cards": cards, "columns": columns, "levels": rubric}
    return render(request, "readiness/grid.html", context)


@router.get("/readiness/{name}")
def checklist_page(
    request: Request, name: str, session: SessionDep, settings: SettingsDep, me: PageUser, now: Now
) -> HTMLResponse:
    card = service.scorecard(session, settings.config_dir, now, name)
    return render(request, "readiness/checklist.html", {"me": me, "card": card})
