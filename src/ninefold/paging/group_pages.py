"""Pages of alert groups: the list (filtered, refreshing itself) and a group's page with its
alerts, paging and timeline, and the forms that act on it. An alert storm's group lists the
groups folded into it; a folded group links to its storm's group.

The forms post to these routes, not to the API: a browser carries a session cookie and a CSRF
token, not a bearer token. Every action ends in a redirect back to the group (post, redirect,
get), so reloading the page never repeats an action.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ninefold.alerts import groups
from ninefold.auth import service as auth_service
from ninefold.auth.model import RESPONDING_ROLES, may_respond
from ninefold.changes.web import group_changes
from ninefold.conventions import CSRF_FORM_FIELD
from ninefold.errors import NotFound
from ninefold.http import Now, Offset, RowId, SessionDep
from ninefold.paging import actions, storms
from ninefold.paging.acks import acknowledge as acknowledge_group
from ninefold.paging.acks import only_shadow
from ninefold.paging.overview import escalation_out
from ninefold.paging.timeline import describe
from ninefold.web.pages import PageUser, render, require_csrf

router = APIRouter(include_in_schema=False)

# How often the list and a group's live part ask the server again, in seconds.
REFRESH_SECONDS = 3
PAGE_SIZE = 50
SNOOZE_CHOICES = (15, 30, 60, 120, 240, 480)
CsrfField = Annotated[str | None, Form(alias=CSRF_FORM_FIELD)]


@router.get("/alerts")
def alerts_page(
    request: Request,
    session: SessionDep,
    me: PageUser,
    state: str | None = None,
    service: str | None = None,
    severity: str | None = None,
    offset: Offset = 0,
) -> HTMLResponse:
    filters = {"state": state, "service": service, "severity": severity}
    chosen = {k: v for k, v in filters.items() if v}
    page = groups.list_groups(session, **chosen, limit=PAGE_SIZE, offset=offset)
    context = {
        "me": me,
        "page": page,
        "filters": filters,
        "states": groups.STATES,
        "facets": groups.facets(session),
        "refresh": REFRESH_SECONDS,
        "query": urlencode(chosen) + "&" if chosen else "",
    }
    fragment = request.headers.get("hx-request")
    template = "paging/alert_groups_table.html" if fragment else "paging/alert_groups.html"
    return render(request, template, context)


@router.get("/alerts/{group_id}")
def group_page(
    request: Request,
    group_id: RowId,
    session: SessionDep,
    me: PageUser,
    now: Now,
    done: str | None = None,
    folded_offset: Offset = 0,
) -> HTMLResponse:
    group = groups.detail(session, group_id)
    changes = None
    panels = []
    storm = folded = folded_into = None
    if not request.headers.get("hx-request"):
        panels = [panel(session, group_id, me, now) for panel in request.app.state.group_panels]
        storm = storms.storm_of(session, group_id)
        if storm is not None:
            folded = storms.folded_groups(session, storm, limit=PAGE_SIZE, offset=folded_offset)
        folded_into = storms.folded_into(session, group_id)
        if group.service is not None:
            changes = group_changes(
                session, group.service, group.created_at, group.resolved_at, now
            )
    try:
        paging = escalation_out(session, group_id)
    except NotFound:
        paging = None
    timeline = [(e, describe(e.kind, e.detail)) for e in reversed(group.timeline)]
    responders = [u.name for u in auth_service.all_users(session) if u.role in RESPONDING_ROLES]
    context = {
        "me": me,
        "group": group,
        "paging": paging,
        "timeline": timeline,
        "can_act": may_respond(me),
        "shadowing": only_shadow(session, group_id, me.name),
        "responders": responders,
        "snooze_choices": SNOOZE_CHOICES,
        "done": done,
        "refresh": REFRESH_SECONDS,
        "changes": changes,
        "panels": panels,
        "storm": storm,
        "folded": folded,
        "folded_into": folded_into,
    }
    template = (
        "paging/alert_group_live.html"
        if request.headers.get("hx-request")
        else "paging/alert_group.html"
    )
    return render(request, template, context)


def _back(group_id: int, done: str) -> RedirectResponse:
    return RedirectResponse(f"/alerts/{group_id}?done={done}", status_code=303)


@router.post("/alerts/{group_id}/acknowledge")
def acknowledge(
    group_id: RowId, session: SessionDep, now: Now, me: PageUser, csrf: CsrfField = None
) -> Response:
    require_csrf(me, csrf)
    done = acknowledge_group(session, me, group_id, now)
    return _back(group_id, "shadow-acknowledged" if done.shadow else "acknowledged")


@router.post("/alerts/{group_id}/resolve")
def resolve(
    group_id: RowId,
    session: SessionDep,
    now: Now,
    me: PageUser,
    actionable: Annotated[groups.Actionable | None, Form()] = None,
    csrf: CsrfField = None,
) -> Response:
    require_csrf(me, csrf)
    groups.resolve(session, me, group_id, now, actionable)
    return _back(group_id, "resolved")


@router.post("/alerts/{group_id}/snooze")
def snooze(
    group_id: RowId,
    session: SessionDep,
    now: Now,
    me: PageUser,
    minutes: Annotated[int, Form()],
    csrf: CsrfField = None,
) -> Response:
    require_csrf(me, csrf)
    actions.snooze(session, me, group_id, minutes, now)
    return _back(group_id, "snoozed")


@router.post("/alerts/{group_id}/escalate")
def escalate(
    group_id: RowId, session: SessionDep, now: Now, me: PageUser, csrf: CsrfField = None
) -> Response:
    require_csrf(me, csrf)
    actions.escalate_now(session, me, group_id, now)
    return _back(group_id, "escalated")


@router.post("/alerts/{group_id}/reassign")
def reassign(
    group_id: RowId,
    session: SessionDep,
    now: Now,
    me: PageUser,
    user: Annotated[str, Form()],
    csrf: CsrfField = None,
) -> Response:
    require_csrf(me, csrf)
    actions.reassign(session, me, group_id, user, now)
    return _back(group_id, "reassigned")
