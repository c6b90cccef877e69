"""A group's paging as the API and the pages show it: route, policy, pages, notifications."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.alerts import groups
from ninefold.alerts.service import TRIGGERED
from ninefold.errors import NotFound
from ninefold.paging.escalation import RUNNING, STOPPED, get_escalation
from ninefold.paging.schemas import EscalationOut, NotificationOut, PageOut
from ninefold.paging.silences.service import HELD_STATES
from ninefold.paging.tables import Notification, Page


def escalation_out(session: Session, group_id: int) -> EscalationOut:
    group = groups.get_row(session, group_id)
    row = get_escalation(session, group_id)
    if row is None:
        raise NotFound(f"alert group {group_id} has not started paging yet")
    pages = session.scalars(select(Page).where(Page.group_id == group_id).order_by(Page.id)).all()
    sent = session.scalars(
        select(Notification).where(Notification.group_id == group_id).order_by(Notification.id)
    ).all()
    # An acknowledged or resolved group's escalation is over now, though its pending step (or
    # resume) job only records that when it comes due.
    waiting = row.state in (RUNNING, *HELD_STATES)
    live = waiting and group.state == TRIGGERED
    state = STOPPED if waiting and not live else row.state
    return EscalationOut(
        route=row.route,
        unrouted=row.unrouted,
        policy=row.policy,
        state=state,
        round=row.round,
        next_step_at=row.next_at if live else None,
        held_by=row.held_by if live else None,
        snoozed_until=row.snoozed_until,
        assignee=row.assignee,
        pages=[
            PageOut(
                user=page.user_name,
                step=page.step,
                policy=page.policy,
                reason=page.reason,
                paged_at=page.paged_at,
                time_zone=page.time_zone,
                local_time=page.local_time,
                period=page.period,
                shadow=page.shadow,
                acknowledged_at=page.acknowledged_at,
                notifications=[
                    NotificationOut(
                        contact=n.contact,
                        kind=n.kind,
                        due_at=n.due_at,
                        status=n.status,
                        attempts=n.attempts,
                        sent_at=n.sent_at,
                        error=n.error,
                    )
                    for n in sent
                    if n.page_id == page.id
                ],
            )
            for page in pages
        ],
    )
