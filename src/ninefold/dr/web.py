"""The DR pages: readiness per tier, each service's standing against its tier's interval,
the tests with a form to record one, and each test with its follow-ups."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ninefold.auth.model import may_respond
from ninefold.conventions import CSRF_FORM_FIELD
from ninefold.dr import service
from ninefold.dr.schemas import DrTestIn
from ninefold.http import Now, RowId, SessionDep
from ninefold.payloads import validated
from ninefold.web.pages import PageUser, render, require_csrf

router = APIRouter(include_in_schema=False)
CsrfField = Annotated[str | None, Form(alias=CSRF_FORM_FIELD)]
LATEST = 30


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@router.get("/dr")
def dr_page(request: Request, session: SessionDep, me: PageUser, now: Now) -> HTMLResponse:
    today = now.date()
    end = today + timedelta(days=1)
    context = {
        "me": me,
        "can_act": may_respond(me),
        "report": service.report(session, end - timedelta(days=365), end, today),
        "tests": [service.out(session, r, today) for r in service.recorded(session)[:LATEST]],
    }
    return render(request, "dr/dr.html", context)


@router.post("/dr")
def record_test(
    session: SessionDep,
    now: Now,
    me: PageUser,
    scenario: Annotated[str, Form()],
    kind: Annotated[str, Form()],
    services: Annotated[str, Form()],
    rto_measured: Annotated[str, Form()],
    rpo_measured: Annotated[str, Form()],
    ran_on: Annotated[str, Form()] = "",
    evidence: Annotated[str, Form()] = "",
    follow_ups: Annotated[str, Form()] = "",
    csrf: CsrfField = None,
) -> Response:
    require_csrf(me, csrf)
    body = validated(
        DrTestIn,
        {
            "scenario": scenario,
            "kind": kind,
            "services": [s.strip() for s in services.split(",") if s.strip()],
            "ran_on": ran_on or None,
            "rto_measured": rto_measured,
            "rpo_measured": rpo_measured,
            "evidence": _lines(evidence),
            "follow_ups": [{"kind": "prevent", "title": t} for t in _lines(follow_ups)],
        },
    )
    found = service.record(session, me, body, now)
    return RedirectResponse(f"/dr/{found.id}", status_code=303)


@router.get("/dr/{test_id}")
def test_page(
    request: Request, test_id: RowId, session: SessionDep, me: PageUser, now: Now
) -> HTMLResponse:
    found = service.out(session, service.get_row(session, test_id), now.date())
    return render(request, "dr/test.html", {"me": me, "test": found})
