"""The postmortem pages (the readable page, the editor with its preview, the review moves)
and the action item pages (added from a postmortem, listed per team and per owner). Forms
post here with the session's CSRF token and end in a redirect, as the incident pages do."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ninefold.auth import service as auth_service
from ninefold.auth.model import Principal, may_respond
from ninefold.catalog import service as catalog
from ninefold.conventions import CSRF_FORM_FIELD
from ninefold.http import Now, RowId, SessionDep, SettingsDep
from ninefold.incidents import action_items, postmortems, read, records
from ninefold.incidents.postmortem import SECTIONS, ItemKind
from ninefold.incidents.schemas import ActionItemIn, ActionItemPatch, PostmortemEdit, PostmortemMove
from ninefold.incidents.web import CsrfField, responders
from ninefold.payloads import validated
from ninefold.slos.incident_burn import Pricer
from ninefold.web.pages import PageUser, render, require_csrf

router = APIRouter(include_in_schema=False)


@router.post("/incidents/{incident_id}/postmortem")
def start_postmortem(
    incident_id: RowId,
    session: SessionDep,
    settings_: SettingsDep,
    now: Now,
    me: PageUser,
    csrf: CsrfField = None,
) -> Response:
    require_csrf(me, csrf)
    burns = postmortems.price(session, Pricer.of(settings_), incident_id)
    postmortems.start(session, me, incident_id, now, burns)
    return RedirectResponse(f"/incidents/{incident_id}/postmortem?done=started", status_code=303)


def _postmortem_back(incident_id: int, done: str) -> RedirectResponse:
    return RedirectResponse(f"/incidents/{incident_id}/postmortem?done={done}", status_code=303)


@router.get("/incidents/{incident_id}/postmortem")
def postmortem_page(
    request: Request,
    incident_id: RowId,
    session: SessionDep,
    me: PageUser,
    now: Now,
    done: str | None = None,
) -> HTMLResponse:
    found = postmortems.out(session, incident_id, now)
    context = {
        "me": me,
        "pm": found,
        "incident": read.outs(session, [records.get_row(session, incident_id)])[0],
        "sections": SECTIONS,
        "done": done,
        "can_act": may_respond(me),
        "moves": postmortems.MOVES[found.state],
        "responders": responders(session),
        "kinds": list(ItemKind),
        "burn_line": postmortems.burn_line,
    }
    return render(request, "incidents/postmortem.html", context)


@router.get("/incidents/{incident_id}/postmortem/edit")
def postmortem_editor(
    request: Request, incident_id: RowId, session: SessionDep, me: PageUser, now: Now
) -> HTMLResponse:
    found = postmortems.out(session, incident_id, now)
    return _editor(request, me, found.title, found.sections, incident_id, preview=False)


def _editor(
    request: Request,
    me: Principal,
    title: str,
    sections: dict[str, str],
    incident_id: int,
    *,
    preview: bool,
) -> HTMLResponse:
    context = {
        "me": me,
        "incident_id": incident_id,
        "title": title,
        "texts": sections,
        "sections": SECTIONS,
        "preview": preview,
    }
    return render(request, "incidents/postmortem_edit.html", context)


@router.post("/incidents/{incident_id}/postmortem/edit")
async def save_postmortem(
    request: Request,
    incident_id: RowId,
    session: SessionDep,
    now: Now,
    me: PageUser,
) -> Response:
    """Save the sections, or (`preview`) show them rendered without saving."""
    form = await request.form()
    require_csrf(me, _text(form.get(CSRF_FORM_FIELD)))
    title = _text(form.get("title")).strip()
    sections = {s.key: _text(form.get(f"section-{s.key}")) for s in SECTIONS}
    if form.get("preview"):
        return _editor(request, me, title, sections, incident_id, preview=True)
    body = validated(PostmortemEdit, {"title": title, "sections": sections})
    postmortems.edit(session, me, incident_id, body, now)
    return _postmortem_back(incident_id, "saved")


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


@router.post("/incidents/{incident_id}/postmortem/state")
def move_postmortem(
    incident_id: RowId,
    session: SessionDep,
    now: Now,
    me: PageUser,
    state: Annotated[str, Form()],
    reviewers: Annotated[list[str] | None, Form()] = None,
    csrf: CsrfField = None,
) -> Response:
    require_csrf(me, csrf)
    body = validated(PostmortemMove, {"state": state, "reviewers": reviewers or None})
    postmortems.move(session, me, incident_id, body, now)
    return _postmortem_back(incident_id, state)


@router.post("/incidents/{incident_id}/action-items")
def add_item(
    incident_id: RowId,
    session: SessionDep,
    now: Now,
    me: PageUser,
    kind: Annotated[str, Form()],
    title: Annotated[str, Form()],
    owner: Annotated[str, Form()] = "",
    due: Annotated[str, Form()] = "",
    priority: Annotated[str, Form()] = "medium",
    url: Annotated[str, Form()] = "",
    csrf: CsrfField = None,
) -> Response:
    require_csrf(me, csrf)
    fields = {"kind": kind, "title": title, "owner": owner or None, "due": due or None}
    body = validated(ActionItemIn, {**fields, "priority": priority, "url": url})
    action_items.add(session, me, incident_id, body, now)
    return _postmortem_back(incident_id, "item-added")


@router.get("/action-items")
def items_page(
    request: Request,
    session: SessionDep,
    me: PageUser,
    now: Now,
    team: str | None = None,
    owner: str | None = None,
    show: str = "open",
) -> HTMLResponse:
    found = action_items.list_items(
        session, now.date(), team=team or None, owner=owner or None, open_only=show == "open"
    )
    context = {
        "me": me,
        "items": found,
        "team": team or "",
        "owner": owner or "",
        "show": show,
        "teams": [t.name for t in catalog.all_teams(session)],
        "people": [u.name for u in auth_service.all_users(session)],
        "can_act": may_respond(me),
    }
    return render(request, "incidents/action_items.html", context)


@router.post("/action-items/{item_id}/status")
def close_item(
    item_id: RowId,
    session: SessionDep,
    now: Now,
    me: PageUser,
    status: Annotated[str, Form()],
    back: Annotated[str, Form(max_length=500)] = "/action-items",
    csrf: CsrfField = None,
) -> Response:
    """Close or reopen an item, then back to the list it was shown in (a path of this site
    only: never an address elsewhere)."""
    require_csrf(me, csrf)
    action_items.update(session, me, item_id, validated(ActionItemPatch, {"status": status}), now)
    local = back.startswith("/") and not back.startswith("//")
    return RedirectResponse(back if local else "/action-items", status_code=303)
