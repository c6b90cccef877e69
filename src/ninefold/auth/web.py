"""Pages of auth: log in, log out, the audit log."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ninefold.auth import audit
from ninefold.auth import service as auth_service
from ninefold.auth.model import require_admin
from ninefold.auth.passwords import new_secret
from ninefold.conventions import CSRF_FORM_FIELD, LOGIN_CSRF_COOKIE, SESSION_COOKIE
from ninefold.http import Now, Offset, SessionDep, SettingsDep
from ninefold.settings import Settings
from ninefold.web.pages import PageUser, render, require_csrf

router = APIRouter(include_in_schema=False)


def _safe_next(target: str) -> str:
    """Only local paths, so the login form cannot be used to send people elsewhere.

    Browsers read a backslash as a slash and drop tabs and newlines from an address, so
    `/\\evil.example` and `/<TAB>/evil.example` lead off-site as surely as `//evil.example`.
    """
    local = target.startswith("/") and not target.startswith("//")
    if not local or "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return "/"
    return target


def _login_page(
    request: Request,
    settings: Settings,
    *,
    next_: str,
    error: str | None = None,
    username: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """The login form, with a login CSRF token in a hidden field and in a cookie.

    Without it another site could post its own credentials to this form and have the victim
    work, unknowingly, in the attacker's account (login CSRF). The two must match on post.
    """
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_secret()
    context = {"me": None, "next": _safe_next(next_), "error": error, "username": username}
    response = render(request, "auth/login.html", {**context, "login_csrf": token}, status_code)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=24 * 3600,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
        path="/login",
    )
    return response


@router.get("/login")
def login_form(request: Request, settings: SettingsDep, next: str = "/") -> HTMLResponse:
    return _login_page(request, settings, next_=next)


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    now: Now,
    settings: SettingsDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
    csrf_token: Annotated[str | None, Form(alias=CSRF_FORM_FIELD)] = None,
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not csrf_token or not expected or not secrets.compare_digest(csrf_token, expected):
        return _login_page(
            request,
            settings,
            next_=next,
            error="The login form was stale; please log in again.",
            username=username,
            status_code=403,
        )
    client = request.client.host if request.client else "unknown"
    result = auth_service.login(
        session,
        username,
        password,
        client,
        now,
        max_failures=settings.login_max_failures,
        window=timedelta(minutes=settings.login_window_minutes),
        lifetime=timedelta(hours=settings.session_hours),
    )
    if result.session_id is None:
        return _login_page(
            request, settings, next_=next, error=result.error, username=username, status_code=401
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        result.session_id,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    return response


@router.post("/logout")
def logout(
    request: Request,
    session: SessionDep,
    me: PageUser,
    csrf_token: Annotated[str | None, Form(alias=CSRF_FORM_FIELD)] = None,
) -> Response:
    require_csrf(me, csrf_token)
    auth_service.logout(session, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/audit")
def audit_page(
    request: Request,
    session: SessionDep,
    me: PageUser,
    kind: str | None = None,
    name: str | None = None,
    offset: Offset = 0,
) -> HTMLResponse:
    require_admin(me, "read the audit log")
    page = audit.list_entries(
        session, kind=kind or None, name=name or None, limit=50, offset=offset
    )
    filters = {k: v for k, v in {"kind": kind, "name": name}.items() if v}
    query = urlencode(filters) + "&" if filters else ""
    return render(
        request,
        "auth/audit.html",
        {"me": me, "page": page, "kind": kind, "name": name, "query": query},
    )
