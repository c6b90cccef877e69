"""REST endpoints for teams, services and the dependency graph."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from ninefold.catalog import service
from ninefold.catalog.schemas import (
    DependencyReport,
    Lifecycle,
    ServiceOut,
    ServiceSpec,
    ServiceUpdate,
    TeamOut,
    TeamSpec,
    TeamUpdate,
)
from ninefold.http import CurrentUser, Limit, Now, Offset, SessionDep
from ninefold.pagination import Page

router = APIRouter(tags=["catalog"])


@router.get("/teams", summary="List teams")
def list_teams(
    session: SessionDep, _me: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> Page[TeamOut]:
    return service.list_teams(session, limit=limit, offset=offset)


@router.post("/teams", status_code=status.HTTP_201_CREATED, summary="Create a team")
def create_team(body: TeamSpec, session: SessionDep, me: CurrentUser, now: Now) -> TeamOut:
    return service.create_team(session, me, body, now)


@router.get("/teams/{name}", summary="Get a team")
def get_team(name: str, session: SessionDep, _me: CurrentUser) -> TeamOut:
    return service.team_out(service.get_team_row(session, name))


@router.patch("/teams/{name}", summary="Change some fields of a team")
def update_team(
    name: str, body: TeamUpdate, session: SessionDep, me: CurrentUser, now: Now
) -> TeamOut:
    return service.update_team(session, me, name, body, now)


@router.delete("/teams/{name}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a team")
def delete_team(name: str, session: SessionDep, me: CurrentUser, now: Now) -> Response:
    service.delete_team(session, me, name, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/services", summary="List services")
def list_services(
    session: SessionDep,
    _me: CurrentUser,
    team: Annotated[str | None, Query(description="Owner team name.")] = None,
    tier: Annotated[int | None, Query(ge=0, le=3, description="Tier 0-3.")] = None,
    lifecycle: Annotated[Lifecycle | None, Query(description="Lifecycle stage.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ServiceOut]:
    return service.list_services(
        session, team=team, tier=tier, lifecycle=lifecycle, limit=limit, offset=offset
    )


@router.post("/services", status_code=status.HTTP_201_CREATED, summary="Create a service")
def create_service(body: ServiceSpec, session: SessionDep, me: CurrentUser, now: Now) -> ServiceOut:
    return service.create_service(session, me, body, now)


@router.get("/services/{name}", summary="Get a service")
def get_service(name: str, session: SessionDep, _me: CurrentUser) -> ServiceOut:
    return service.service_out(service.get_service_row(session, name))


@router.patch("/services/{name}", summary="Change some fields of a service")
def update_service(
    name: str, body: ServiceUpdate, session: SessionDep, me: CurrentUser, now: Now
) -> ServiceOut:
    return service.update_service(session, me, name, body, now)


@router.delete(
    "/services/{name}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a service"
)
def delete_service(name: str, session: SessionDep, me: CurrentUser, now: Now) -> Response:
    service.delete_service(session, me, name, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/services/{name}/dependencies",
    summary="What a service needs and what needs it, transitively",
)
def dependencies(name: str, session: SessionDep, _me: CurrentUser) -> DependencyReport:
    return service.dependencies(session, name)
