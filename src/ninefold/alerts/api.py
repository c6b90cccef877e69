"""REST endpoints for integrations and alert groups (intake itself is in `intake_api`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from ninefold.alerts import groups, integrations
from ninefold.alerts.groups import Actionable
from ninefold.alerts.schemas import AlertGroupDetail, AlertGroupOut, IntegrationOut, IntegrationSpec
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


@router.get("/alert-groups", summary="List alert groups, newest first")
def list_groups(
    session: SessionDep,
    _me: CurrentUser,
    state: Annotated[str | None, Query(description="triggered, acknowledged or resolved.")] = None,
    service: Annotated[str | None, Query(description="Service name.")] = None,
    severity: Annotated[str | None, Query(description="Severity label, e.g. critical.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AlertGroupOut]:
    return groups.list_groups(
        session, state=state, service=service, severity=severity, limit=limit, offset=offset
    )


@router.get("/alert-groups/{group_id}", summary="An alert group with its alerts and timeline")
def get_group(group_id: int, session: SessionDep, _me: CurrentUser) -> AlertGroupDetail:
    return groups.detail(session, group_id)


class ResolveBody(BaseModel):
    actionable: Actionable | None = Field(
        default=None, description="Was the page actionable: yes, no or unsure."
    )


@router.post("/alert-groups/{group_id}/acknowledge", summary="Acknowledge: stops escalation")
def acknowledge(group_id: int, session: SessionDep, now: Now, me: CurrentUser) -> AlertGroupDetail:
    groups.acknowledge(session, me, group_id, now)
    return groups.detail(session, group_id)


@router.post("/alert-groups/{group_id}/resolve", summary="Resolve by hand")
def resolve(
    group_id: int, session: SessionDep, now: Now, me: CurrentUser, body: ResolveBody | None = None
) -> AlertGroupDetail:
    groups.resolve(session, me, group_id, now, body.actionable if body else None)
    return groups.detail(session, group_id)
