"""What every route shares: the request's database session and who is asking.

Route signatures read like prose with these:
`def f(session: SessionDep, me: CurrentUser, now: Now)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Path, Query, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from ninefold.auth import service as auth_service
from ninefold.auth.model import Principal
from ninefold.clock import Clock
from ninefold.conventions import CSRF_HEADER, SESSION_COOKIE
from ninefold.errors import Forbidden, Unauthenticated
from ninefold.pagination import MAX_LIMIT
from ninefold.settings import Settings
from ninefold.spec import MAX_INT

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request, committed before the response is sent.

    Used with `scope="function"` (below): FastAPI then ends the dependency, committing,
    right after the route returns and before the response goes out, so a 2xx means the
    change is durable, and a failed commit still becomes an error response. With the default
    ("request") scope the commit would run after the response: a browser following a
    redirect could arrive before the data, and a client could hear "done" for a change that
    then failed. An exception in the route rolls everything back.
    """
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session, session.begin():
        yield session


def get_now(request: Request) -> datetime:
    """The app's clock, read once per request: every dependency and the route share it."""
    clock: Clock = request.app.state.clock
    return clock()


SettingsDep = Annotated[Settings, Depends(get_settings)]
Now = Annotated[datetime, Depends(get_now)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def authenticate(request: Request, session: Session, now: datetime) -> Principal:
    """A bearer token, else the session cookie (with a CSRF check on changes)."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthenticated("Authorization header must be 'Bearer <token>'")
        return auth_service.principal_from_token(session, secret.strip(), now)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise Unauthenticated("log in or send an API token as 'Authorization: Bearer <token>'")
    principal = auth_service.principal_from_session(session, cookie, now)
    if (
        request.method not in SAFE_METHODS
        and request.headers.get(CSRF_HEADER) != principal.csrf_token
    ):
        raise Forbidden(f"missing or wrong {CSRF_HEADER} header for a cookie-authenticated change")
    return principal


# Declares the bearer scheme in the OpenAPI document (and Swagger UI's "Authorize");
# `authenticate` reads the header itself, so that a malformed one is an error that says so.
_bearer = HTTPBearer(auto_error=False, description="An API token (`ninefold token create`).")


def current_principal(
    request: Request,
    session: SessionDep,
    now: Now,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> Principal:
    return authenticate(request, session, now)


CurrentUser = Annotated[Principal, Depends(current_principal)]


async def raw_body(request: Request) -> bytes:
    """The bytes on the wire, for webhooks whose signature covers them."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=MAX_INT, description="Items to skip.")]
RowId = Annotated[int, Path(ge=1, le=MAX_INT, description="The record's id.")]
# A report's period and selection, as every report endpoint takes them.
PeriodStart = Annotated[
    str | None,
    Query(
        alias="from",
        description="Start (included): ISO 8601 or a date; default: 30 days before `to`.",
    ),
]
PeriodEnd = Annotated[str | None, Query(alias="to", description="End (excluded); default: now.")]
TeamQuery = Annotated[str | None, Query(description="The services of this team.")]
TierQuery = Annotated[int | None, Query(ge=0, le=3, description="The services of this tier.")]
