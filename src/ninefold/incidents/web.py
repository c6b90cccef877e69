"""The incident pages: the list (filters), the declare form, an incident's page with the
forms that act on it, and the panel on an alert group's page (declare from it, or the
incident that has it).

As with alert groups, the forms post to these routes (session cookie and CSRF token), and
every action ends in a redirect back to the incident, so a reload never repeats it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from ninefold.auth import service as auth_service
from ninefold.auth.model import RESPONDING_ROLES, Principal, may_respond
from ninefold.catalog import service as catalog
from ninefold.conventions import CSRF_FORM_FIELD
from ninefold.errors import Invalid
from ninefold.http import Now, Offset, RowId, SessionDep, SettingsDep
from ninefold.incidents import (
    action_items,
    notes,
    postmortems,
    read,
    records,
    roles,
    service,
    settings,
    updates,
)
from ninefold.incidents.model import Status
from ninefold.incidents.postmortem import SECTIONS, ItemKind
from ninefold.incidents.schemas import (
    ROLE_TITLES,
    ROLES,
    ActionItemIn,
    ActionItemPatch,
    IncidentIn,
    IncidentPatch,
    InstantsIn,
    PostmortemEdit,
    PostmortemMove,
    StatusIn,
)
from ninefold.instants import parse_instant
from ninefold.payloads import validated
from ninefold.settings import Settings
from ninefold.slos.incident_burn import Pricer
from ninefold.web.pages import PageUser, add_group_panel, render, render_fragment, require_csrf

router = APIRouter(include_in_schema=False)
PAGE = 50
CsrfField = Annotated[str | None, Form(alias=CSRF_FORM_FIELD)]
InstantField = Annotated[str | None, Form(max_length=64)]
INSTANT_FIELDS = ("impact_start", "detected", "acknowledged", "mitigated", "resolved", "impact_end")


def setup(app: FastAPI, _settings: Settings) -> None:
    add_group_panel(app, group_panel)


def group_panel(session: Session, group_id: int, me: Principal, _now: datetime) -> Markup:
    """On an alert group's page: the incident that has the group, or the form to declare
    one from it."""
    owner = service.incident_of_group(session, group_id)
    context = {
        "me": me,
        "group_id": group_id,
        "incident": None
        if owner is None
        else read.outs(session, [records.get_row(session, owner)])[0],
        "severities": sorted(settings.severities(session)),
        "can_act": may_respond(me),
    }
    return render_fragment("incidents/group_panel.html", context)


def _back(incident_id: int, done: str) -> RedirectResponse:
    return RedirectResponse(f"/incidents/{incident_id}?done={done}", status_code=303)


@router.get("/incidents")
def incidents_page(
    request: Request,
    session: SessionDep,
    me: PageUser,
    status: str | None = None,
    severity: str | None = None,
    service_name: Annotated[str | None, Query(alias="service")] = None,
    offset: Offset = 0,
) -> HTMLResponse:
    service_name = service_name or None
    filters = read.Filters(status or None, severity or None, service_name)
    page = read.list_page(session, filters, limit=PAGE, offset=offset)
    context = {
        "me": me,
        "page": page,
        "filters": {
            "status": status or "",
            "severity": severity or "",
            "service": service_name or "",
        },
        "statuses": ["open", *Status],
        "severities": sorted(settings.severities(session)),
        "services": [s.name for s in catalog.all_services(session)],
        "step": PAGE,
        "can_act": may_respond(me),
    }
    return render(request, "incidents/incidents.html", context)


@router.get("/incidents/new")
def new_page(request: Request, session: SessionDep, me: PageUser) -> HTMLResponse:
    context = {
        "me": me,
        "severities": settings.severities(session),
        "services": [s.name for s in catalog.all_services(session)],
        "responders": _responders(session),
    }
    return render(request, "incidents/new.html", context)


def _responders(session: Session) -> list[str]:
    return [u.name for u in auth_service.all_users(session) if u.role in RESPONDING_ROLES]


@router.post("/incidents")
def declare(
    session: SessionDep,
    now: Now,
    me: PageUser,
    title: Annotated[str, Form()],
    severity: Annotated[str, Form()],
    services: Annotated[list[str] | None, Form()] = None,
    impact_start: Annotated[str, Form()] = "",
    commander: Annotated[str, Form()] = "",
    csrf: CsrfField = None,
) -> Response:
    require_csrf(me, csrf)
    body = validated(
        IncidentIn,
        {
            "title": title,
            "severity": severity,
            "services": services or [],
            "impact_start": parse_instant(impact_start, "impact_start", now)
            if impact_start.strip()
            else None,
            "commander": commander or None,
        },
    )
    row = service.declare(session, me, body, now)
    return _back(row.id, "declared")


@router.post("/alerts/{group_id}/declare")
def declare_from_group(
    group_id: RowId,
    session: SessionDep,
    now: Now,
    me: PageUser,
    severity: Annotated[str, Form()],
    csrf: CsrfField = None,
) -> Response:
    require_csrf(me, csrf)
    body = validated(IncidentIn, {"severity": severity, "groups": [group_id]})
    row = service.declare(session, me, body, now)
    return _back(row.id, "declared")


@router.get("/incidents/{incident_id}")
def incident_page(
    request: Request,
    incident_id: RowId,
    session: SessionDep,
    me: PageUser,
    now: Now,
    done: str | None = None,
) -> HTMLResponse:
    incident = read.detail(session, incident_id, now)
    context = {
        "me": me,
        "i": incident,
        "done": done,
        "can_act": may_respond(me),
        "roles": [(r, ROLE_TITLES[r]) for r in ROLES],
        "held": {r.role: r for r in incident.roles},
        "responders": _responders(session),
        "statuses": [s for s in Status if s != incident.status],
        "severities": sorted(settings.severities(session)),
        "categories": sorted(settings.root_causes(session)),
        "services": [s.name for s in catalog.all_services(session)],
        "instant_fields": INSTANT_FIELDS,
        "timeline": list(reversed(incident.timeline)),
        "has_postmortem": postmortems.exists(session, incident_id),
    }
    return render(request, "incidents/incident.html", context)


@router.post("/incidents/{incident_id}/edit")
def change(
    incident_id: RowId,
    session: SessionDep,
    now: Now,
    me: PageUser,
    severity: Annotated[str, Form()],
    category: Annotated[str, Form()] = "",
    services: Annotated[list[str] | None, Form()] = None,
    csrf: CsrfField = None,
) -> Response:
    """Severity, root-cause category and impacted services; only what differs is recorded."""
    require_csrf(me, csrf)
    body = validated(
        IncidentPatch,
        {"severity": severity, "category": category or None, "services": services or []},
    )
    service.patch(session, me, incident_id, body, now)
    return _back(incident_id, "changed")


@router.post("/incidents/{incident_id}/groups")
def link(
    incident_id: RowId,
    session: SessionDep,
    now: Now,
    me: PageUser,
    group: Annotated[int, Form(ge=1, le=2**31 - 1)],
    csrf: CsrfField = None,
) -> Response:
    require_csrf(me, csrf)
    service.link_groups(session, me, incident_id, [group], now)
    return _back(incident_id, "linked")


@router.post("/incidents/{incident_id}/notes/{note_id}")
def change_note(
    incident_id: RowId,
    note_id: RowId,
    session: SessionDep,
    now: Now,
    me: PageUser,
    text: Annotated[str, Form(max_length=20_000)] = "",
    delete: Annotated[str, Form()] = "",
    csrf: CsrfField = None,
) -> Response:
    """Edit a note (its old text goes to the audit log), or delete it."""
    require_csrf(me, csrf)
    if delete:
        notes.remove(session, me, incident_id, note_id, now)
        return _back(incident_id, "note-deleted")
    if not text.strip():
        raise Invalid("a note needs text; delete it instead", field="text")
    notes.edit(session, me, incident_id, note_id, text, now)
    return _back(incident_id, "note-edited")


@router.post("/incidents/{incident_id}/status")
def move(
    incident_id: RowId,
    session: SessionDep,
    now: Now,
    me: PageUser,
    status: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
    csrf: CsrfField = None,
) -> Response:
    require_csrf(me, csrf)
    current = records.get_row(session, incident_id).status
    reopen = current == Status.RESOLVED
    body = validated(StatusIn, {"status": status, "note": note, "reopen": reopen})
    service.move(session, me, incident_id, body, now)
    return _back(incident_id, "moved")


@router.post("/incidents/{incident_id}/roles")
def assign(
    incident_id: RowId,
    session: SessionDep,
    now: Now,
    me: PageUser,
    role: Annotated[str, Form()],
    user: Annotated[str, Form()],
    csrf: CsrfField = None,
) -> Response:
    require_csrf(me, csrf)
    if role not in ROLES:
        raise Invalid(f"no role {role!r}", field="role")
    roles.assign(session, me, incident_id, role, user or None, now)
    return _back(incident_id, "assigned")


@router.post("/incidents/{incident_id}/updates")
def post_update(
    incident_id: RowId,
    session: SessionDep,
    now: Now,
    me: PageUser,
    text: Annotated[str, Form(min_length=1, max_length=10_000)],
    csrf: CsrfField = None,
) -> Response:
    require_csrf(me, csrf)
    updates.post(session, me, incident_id, text, now)
    return _back(incident_id, "update-sent")


@router.post("/incidents/{incident_id}/notes")
def add_note(
    incident_id: RowId,
    session: SessionDep,
    now: Now,
    me: PageUser,
    text: Annotated[str, Form(min_length=1, max_length=20_000)],
    csrf: CsrfField = None,
) -> Response:
    require_csrf(me, csrf)
    notes.add(session, me, incident_id, text, now)
    return _back(incident_id, "noted")


@router.post("/incidents/{incident_id}/pins")
def pin(
    incident_id: RowId,
    session: SessionDep,
    now: Now,
    me: PageUser,
    ref: Annotated[str, Form(max_length=40)],
    on: Annotated[bool, Form()] = True,
    csrf: CsrfField = None,
) -> Response:
    require_csrf(me, csrf)
    notes.pin(session, me, incident_id, ref, now, on=on)
    return _back(incident_id, "pinned" if on else "unpinned")


@router.post("/incidents/{incident_id}/instants")
def set_instants(
    incident_id: RowId,
    session: SessionDep,
    now: Now,
    me: PageUser,
    impact_start: InstantField = None,
    detected: InstantField = None,
    acknowledged: InstantField = None,
    mitigated: InstantField = None,
    resolved: InstantField = None,
    impact_end: InstantField = None,
    csrf: CsrfField = None,
) -> Response:
    """The instants form sends every field: an empty one clears the instant, an unchanged
    one changes nothing (and is not audited)."""
    require_csrf(me, csrf)
    sent = {
        "impact_start": impact_start,
        "detected": detected,
        "acknowledged": acknowledged,
        "mitigated": mitigated,
        "resolved": resolved,
        "impact_end": impact_end,
    }
    given = {
        name: parse_instant(text, name, now) if text.strip() else None
        for name, text in sent.items()
        if text is not None
    }
    service.set_instants(session, me, incident_id, validated(InstantsIn, given), now)
    return _back(incident_id, "corrected")


# --- postmortems and action items -----------------------------------------------------------


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
        "responders": _responders(session),
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
