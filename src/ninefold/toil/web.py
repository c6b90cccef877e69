"""The toil page: the quarter's toil ratio per team, the top categories as a bar chart, the
hours automation saved per month, the latest entries, and a form to log toil."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ninefold.conventions import CSRF_FORM_FIELD
from ninefold.http import Now, SessionDep
from ninefold.payloads import validated
from ninefold.toil import model, service
from ninefold.toil.schemas import ToilIn
from ninefold.web.pages import PageUser, render, require_csrf

router = APIRouter(include_in_schema=False)
CsrfField = Annotated[str | None, Form(alias=CSRF_FORM_FIELD)]
LATEST = 20


@router.get("/toil")
def toil_page(
    request: Request, session: SessionDep, me: PageUser, now: Now, done: str = ""
) -> HTMLResponse:
    start, end = model.quarter_of(now.date())
    report = service.report(session, start, end)
    widest = max((c.hours for c in report.categories), default=0.0)
    context = {
        "me": me,
        "report": report,
        "widest": widest,
        "entries": service.entries(session, start, end)[:LATEST],
        "done": done,
    }
    return render(request, "toil/toil.html", context)


@router.post("/toil")
def log_toil(
    session: SessionDep,
    now: Now,
    me: PageUser,
    task: Annotated[str, Form()],
    duration: Annotated[str, Form()],
    category: Annotated[str, Form()],
    team: Annotated[str, Form()] = "",
    day: Annotated[str, Form()] = "",
    csrf: CsrfField = None,
) -> Response:
    require_csrf(me, csrf)
    body = validated(
        ToilIn,
        {
            "task": task,
            "duration": duration,
            "category": category,
            "team": team or None,
            "day": day or None,
        },
    )
    service.log(session, me, body, now)
    return RedirectResponse("/toil?done=logged", status_code=303)
