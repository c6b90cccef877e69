"""Acknowledging a paged alert group: the group's acknowledgement, or a shadow's own.

Someone paged on a group only as a shadow (see `shadowing`) acknowledges their own pages:
`pages.acknowledged_at` is set and the timeline says so, while the group stays triggered and
its escalation runs on, since nobody who answers for it has answered yet. Anyone else, paged
as one of a step's own people or not paged at all, acknowledges the group as before. Every
way in (API, CLI, web page, signed link) goes through `acknowledge`, so they agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.alerts import groups
from ninefold.alerts.service import GROUP_RESOLVED
from ninefold.auth.model import Principal, require_responder
from ninefold.errors import Forbidden
from ninefold.paging.tables import Page

SHADOW_ACKNOWLEDGED = "shadow_acknowledged"


@dataclass(frozen=True)
class Acknowledgement:
    changed: bool
    """Whether this call acknowledged anything (False: already done, or nothing to do)."""
    shadow: bool = False
    """A shadow's acknowledgement: of their own pages only; the escalation goes on."""


def only_shadow(session: Session, group_id: int, person: str) -> bool:
    """Whether `person` was paged on the group, every time as a shadow."""
    flags = set(
        session.scalars(
            select(Page.shadow).where(Page.group_id == group_id, Page.user_name == person)
        )
    )
    return flags == {True}


def acknowledge(
    session: Session, actor: Principal, group_id: int, now: datetime
) -> Acknowledgement:
    """The group's acknowledgement, or a shadow's of their own pages."""
    require_responder(actor, "acknowledge alerts")
    if not only_shadow(session, group_id, actor.name):
        return Acknowledgement(groups.acknowledge(session, actor, group_id, now))
    group = groups.get_row(session, group_id, lock=True)
    if group.state == GROUP_RESOLVED:
        return Acknowledgement(changed=False, shadow=True)
    mine = session.scalars(
        select(Page).where(
            Page.group_id == group_id,
            Page.user_name == actor.name,
            Page.shadow.is_(True),
            Page.acknowledged_at.is_(None),
        )
    ).all()
    if not mine:
        return Acknowledgement(changed=False, shadow=True)
    for page in mine:
        page.acknowledged_at = now
    groups.record_event(session, group_id, now, SHADOW_ACKNOWLEDGED, actor.name, {"by": actor.name})
    return Acknowledgement(changed=True, shadow=True)


def refuse_shadow(session: Session, actor: Principal, group_id: int, action: str) -> None:
    """A shadow may not act for the people they shadow: `action` would stop their paging."""
    if only_shadow(session, group_id, actor.name):
        raise Forbidden(
            f"{actor.name} is paged on alert group {group_id} only as a shadow and cannot "
            f"{action} it; acknowledge it for yourself, or reassign it to yourself to take it "
            "over"
        )
