"""Escalation: route a new alert group, then run its policy's steps as jobs until someone acts.

Each step pages its people at once and enqueues the next step for when its wait runs out. The
pending job is named after the step count (`Escalation.sequence`): a step that ran early
("escalate now") moves the count on, so the job left behind finds its number taken and does
nothing, and a job run twice after a crash pages nobody twice (pages are unique per step and
person). Acknowledging or resolving needs no cleanup here: a step job checks the group first
and stops the escalation when the group is no longer triggered.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ninefold.alerts import groups
from ninefold.alerts.service import TRIGGERED
from ninefold.auth.service import users_by_name
from ninefold.catalog.service import find_team, service_labels
from ninefold.db import insert_new
from ninefold.oncall import service as schedules
from ninefold.oncall.schedule import OnCall
from ninefold.paging import policies, storms
from ninefold.paging.hours import local_view
from ninefold.paging.notifications import delivery
from ninefold.paging.routing import service_by_labels
from ninefold.paging.schemas import EscalationPolicySpec, StepSpec
from ninefold.paging.shadowing import Target, step_targets
from ninefold.paging.silences import service as silences
from ninefold.paging.silences.holds import Hold
from ninefold.paging.tables import Escalation, Notification, Page
from ninefold.worker import queue

if TYPE_CHECKING:
    from ninefold.alerts.tables import AlertGroup
    from ninefold.auth.tables import User

JOB_STEP = "escalation.step"
RUNNING, STOPPED, EXHAUSTED, UNROUTED = "running", "stopped", "exhausted", "unrouted"
SILENCED, IN_MAINTENANCE = silences.HELD_STATES
# A chain of `then` hand-overs longer than this is a loop `ninefold check` should have caught.
MAX_LEVELS = 10
SYSTEM = "ninefold"


def event(session: Session, group: AlertGroup, now: datetime, kind: str, **detail: object) -> None:
    groups.record_event(session, group.id, now, kind, SYSTEM, detail)


def first_notifications(
    session: Session, group_ids: Select[int], *, shadow: bool = False
) -> list[tuple[int, int, datetime]]:
    """(group, user id, sent) of each person's first sent notification of each group of the
    query: the pages of KPIS.md; with `shadow`, those of the people paged as shadows instead
    (a shadow's pages are theirs, not the team's)."""
    query = (
        select(Notification.group_id, Notification.user_id, func.min(Notification.sent_at))
        .join(Page, Page.id == Notification.page_id)
        .where(
            Notification.group_id.in_(group_ids),
            Notification.sent_at.is_not(None),
            Page.shadow.is_(shadow),
        )
        .group_by(Notification.group_id, Notification.user_id)
    )
    return [(g, u, sent) for g, u, sent in session.execute(query) if sent is not None]


def paged_groups(session: Session, ids: list[int]) -> set[int]:
    """Those of the groups that paged someone."""
    if not ids:
        return set()
    return set(session.scalars(select(Page.group_id).where(Page.group_id.in_(ids)).distinct()))


def get_escalation(session: Session, group_id: int, *, lock: bool = False) -> Escalation | None:
    query = select(Escalation).where(Escalation.group_id == group_id)
    return session.scalar(query.with_for_update() if lock else query)


def start(session: Session, group: AlertGroup, now: datetime) -> None:
    """Route the group and run the first step, unless its route is in an alert storm: then
    the group is folded into the storm's group, which pages instead (see `storms`). A second
    run (a repeated job) does nothing."""
    routing = storms.route_of(session, group)
    if group.service is None:
        group.service = (routing.route.service if routing.route else None) or _catalog_service(
            session, group.labels
        )
    created = insert_new(
        session,
        Escalation,
        {
            "group_id": group.id,
            "route": routing.route.name if routing.route else None,
            "unrouted": routing.unrouted,
            "policy": routing.policy,
            "round": 1,
            "level": 0,
            "pass_number": 0,
            "step": 0,
            "sequence": 0,
            "state": RUNNING if routing.policy else UNROUTED,
            "started_at": now,
        },
        ["group_id"],
    )
    if not created:
        return
    escalation = session.scalars(
        select(Escalation).where(Escalation.group_id == group.id).with_for_update()
    ).one()
    event(
        session,
        group,
        now,
        "routed",
        route=escalation.route,
        policy=escalation.policy,
        unrouted=escalation.unrouted,
    )
    if escalation.policy is None:
        event(session, group, now, "nobody_paged", reason="no route matched and none is default")
        return
    if group.state != TRIGGERED:
        escalation.state = STOPPED
        return
    folded = storms.fold(session, escalation, group, routing.route, now)
    if folded is None:
        run_or_hold(session, escalation, group, now)
    elif folded.opened is not None:
        start(session, folded.opened, now)


def _catalog_service(session: Session, labels: dict[str, str]) -> str | None:
    return service_by_labels(labels, service_labels(session))


def run_due_step(session: Session, group_id: int, sequence: int, now: datetime) -> None:
    """The step job: run the next step unless the group was acted on or the job is stale."""
    escalation = get_escalation(session, group_id, lock=True)
    if escalation is None or escalation.state != RUNNING or escalation.sequence != sequence:
        return
    group = groups.get_row(session, group_id)
    if group.state != TRIGGERED:
        escalation.state = STOPPED
        escalation.next_at = None
        return
    run_or_hold(session, escalation, group, now)


def run_or_hold(session: Session, escalation: Escalation, group: AlertGroup, now: datetime) -> None:
    """Run the step due, unless a silence or a maintenance window holds the group back: then
    record which, and look again when it ends."""
    hold = silences.hold_for(session, group, now)
    if hold is None:
        run_step(session, escalation, group, now)
    else:
        _hold(session, escalation, group, hold, now)


def _hold(
    session: Session, escalation: Escalation, group: AlertGroup, hold: Hold, now: datetime
) -> None:
    if escalation.held_by != hold.key:
        event(
            session,
            group,
            now,
            "held",
            hold=hold.kind,
            id=hold.id,
            reason=hold.reason,
            by=hold.by,
            until=hold.ends_at.isoformat(),
        )
    escalation.state = SILENCED if hold.kind == "silence" else IN_MAINTENANCE
    escalation.held_by = hold.key
    escalation.next_at = hold.ends_at
    silences.enqueue_resume(session, group.id, hold.ends_at, now)


def resume(session: Session, group_id: int, now: datetime) -> None:
    """The resume job: what held the group ended (or was ended early). Page from the step it
    was held at, unless another hold applies now or the ended window said `quiet`."""
    escalation = get_escalation(session, group_id, lock=True)
    if escalation is None or escalation.state not in silences.HELD_STATES:
        return
    group = groups.get_row(session, group_id)
    previous = escalation.held_by or ""
    if group.state != TRIGGERED:
        escalation.state, escalation.next_at, escalation.held_by = STOPPED, None, None
        return
    hold = silences.hold_for(session, group, now)
    if hold is not None:
        _hold(session, escalation, group, hold, now)
        return
    escalation.held_by = None
    if silences.window_at_end(session, previous) == "quiet":
        _stop(session, escalation, group, now, "hold_over_quiet", hold=previous)
        return
    escalation.state = RUNNING
    event(session, group, now, "hold_over", hold=previous)
    run_step(session, escalation, group, now)


def run_step(session: Session, escalation: Escalation, group: AlertGroup, now: datetime) -> None:
    """Page the current step's people, move to the next step and enqueue it."""
    row = policies.find_policy(session, escalation.policy or "")
    if row is None:
        _stop(session, escalation, group, now, "policy_missing", policy=escalation.policy)
        return
    policy = policies.policy_spec(row)
    if escalation.step >= len(policy.steps):  # the policy lost steps since the last one ran
        _advance(session, escalation, group, policy, now)
        return
    step = policy.steps[escalation.step]
    escalation.sequence += 1
    paged = 0
    number = step_number(escalation)
    for user, target in targets(session, step, now):
        count = page(
            session, group, escalation, user, target.reason, number, now, shadow=target.shadow
        )
        paged += 0 if target.shadow else count  # nothing waits on a shadow
    if not paged:
        event(session, group, now, "step_empty", policy=policy.name, step=step_number(escalation))
    wait = timedelta(minutes=step.wait_minutes if paged else 0)
    _advance(session, escalation, group, policy, now)
    if escalation.state == RUNNING:
        escalation.next_at = now + wait
        queue.enqueue(
            session,
            JOB_STEP,
            {"group_id": group.id, "sequence": escalation.sequence},
            escalation.next_at,
            now=now,
            dedup_key=f"{JOB_STEP}:{group.id}:{escalation.sequence}",
        )


