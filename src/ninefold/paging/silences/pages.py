"""The page of silences and maintenance windows: what holds paging back now and what is planned,
and what ended lately (they are made through the API; see docs/paging.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ninefold.http import Now, SessionDep
from ninefold.pagination import MAX_LIMIT, every
from ninefold.paging.silences import service as silences
from ninefold.web.pages import PageUser, render

router = APIRouter(include_in_schema=False)
RECENT = 20


@router.get("/silences")
def silences_page(request: Request, session: SessionDep, now: Now, me: PageUser) -> HTMLResponse:
    context = {
        "me": me,
        "silences": every(
            lambda offset: silences.list_silences(session, now, limit=MAX_LIMIT, offset=offset)
        ),
        "windows": every(
            lambda offset: silences.list_windows(session, now, limit=MAX_LIMIT, offset=offset)
        ),
        "ended": silences.list_silences(session, now, "expired", limit=RECENT).items,
    }
    return render(request, "paging/silences.html", context)
