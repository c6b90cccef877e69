"""The incident pages: the list (filters), the declare form, an incident's page with the
forms that act on it, and the panel on an alert group's page (declare from it, or the
incident that has it).

As with alert groups, the forms post to these routes (session cookie and CSRF token), and
every action ends in a redirect back to the incident, so a reload never repeats it. The
postmortem and action item pages are in `postmortem_pages`.
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
from ninefold.http import Now, Offset, RowId, SessionDep
from ninefold.incidents import (
    notes,
    postmortems,
    read,
    records,
    roles,
    runbooks_used,
    service,
    settings,
    updates,
)
from ninefold.incidents.model import Status
from ninefold.incidents.schemas import (
    ROLE_TITLES,
    ROLES,
    IncidentIn,
    IncidentPatch,
    InstantsIn,
    StatusIn,
)
from ninefold.instants import parse_instant
from ninefold.payloads import validated
from ninefold.settings import Settings
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
        "responders": responders(session),
    }
    return render(request, "incidents/new.html", context)


def responders(session: Session) -> list[str]:
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
        "responders": responders(session),
        "statuses": [s for s in Status if s != incident.status],
        "severities": sorted(settings.severities(session)),
        "categories": sorted(settings.root_causes(session)),
        "services": [s.name for s in catalog.all_services(session)],
        "instant_fields": INSTANT_FIELDS,
        "timeline": list(reversed(incident.timeline)),
        "has_postmortem": postmortems.exists(session, incident_id),
        "runbooks": runbooks_used.fitting(session, incident_id, now),
    }
    return render(request, "incidents/incident.html", context)


@router.post("/incidents/{incident_id}/runbooks")
def use_runbook(
    incident_id: RowId,
    session: SessionDep,
    now: Now,
    me: PageUser,
    runbook: Annotated[str, Form(max_length=64)],
    note: Annotated[str, Form(max_length=2000)] = "",
    csrf: CsrfField = None,
) -> Response:
    require_csrf(me, csrf)
    runbooks_used.use(session, me, incident_id, runbook, now, note)
    return _back(incident_id, "runbook")


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
