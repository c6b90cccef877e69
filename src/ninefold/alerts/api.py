"""REST endpoints for integrations (intake itself is in `intake_api`; the alert groups it
opens are `paging`'s resource: their API, pages and commands live there)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from ninefold.alerts import integrations
from ninefold.alerts.schemas import IntegrationOut, IntegrationSpec
from ninefold.http import CurrentUser, Limit, Now, Offset, SessionDep, SettingsDep
from ninefold.pagination import Page

router = APIRouter(tags=["alerts"])


@router.get("/integrations", summary="List integrations and their intake URLs")
def list_integrations(
    session: SessionDep,
    me: CurrentUser,
    settings: SettingsDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[IntegrationOut]:
    base = settings.resolved_public_url()
    return integrations.list_page(session, me, base, limit=limit, offset=offset)


@router.post("/integrations", status_code=status.HTTP_201_CREATED, summary="Create an integration")
def create_integration(
    body: IntegrationSpec, session: SessionDep, now: Now, me: CurrentUser, settings: SettingsDep
) -> IntegrationOut:
    return integrations.create(session, me, body, now, settings.resolved_public_url())


@router.post("/integrations/{name}/rotate-key", summary="Give an integration a new URL key")
def rotate_key(
    name: str, session: SessionDep, now: Now, me: CurrentUser, settings: SettingsDep
) -> IntegrationOut:
    return integrations.rotate_key(session, me, name, now, settings.resolved_public_url())


@router.delete(
    "/integrations/{name}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete an integration"
)
def delete_integration(name: str, session: SessionDep, now: Now, me: CurrentUser) -> Response:
    integrations.delete(session, me, name, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
