"""The risk register page: the heat map, the risks highest score first with their overdue
flags, and a form to record a review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ninefold.auth.model import may_respond
from ninefold.conventions import CSRF_FORM_FIELD
from ninefold.http import Now, SessionDep
from ninefold.risks import model, service
from ninefold.risks.schemas import ReviewIn
from ninefold.web.pages import PageUser, render, require_csrf

router = APIRouter(include_in_schema=False)
CsrfField = Annotated[str | None, Form(alias=CSRF_FORM_FIELD)]


@router.get("/risks")
def risks_page(
    request: Request, session: SessionDep, me: PageUser, now: Now, done: str = ""
) -> HTMLResponse:
    context = {
        "me": me,
        "can_act": may_respond(me),
        "risks": service.register(session, now.date()),
        "cells": service.heat_map(session).cells,
        "band": model.band,
        "done": done,
    }
    return render(request, "risks/risks.html", context)


@router.post("/risks/{name}/reviews")
def review_risk(
    name: str,
    session: SessionDep,
    now: Now,
    me: PageUser,
    note: Annotated[str, Form()] = "",
    csrf: CsrfField = None,
) -> Response:
    require_csrf(me, csrf)
    service.review(session, me, name, ReviewIn(note=note), now)
    return RedirectResponse(f"/risks?done={name}", status_code=303)
