"""The alert group resource over REST: list and read groups, acknowledge and resolve them, and
steer their paging (escalation, snooze, escalate now, reassign). Groups are opened by the
alerts domain's intake; everything people do with them is here, as in the pages
(`group_pages`) and `ninefold alerts` (`cli`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from ninefold.alerts import groups
from ninefold.alerts.groups import Actionable
from ninefold.alerts.schemas import AlertGroupDetail, AlertGroupOut
from ninefold.http import CurrentUser, Limit, Now, Offset, RowId, SessionDep
from ninefold.pagination import Page
from ninefold.paging import acks, actions
from ninefold.paging.overview import escalation_out
from ninefold.paging.schemas import EscalationOut, ReassignBody, SnoozeBody

router = APIRouter(tags=["alerts"])


@router.get(
    "/alert-groups/{group_id}/escalation",
    summary="Route, policy, pages and notifications of an alert group",
)
def get_escalation(group_id: RowId, session: SessionDep, _me: CurrentUser) -> EscalationOut:
    return escalation_out(session, group_id)


@router.post("/alert-groups/{group_id}/snooze", summary="Acknowledge; re-trigger after N minutes")
def snooze(
    group_id: RowId, body: SnoozeBody, session: SessionDep, now: Now, me: CurrentUser
) -> AlertGroupDetail:
    actions.snooze(session, me, group_id, body.minutes, now)
    return groups.detail(session, group_id)


@router.post("/alert-groups/{group_id}/escalate", summary="Page the next step now")
def escalate(group_id: RowId, session: SessionDep, now: Now, me: CurrentUser) -> EscalationOut:
    actions.escalate_now(session, me, group_id, now)
    return escalation_out(session, group_id)


@router.post("/alert-groups/{group_id}/reassign", summary="Hand the group to one person")
def reassign(
    group_id: RowId, body: ReassignBody, session: SessionDep, now: Now, me: CurrentUser
) -> EscalationOut:
    actions.reassign(session, me, group_id, body.user, now)
    return escalation_out(session, group_id)


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
def get_group(group_id: RowId, session: SessionDep, _me: CurrentUser) -> AlertGroupDetail:
    return groups.detail(session, group_id)


class ResolveBody(BaseModel):
    actionable: Actionable | None = Field(
        default=None, description="Was the page actionable: yes, no or unsure."
    )


@router.post(
    "/alert-groups/{group_id}/acknowledge",
    summary="Acknowledge: stops escalation (a shadow's acknowledges their own pages only)",
)
def acknowledge(
    group_id: RowId, session: SessionDep, now: Now, me: CurrentUser
) -> AlertGroupDetail:
    acks.acknowledge(session, me, group_id, now)
    return groups.detail(session, group_id)


@router.post("/alert-groups/{group_id}/resolve", summary="Resolve by hand")
def resolve(
    group_id: RowId, session: SessionDep, now: Now, me: CurrentUser, body: ResolveBody | None = None
) -> AlertGroupDetail:
    groups.resolve(session, me, group_id, now, body.actionable if body else None)
    return groups.detail(session, group_id)
