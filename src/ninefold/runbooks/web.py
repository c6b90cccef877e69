"""The runbook pages: the list with freshness, coverage of the paging alerts, each runbook
rendered with its tests and a form to record one; and the runbooks panel of an alert group's
page."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from ninefold.alerts import groups
from ninefold.auth.model import Principal, may_respond
from ninefold.conventions import CSRF_FORM_FIELD
from ninefold.http import Now, SessionDep
from ninefold.runbooks import coverage, service
from ninefold.settings import Settings
from ninefold.web.pages import PageUser, add_group_panel, render, render_fragment, require_csrf

router = APIRouter(include_in_schema=False)
CsrfField = Annotated[str | None, Form(alias=CSRF_FORM_FIELD)]


def setup(app: FastAPI, _settings: Settings) -> None:
    add_group_panel(app, group_panel)


def group_panel(session: Session, group_id: int, _me: Principal, now: datetime) -> Markup:
    """On an alert group's page: the runbooks of its alert, or that it has none."""
    row = groups.get_row(session, group_id)
    alertname = row.labels.get("alertname", row.title)
    found = service.for_alert(session, alertname, row.service, now)
    context = {"runbooks": found, "alertname": alertname, "service": row.service}
    return render_fragment("runbooks/group_panel.html", context)


@router.get("/runbooks")
def runbooks_page(request: Request, session: SessionDep, me: PageUser, now: Now) -> HTMLResponse:
    context = {
        "me": me,
        "runbooks": service.list_runbooks(session, now),
        "coverage": coverage.coverage(session, now),
    }
    return render(request, "runbooks/runbooks.html", context)


def _text(body: str, title: str) -> str:
    """The body without its `# Title` line: the page's own heading says it once."""
    first, _, rest = body.lstrip("\n").partition("\n")
    return rest if first.strip() == f"# {title}" else body


@router.get("/runbooks/{name}")
def runbook_page(
    request: Request, name: str, session: SessionDep, me: PageUser, now: Now, done: str = ""
) -> HTMLResponse:
    found = service.get_runbook(session, name, now)
    context = {
        "me": me,
        "runbook": found,
        "text": _text(found.body, found.title),
        "can_act": may_respond(me),
        "done": done,
    }
    return render(request, "runbooks/runbook.html", context)


@router.post("/runbooks/{name}/tests")
def record_test(
    name: str,
    session: SessionDep,
    now: Now,
    me: PageUser,
    note: Annotated[str, Form(max_length=2000)] = "",
    csrf: CsrfField = None,
) -> Response:
    require_csrf(me, csrf)
    service.record_test(session, me, name, now, "web", note)
    return RedirectResponse(f"/runbooks/{name}?done=tested", status_code=303)
