"""REST endpoints that steer a group's paging: its escalation, snooze, escalate, reassign."""

from __future__ import annotations

from fastapi import APIRouter

from ninefold.alerts import groups
from ninefold.alerts.schemas import AlertGroupDetail
from ninefold.http import CurrentUser, Now, SessionDep
from ninefold.paging import actions
from ninefold.paging.overview import escalation_out
from ninefold.paging.schemas import EscalationOut, ReassignBody, SnoozeBody

router = APIRouter(tags=["alerts"])


@router.get(
    "/alert-groups/{group_id}/escalation",
    summary="Route, policy, pages and notifications of an alert group",
)
def get_escalation(group_id: int, session: SessionDep, _me: CurrentUser) -> EscalationOut:
    return escalation_out(session, group_id)


@router.post("/alert-groups/{group_id}/snooze", summary="Acknowledge; re-trigger after N minutes")
def snooze(
    group_id: int, body: SnoozeBody, session: SessionDep, now: Now, me: CurrentUser
) -> AlertGroupDetail:
    actions.snooze(session, me, group_id, body.minutes, now)
    return groups.detail(session, group_id)


@router.post("/alert-groups/{group_id}/escalate", summary="Page the next step now")
def escalate(group_id: int, session: SessionDep, now: Now, me: CurrentUser) -> EscalationOut:
    actions.escalate_now(session, me, group_id, now)
    return escalation_out(session, group_id)


@router.post("/alert-groups/{group_id}/reassign", summary="Hand the group to one person")
def reassign(
    group_id: int, body: ReassignBody, session: SessionDep, now: Now, me: CurrentUser
) -> EscalationOut:
    actions.reassign(session, me, group_id, body.user, now)
    return escalation_out(session, group_id)
