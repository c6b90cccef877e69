"""Pages of on-call: the schedules with who is on call now, a schedule's next two weeks as a
timeline, and "my shifts" with the calendar feed a person subscribes to.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from ninefold.auth import service as auth_service
from ninefold.auth.model import Principal
from ninefold.conventions import CSRF_FORM_FIELD
from ninefold.http import Now, SessionDep, SettingsDep
from ninefold.oncall import browse, calendars
from ninefold.oncall.bars import bars, day_ticks
from ninefold.web.pages import PageUser, render, require_csrf

router = APIRouter(include_in_schema=False)

TIMELINE = timedelta(days=14)
MY_SHIFTS = timedelta(days=28)


@router.get("/schedules")
def schedules_page(request: Request, session: SessionDep, now: Now, me: PageUser) -> HTMLResponse:
    context = {"me": me, "schedules": browse.all_summaries(session, now)}
    return render(request, "oncall/schedules.html", context)


@router.get("/schedules/{name}")
def schedule_page(
    request: Request, name: str, session: SessionDep, now: Now, me: PageUser
) -> HTMLResponse:
    window = (now, now + TIMELINE)
    schedule = browse.detail(session, name, window, now)
    context = {
        "me": me,
        "schedule": schedule,
        "bars": bars(schedule.shifts, *window),
        "ticks": day_ticks(*window, schedule.time_zone),
    }
    return render(request, "oncall/schedule.html", context)


def _my_shifts(
    request: Request, session: Session, now: datetime, me: Principal, **extra: object
) -> HTMLResponse:
    user = auth_service.get_user_row(session, me.name)
    summaries = browse.all_summaries(session, now)
    context = {
        "me": me,
        "time_zone": user.time_zone,
        "days": MY_SHIFTS.days,
        "shifts": browse.shifts_of(session, me.name, now, now + MY_SHIFTS),
        "on_call_now": [s.name for s in summaries if me.name in s.on_call_now],
        "shadowing_now": [
            f"{shadow.of} in {s.name}"
            for s in summaries
            for shadow in s.shadows_now
            if shadow.person == me.name
        ],
        **extra,
    }
    return render(request, "oncall/my_shifts.html", context)


@router.get("/my-shifts")
def my_shifts_page(request: Request, session: SessionDep, now: Now, me: PageUser) -> HTMLResponse:
    return _my_shifts(request, session, now, me)


@router.post("/my-shifts/calendar")
def new_calendar_link(
    request: Request,
    session: SessionDep,
    now: Now,
    settings: SettingsDep,
    me: PageUser,
    csrf: Annotated[str | None, Form(alias=CSRF_FORM_FIELD)] = None,
) -> HTMLResponse:
    """Shows the feed URLs once; the page that follows a reload no longer has them."""
    require_csrf(me, csrf)
    made = calendars.new_token(session, me, settings.resolved_public_url(), now)
    return _my_shifts(request, session, now, me, calendar=made.urls)
