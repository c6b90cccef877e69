"""The page a signed acknowledge or resolve link opens: no login, one button.

GET only shows what the link will do (mail scanners fetch links; they must not acknowledge
anything); the button POSTs, and the link's signature is the authority.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from ninefold.alerts import groups
from ninefold.http import Now, SessionDep
from ninefold.paging import actions
from ninefold.paging.notifications.links import LINK_PATH
from ninefold.web.pages import render

router = APIRouter(include_in_schema=False)

VERBS = {"ack": "Acknowledge", "resolve": "Resolve"}


@router.get(LINK_PATH + "{token}")
def confirm(request: Request, token: str, session: SessionDep, now: Now) -> HTMLResponse:
    grant, _ = actions.link_grant(session, token, now)
    group = groups.get_row(session, grant.group_id)
    context = {"me": None, "grant": grant, "group": group, "verb": VERBS[grant.action]}
    return render(request, "paging/act.html", context)


@router.post(LINK_PATH + "{token}")
def act(
    request: Request,
    token: str,
    session: SessionDep,
    now: Now,
    actionable: Annotated[groups.Actionable | None, Form()] = None,
) -> HTMLResponse:
    grant, done = actions.act_by_link(session, token, now, actionable)
    group = groups.get_row(session, grant.group_id)
    context = {
        "me": None,
        "grant": grant,
        "group": group,
        "verb": VERBS[grant.action],
        "done": True,
        "changed": done.changed,
        "shadow": done.shadow,
    }
    return render(request, "paging/act.html", context)
