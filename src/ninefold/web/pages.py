"""Shared page machinery: one Jinja2 environment over every domain's templates, the
navigation bar, the logged-in user of a page, and the CSRF check of forms.

Each domain's templates are named after it (`"catalog/home.html"`), the shared ones after
`web` (`"web/base.html"`), so that two domains' `home.html` never shadow each other.
Templates autoescape, so whatever a user typed is shown as text, never as markup.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import BaseLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy.orm import Session

from ninefold import __version__
from ninefold.auth import service as auth_service
from ninefold.auth.model import Principal
from ninefold.conventions import CSRF_FORM_FIELD, CSRF_HEADER, SESSION_COOKIE
from ninefold.domains import DOMAINS
from ninefold.errors import Forbidden, Unauthenticated
from ninefold.http import Now, SessionDep
from ninefold.weblinks import is_web_url

TEMPLATES: dict[str, BaseLoader] = {"web": FileSystemLoader(Path(__file__).parent / "templates")}
TEMPLATES |= {d.name: FileSystemLoader(d.templates) for d in DOMAINS if d.templates}

_environment = Environment(
    loader=PrefixLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.globals["version"] = __version__
_environment.filters["as_json"] = lambda value, indent=None: json.dumps(
    value, ensure_ascii=False, indent=indent, sort_keys=True
)
_environment.filters["in_zone"] = lambda value, zone: value.astimezone(ZoneInfo(zone))
# `{{ text | markdown }}`: what people wrote (a postmortem) as HTML. Raw HTML in it stays
# text and links with a script scheme are dropped (CommonMark's rules in markdown-it).
_markdown = MarkdownIt("commonmark", {"html": False})
_environment.filters["markdown"] = lambda text: Markup(_markdown.render(text or ""))  # noqa: S704
# `{% if url is web_url %}`: the only test under which an outside address becomes a link.
_environment.tests["web_url"] = is_web_url
_environment.globals["csrf_field"] = CSRF_FORM_FIELD
_environment.globals["csrf_header"] = CSRF_HEADER
templates = Jinja2Templates(env=_environment)


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def render_fragment(name: str, context: dict[str, Any]) -> Markup:
    """A piece of a page, rendered by one domain for another's page (see `ServicePanel`)."""
    return Markup(_environment.get_template(name).render(context))  # noqa: S704 (autoescaped)


# A domain's contribution to the service page: given the request's session, a service name
# and the request's `now`, the HTML of a panel. Domains add theirs in their `web_setup`; the
# catalog renders them in the order added.
ServicePanel = Callable[[Session, str, datetime], Markup]
# A domain's contribution to the home page, under the catalog's overview.
HomePanel = Callable[[Session, datetime], Markup]
# A domain's contribution to an alert group's page (the incident that has it), given the
# session, the group's id, who is looking and the request's `now`.
GroupPanel = Callable[[Session, int, Principal, datetime], Markup]


def add_service_panel(app: FastAPI, panel: ServicePanel) -> None:
    app.state.service_panels.append(panel)


def add_home_panel(app: FastAPI, panel: HomePanel) -> None:
    app.state.home_panels.append(panel)


def add_group_panel(app: FastAPI, panel: GroupPanel) -> None:
    app.state.group_panels.append(panel)


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    me = getattr(request.state, "principal", None)
    return render(
        request,
        "web/error.html",
        {"me": me, "status": status_code, "message": message},
        status_code,
    )


def page_principal(request: Request, session: SessionDep, now: Now) -> Principal:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise Unauthenticated("log in first")
    principal = auth_service.principal_from_session(session, cookie, now)
    request.state.principal = principal
    return principal


PageUser = Annotated[Principal, Depends(page_principal)]


def require_csrf(me: Principal, sent: str | None) -> None:
    """Form posts carry the session's CSRF token in a hidden field; anything else is refused."""
    if not sent or sent != me.csrf_token:
        raise Forbidden("the form's CSRF token is missing or stale; reload the page and try again")


# The navigation bar: every domain's entries (`Domain.nav`), by their order.
NAV = [
    (entry.label, entry.path, entry.admins_only)
    for entry in sorted((e for d in DOMAINS for e in d.nav), key=lambda e: e.order)
]
_environment.globals["nav"] = NAV