def step_number(escalation: Escalation) -> int:
    """The step as people count it: 1 for the first."""
    return escalation.step + 1


def _advance(
    session: Session,
    escalation: Escalation,
    group: AlertGroup,
    policy: EscalationPolicySpec,
    now: datetime,
) -> None:
    if escalation.step + 1 < len(policy.steps):
        escalation.step += 1
    elif escalation.pass_number < policy.repeat:
        escalation.pass_number += 1
        escalation.step = 0
    elif policy.then is not None and escalation.level < MAX_LEVELS:
        escalation.policy = policy.then
        escalation.level += 1
        escalation.pass_number = escalation.step = 0
        event(session, group, now, "handed_over", policy=policy.then)
    else:
        _stop(session, escalation, group, now, "exhausted", policy=policy.name)
        escalation.state = EXHAUSTED


def _stop(
    session: Session,
    escalation: Escalation,
    group: AlertGroup,
    now: datetime,
    kind: str,
    **detail: object,
) -> None:
    escalation.state = STOPPED
    escalation.next_at = None
    event(session, group, now, kind, **detail)


def targets(session: Session, step: StepSpec, now: datetime) -> list[tuple[User, Target]]:
    """The people a step pages, each once, with why: named, on call, or in the team; then
    the shadows of those on call (see `shadowing`)."""
    found: dict[str, str] = dict.fromkeys(step.users, "named in the policy")
    on_call: list[tuple[str, OnCall]] = []
    for name in step.schedules:
        row = schedules.find_row(session, name)
        if row is None:
            continue
        there = schedules.model(session, row, now, now + timedelta(seconds=1)).on_call(now)
        on_call.append((name, there))
        for person in there.people:
            found.setdefault(person, f"on call for {name}")
    for name in step.teams:
        team = find_team(session, name)
        for member in team.members if team else []:
            found.setdefault(member.user.name, f"member of {name}")
    shadows = {shadow for _, there in on_call for shadow, _ in there.shadows}
    users = users_by_name(session, [*found, *shadows], enabled=True)
    chosen = step_targets({name: why for name, why in found.items() if name in users}, on_call)
    return [(users[target.name], target) for target in chosen if target.name in users]


