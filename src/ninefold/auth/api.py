"""REST endpoints of auth: the audit log and the users list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ninefold.auth import audit
from ninefold.auth import service as auth_service
from ninefold.auth.model import require_admin
from ninefold.auth.schemas import AuditOut, UserOut
from ninefold.http import CurrentUser, Limit, Offset, SessionDep
from ninefold.pagination import Page

router = APIRouter(tags=["auth"])


@router.get("/audit", summary="List audit log entries, newest first")
def list_audit(
    session: SessionDep,
    me: CurrentUser,
    kind: Annotated[
        str | None, Query(description="Object kind: user, team, service, token.")
    ] = None,
    name: Annotated[str | None, Query(description="Object name.")] = None,
    actor: Annotated[str | None, Query(description="Who made the change.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AuditOut]:
    require_admin(me, "read the audit log")
    return audit.list_entries(
        session, kind=kind, name=name, actor=actor, limit=limit, offset=offset
    )


@router.get("/users", summary="List users")
def list_users(
    session: SessionDep, _me: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> Page[UserOut]:
    return auth_service.list_users(session, limit=limit, offset=offset)
