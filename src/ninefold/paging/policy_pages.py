"""The escalation page: the routes in the order they are tried, and each policy's steps with
who a step would page right now."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ninefold.http import Now, SessionDep
from ninefold.oncall import browse
from ninefold.paging import policies
from ninefold.web.pages import PageUser, render

router = APIRouter(include_in_schema=False)


@router.get("/escalation-policies")
def policies_page(request: Request, session: SessionDep, now: Now, me: PageUser) -> HTMLResponse:
    on_call = {s.name: s.on_call_now for s in browse.all_summaries(session, now)}
    context = {
        "me": me,
        "routes": [policies.route_spec(row) for row in policies.route_rows(session)],
        "policies": [policies.policy_spec(row) for row in policies.policy_rows(session)],
        "on_call": on_call,
    }
    return render(request, "paging/escalation_policies.html", context)