def page(
    session: Session,
    group: AlertGroup,
    escalation: Escalation,
    user: User,
    reason: str,
    step: int,
    now: datetime,
    *,
    shadow: bool = False,
) -> int:
    """Record the page and plan its notifications; 0 when this step already paged them. A
    shadow's page is marked so, and so are its timeline entry and its messages."""
    local, period = local_view(now, user.time_zone)
    created = insert_new(
        session,
        Page,
        {
            "group_id": group.id,
            "sequence": escalation.sequence,
            "step": step,
            "policy": escalation.policy or "",
            "user_id": user.id,
            "user_name": user.name,
            "reason": reason[:200],
            "paged_at": now,
            "time_zone": user.time_zone,
            "local_time": local.strftime("%a %H:%M"),
            "period": period,
            "shadow": shadow,
        },
        ["group_id", "sequence", "user_id"],
    )
    if not created:
        return 0
    row = session.scalars(
        select(Page).where(
            Page.group_id == group.id,
            Page.sequence == escalation.sequence,
            Page.user_id == user.id,
        )
    ).one()
    event(
        session,
        group,
        now,
        "paged",
        user=user.name,
        reason=row.reason,
        step=step,
        local_time=row.local_time,
        period=period,
        **({"shadow": True} if shadow else {}),
    )
    if not delivery.plan(session, row, user, now):
        event(session, group, now, "unreachable", user=user.name)
    return 1
