"""Pages of the catalog: home overview, services, a service, teams, a team."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ninefold.auth import service as auth_service
from ninefold.catalog import service
from ninefold.catalog.schemas import Lifecycle, ServiceUpdate
from ninefold.conventions import CSRF_FORM_FIELD
from ninefold.http import Now, Offset, SessionDep
from ninefold.web.pages import PageUser, render, require_csrf

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, session: SessionDep, me: PageUser, now: Now) -> HTMLResponse:
    services = service.all_services(session)
    by_tier = {tier: [s for s in services if s.tier == tier] for tier in range(4)}
    teams = service.all_teams(session)
    context = {
        "me": me,
        "by_tier": by_tier,
        "teams": teams,
        "total": len(services),
        "panels": [panel(session, now) for panel in request.app.state.home_panels],
    }
    return render(request, "catalog/home.html", context)


@router.get("/services")
def services_page(
    request: Request,
    session: SessionDep,
    me: PageUser,
    team: str | None = None,
    tier: Annotated[str | None, Query()] = None,
    offset: Offset = 0,
) -> HTMLResponse:
    tier_value = int(tier) if tier and tier.isdigit() and int(tier) <= 3 else None
    page = service.list_services(
        session, team=team or None, tier=tier_value, limit=100, offset=offset
    )
    filters = {k: v for k, v in {"team": team, "tier": tier}.items() if v}
    context = {
        "me": me,
        "page": page,
        "teams": service.all_teams(session),
        "team": team,
        "tier": tier_value,
        "query": urlencode(filters) + "&" if filters else "",
    }
    template = (
        "catalog/services_table.html"
        if request.headers.get("hx-request")
        else "catalog/services.html"
    )
    return render(request, template, context)


@router.get("/services/{name}")
def service_page(
    request: Request, name: str, session: SessionDep, me: PageUser, now: Now, saved: bool = False
) -> HTMLResponse:
    svc = service.service_out(service.get_service_row(session, name))
    context = {
        "me": me,
        "svc": svc,
        "deps": service.dependencies(session, name),
        "teams": service.all_teams(session),
        "saved": saved,
        "panels": [panel(session, name, now) for panel in request.app.state.service_panels],
    }
    return render(request, "catalog/service.html", context)


@router.post("/services/{name}")
def service_update(
    name: str,
    session: SessionDep,
    me: PageUser,
    now: Now,
    tier: Annotated[int, Form(ge=0, le=3)],
    owner: Annotated[str, Form()],
    lifecycle: Annotated[Lifecycle, Form()],
    csrf_token: Annotated[str | None, Form(alias=CSRF_FORM_FIELD)] = None,
) -> Response:
    require_csrf(me, csrf_token)
    service.update_service(
        session, me, name, ServiceUpdate(tier=tier, owner=owner, lifecycle=lifecycle), now
    )
    return RedirectResponse(f"/services/{quote(name, safe='')}?saved=1", status_code=303)


@router.get("/teams")
def teams_page(request: Request, session: SessionDep, me: PageUser) -> HTMLResponse:
    teams = service.all_teams(session)
    services = service.all_services(session)
    owned = {t.name: [s for s in services if s.owner == t.name] for t in teams}
    return render(request, "catalog/teams.html", {"me": me, "teams": teams, "owned": owned})


@router.get("/teams/{name}")
def team_page(request: Request, name: str, session: SessionDep, me: PageUser) -> HTMLResponse:
    team = service.team_out(service.get_team_row(session, name))
    services = service.all_services(session, team=name)
    users = {u.name: u for u in auth_service.all_users(session)}
    members = [users[m] for m in team.members if m in users]
    return render(
        request,
        "catalog/team.html",
        {"me": me, "team": team, "services": services, "members": members},
    )
