"""What responders do to a paging alert group beyond acknowledging and resolving it: snooze
it, escalate it now, reassign it to someone; and the same acknowledge and resolve reached
through a signed link instead of a login.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ninefold.alerts import groups
from ninefold.alerts.service import ACKNOWLEDGED, GROUP_RESOLVED, TRIGGERED
from ninefold.auth.model import Principal, Role, require_responder
from ninefold.auth.service import find_user, users_by_name
from ninefold.errors import Conflict, Invalid, NotFound
from ninefold.paging import escalation as esc
from ninefold.paging import storms
from ninefold.paging.acks import Acknowledgement, acknowledge, refuse_shadow
from ninefold.paging.notifications.links import Grant, instance_secret, read_token
from ninefold.paging.tables import Escalation
from ninefold.worker import queue

if TYPE_CHECKING:
    from ninefold.alerts.tables import AlertGroup

JOB_UNSNOOZE = "alert_group.unsnooze"
MAX_SNOOZE = timedelta(days=1)
REASSIGNED = "reassigned"


def _open_group(session: Session, group_id: int, action: str) -> AlertGroup:
    group = groups.get_row(session, group_id, lock=True)
    if group.state == GROUP_RESOLVED:
        raise Conflict(f"alert group {group_id} is resolved; there is nothing to {action}")
    return group


def _escalation(session: Session, group: AlertGroup) -> Escalation:
    row = esc.get_escalation(session, group.id, lock=True)
    if row is None:
        raise Conflict(
            f"alert group {group.id} has not started paging yet (the worker routes it within "
            "seconds); try again shortly"
        )
    return row


def snooze(
    session: Session, actor: Principal, group_id: int, minutes: int, now: datetime
) -> datetime:
    """Acknowledge now and re-trigger after `minutes` unless it resolves first."""
    require_responder(actor, "snooze alerts")
    refuse_shadow(session, actor, group_id, "snooze")
    if not 1 <= minutes <= MAX_SNOOZE.total_seconds() // 60:
        raise Invalid("snooze for 1 to 1440 minutes", field="minutes")
    group = _open_group(session, group_id, "snooze")
    escalation = _escalation(session, group)
    if group.state == TRIGGERED:
        groups.acknowledge(session, actor, group_id, now)
    until = now + timedelta(minutes=minutes)
    escalation.snoozed_until = until
    esc.event(session, group, now, "snoozed", by=actor.name, until=until.isoformat())
    queue.enqueue(
        session,
        JOB_UNSNOOZE,
        {"group_id": group.id, "until": until.isoformat()},
        until,
        now=now,
        dedup_key=f"{JOB_UNSNOOZE}:{group.id}:{until.isoformat()}",
    )
    return until


def unsnooze(session: Session, group_id: int, until: str, now: datetime) -> None:
    """The snooze job: re-trigger and page from the first step again, unless the group was
    resolved, snoozed anew (a later `until`) or re-triggered some other way meanwhile."""
    group = groups.find_row(session, group_id)
    escalation = esc.get_escalation(session, group_id, lock=True)
    if group is None or escalation is None or group.state != ACKNOWLEDGED:
        return
    if escalation.snoozed_until is None or escalation.snoozed_until.isoformat() != until:
        return
    escalation.snoozed_until = None
    groups.retrigger(session, group, now, esc.SYSTEM, "snooze ended")
    _restart(session, escalation, group, now)


def _restart(session: Session, escalation: Escalation, group: AlertGroup, now: datetime) -> None:
    """A new round from the first step of the policy the group routes to now."""
    routing = storms.route_of(session, group)
    escalation.round += 1
    escalation.policy = routing.policy
    escalation.level = escalation.pass_number = escalation.step = 0
    escalation.assignee = None
    escalation.state = esc.RUNNING if routing.policy else esc.UNROUTED
    escalation.held_by = None
    if routing.policy:
        esc.run_or_hold(session, escalation, group, now)


def escalate_now(session: Session, actor: Principal, group_id: int, now: datetime) -> None:
    """Page the next step at once instead of waiting; an acknowledged group is re-triggered.
    A group folded into an alert storm leaves it: it pages on its own, from the first step."""
    require_responder(actor, "escalate alerts")
    group = _open_group(session, group_id, "escalate")
    escalation = _escalation(session, group)
    if escalation.state in (esc.EXHAUSTED, esc.UNROUTED):
        raise Conflict(
            f"alert group {group_id} has no further escalation step ({escalation.state}); "
            "reassign it to someone instead"
        )
    if group.state == ACKNOWLEDGED:
        groups.retrigger(session, group, now, actor.name, "escalated")
    unfolded = {"unfolded": True} if escalation.state == storms.FOLDED else {}
    esc.event(session, group, now, "escalated", by=actor.name, **unfolded)
    escalation.state = esc.RUNNING
    escalation.snoozed_until = escalation.held_by = None
    esc.run_step(session, escalation, group, now)


def reassign(session: Session, actor: Principal, group_id: int, person: str, now: datetime) -> None:
    """Hand the group to one person: page them now; the policy's steps stop."""
    require_responder(actor, "reassign alerts")
    group = _open_group(session, group_id, "reassign")
    escalation = _escalation(session, group)
    user = users_by_name(session, [person], enabled=True).get(person)
    if user is None:
        raise NotFound(f"no user named {person!r}", field="user")
    if group.state == ACKNOWLEDGED:
        groups.retrigger(session, group, now, actor.name, f"reassigned to {person}")
    escalation.state = REASSIGNED
    escalation.assignee = person
    escalation.next_at = None
    escalation.snoozed_until = escalation.held_by = None
    escalation.sequence += 1
    esc.event(session, group, now, "reassigned", by=actor.name, to=person)
    esc.page(session, group, escalation, user, f"reassigned by {actor.name}", 0, now)


def link_grant(session: Session, token: str, now: datetime) -> tuple[Grant, Principal]:
    """What a signed link grants and who acts through it, or why it no longer grants it."""
    grant = read_token(instance_secret(session, now), token, now)
    person = find_user(session, grant.person)
    if person is None or person.disabled:
        raise NotFound("the person this link was sent to no longer exists")
    retriggered = groups.last_triggered_after(session, grant.group_id, grant.issued)
    if retriggered is not None:
        raise Conflict(
            f"this link came with an earlier page; the group was triggered again at "
            f"{retriggered.isoformat()}: use the newest notification, or act in Ninefold"
        )
    actor = Principal(person.name, Role(person.role), "link")
    require_responder(actor, "act on alerts")
    return grant, actor


def act_by_link(
    session: Session, token: str, now: datetime, actionable: groups.Actionable | None
) -> tuple[Grant, Acknowledgement]:
    """Carry out what a signed link grants; the grant and what it did (a shadow's
    acknowledgement link acknowledges for them only, as every acknowledgement does)."""
    grant, actor = link_grant(session, token, now)
    if grant.action == "ack":
        return grant, acknowledge(session, actor, grant.group_id, now)
    return grant, Acknowledgement(groups.resolve(session, actor, grant.group_id, now, actionable))
