"""REST endpoints: the readiness rubric, every service's scorecard and one's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ninefold.http import CurrentUser, Limit, Now, Offset, SessionDep, SettingsDep
from ninefold.pagination import Page, page_of
from ninefold.readiness import service
from ninefold.readiness.schemas import LevelOut, ScorecardOut

router = APIRouter(tags=["readiness"])


@router.get("/readiness", summary="Every service's readiness scorecard")
def list_scorecards(
    session: SessionDep,
    settings: SettingsDep,
    _me: CurrentUser,
    now: Now,
    tier: Annotated[int | None, Query(ge=0, le=3)] = None,
    below_required: Annotated[
        bool, Query(description="Only the services below the level their tier requires.")
    ] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ScorecardOut]:
    found = [
        service.out(card)
        for card in service.scorecards(session, settings.config_dir, now)
        if (tier is None or card.tier == tier) and not (below_required and card.meets_required)
    ]
    return page_of(found, limit=limit, offset=offset)


@router.get("/readiness/levels", summary="The readiness rubric: its levels, lowest first")
def list_levels(
    session: SessionDep, _me: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> Page[LevelOut]:
    return page_of(service.level_outs(session), limit=limit, offset=offset)


@router.get("/readiness/{name}", summary="A service's readiness scorecard")
def get_scorecard(
    name: str, session: SessionDep, settings: SettingsDep, _me: CurrentUser, now: Now
) -> ScorecardOut:
    return service.scorecard(session, settings.config_dir, now, name)
