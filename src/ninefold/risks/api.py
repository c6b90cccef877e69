"""REST endpoints: the risk register, its heat map, risks added and changed, reviews."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from ninefold.http import CurrentUser, Limit, Now, Offset, SessionDep
from ninefold.pagination import Page, page_of
from ninefold.risks import service
from ninefold.risks.schemas import (
    HeatMap,
    ReviewIn,
    ReviewOut,
    RiskOut,
    RiskPatch,
    RiskSpec,
    Status,
)

router = APIRouter(tags=["risks"])


@router.get("/risks", summary="The risk register, highest score first")
def list_risks(
    session: SessionDep,
    _me: CurrentUser,
    now: Now,
    service_name: Annotated[str | None, Query(alias="service")] = None,
    risk_status: Annotated[Status | None, Query(alias="status")] = None,
    overdue: Annotated[
        bool, Query(description="Only those whose review or mitigation is overdue.")
    ] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[RiskOut]:
    found = service.register(session, now.date(), service_name, risk_status, overdue)
    return page_of(found, limit=limit, offset=offset)


@router.get("/risk-heat-map", summary="Open risks by likelihood and impact")
def heat_map(session: SessionDep, _me: CurrentUser) -> HeatMap:
    return service.heat_map(session)


@router.post("/risks", status_code=status.HTTP_201_CREATED, summary="Add a risk")
def add_risk(body: RiskSpec, session: SessionDep, now: Now, me: CurrentUser) -> RiskOut:
    return service.create(session, me, body, now)


@router.get("/risks/{name}", summary="A risk")
def get_risk(name: str, session: SessionDep, _me: CurrentUser, now: Now) -> RiskOut:
    return service.get(session, name, now.date())


@router.patch("/risks/{name}", summary="Change a risk")
def change_risk(
    name: str, body: RiskPatch, session: SessionDep, now: Now, me: CurrentUser
) -> RiskOut:
    return service.update(session, me, name, body, now)


@router.post(
    "/risks/{name}/reviews", status_code=status.HTTP_201_CREATED, summary="Record a review"
)
def review_risk(
    name: str, body: ReviewIn, session: SessionDep, now: Now, me: CurrentUser
) -> ReviewOut:
    return service.review(session, me, name, body, now)


@router.get("/risks/{name}/reviews", summary="A risk's reviews, newest first")
def list_reviews(
    name: str, session: SessionDep, _me: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> Page[ReviewOut]:
    return page_of(service.reviews(session, name), limit=limit, offset=offset)
