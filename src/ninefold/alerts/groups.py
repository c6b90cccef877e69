"""Alert groups as responders see them: lists, details, and acknowledging or resolving them.

Acting twice is harmless: acknowledging an acknowledged group, or resolving a resolved one,
changes nothing and records nothing, so a signed link clicked twice or two responders racing
leave one entry in the timeline.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ninefold.alerts.model import FIRING
from ninefold.alerts.schemas import (
    AlertGroupDetail,
    AlertGroupOut,
    AlertOut,
    GroupEventOut,
)
from ninefold.alerts.service import ACKNOWLEDGED, GROUP_RESOLVED, TRIGGERED, close
from ninefold.alerts.tables import Alert, AlertGroup, GroupEvent, Integration
from ninefold.auth.model import Principal, require_responder
from ninefold.errors import Invalid, NotFound
from ninefold.pagination import Page

Actionable = Literal["yes", "no", "unsure"]
STATES = (TRIGGERED, ACKNOWLEDGED, GROUP_RESOLVED)


def get_row(session: Session, group_id: int, *, lock: bool = False) -> AlertGroup:
    query = select(AlertGroup).where(AlertGroup.id == group_id)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"no alert group {group_id}")
    return row


def find_row(session: Session, group_id: int) -> AlertGroup | None:
    return session.get(AlertGroup, group_id)


def rows_by_id(session: Session, ids: Sequence[int]) -> list[AlertGroup]:
    """The groups with these ids, oldest first."""
    if not ids:
        return []
    query = select(AlertGroup).where(AlertGroup.id.in_(ids))
    return list(session.scalars(query.order_by(AlertGroup.created_at, AlertGroup.id)))


def unresolved_ids() -> Select[int]:
    """The ids of the groups not resolved: a subquery for other domains' queries."""
    return select(AlertGroup.id).where(AlertGroup.state != GROUP_RESOLVED)


def open_unsourced(
    session: Session,
    *,
    integration_id: int,
    group_key: str,
    title: str,
    service: str | None,
    severity: str,
    labels: dict[str, str],
    now: datetime,
) -> AlertGroup:
    """A triggered group no alert source opened (an alert storm's): it has no open key, so no
    alert that comes in can ever join it."""
    row = AlertGroup(
        integration_id=integration_id,
        group_key=group_key,
        open_key=None,
        title=title,
        service=service,
        severity=severity,
        labels=labels,
        state=TRIGGERED,
        created_at=now,
        truncated_alerts=0,
    )
    session.add(row)
    session.flush()
    return row


def open_since(session: Session, since: datetime) -> list[AlertGroup]:
    """Groups opened at or after `since` and not resolved, oldest first."""
    query = select(AlertGroup).where(
        AlertGroup.state != GROUP_RESOLVED, AlertGroup.created_at >= since
    )
    return list(session.scalars(query.order_by(AlertGroup.created_at, AlertGroup.id)))


@dataclass(frozen=True)
class Opened:
    """What the KPIs read of an alert group (columns, not the mapped object: a quarter holds
    hundreds of thousands)."""

    id: int
    title: str
    labels: dict[str, str]
    service: str | None
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None


def opened_ids(
    since: datetime, until: datetime, services: Collection[str] | None = None
) -> Select[int]:
    """The ids of the groups opened in [since, until) (of `services`, or all), as a query:
    the questions below take it as a subquery rather than a list of ids, which databases
    bound (PostgreSQL's driver at 65,535 parameters)."""
    query = select(AlertGroup.id).where(
        AlertGroup.created_at >= since, AlertGroup.created_at < until
    )
    return query if services is None else query.where(AlertGroup.service.in_(sorted(services)))


def opened_at_since(since: datetime) -> Select[int, datetime]:
    """The id and opening instant of each group opened at or after `since`, as a query. It
    names every state so that the index on (state, created_at) finds the last hour's groups
    without reading the older ones: `/metrics` asks at every scrape."""
    return select(AlertGroup.id, AlertGroup.created_at).where(
        AlertGroup.state.in_(STATES), AlertGroup.created_at >= since
    )


def opened_between(
    session: Session, since: datetime, until: datetime, services: Collection[str] | None = None
) -> list[Opened]:
    """Groups opened in [since, until) (of `services`, or all), oldest first."""
    query = select(
        AlertGroup.id,
        AlertGroup.title,
        AlertGroup.labels,
        AlertGroup.service,
        AlertGroup.created_at,
        AlertGroup.resolved_at,
        AlertGroup.resolved_by,
    ).where(AlertGroup.id.in_(opened_ids(since, until, services)))
    rows = session.execute(query.order_by(AlertGroup.created_at, AlertGroup.id))
    return [Opened(*row) for row in rows]


def first_acks_and_answers(
    session: Session, ids: Select[int]
) -> dict[int, tuple[datetime | None, str | None]]:
    """Per group of `ids` with either: its first acknowledgement by anyone (an
    acknowledgement cleared by a re-trigger still counts), and its last "was it actionable?"
    answer."""
    found: dict[int, tuple[datetime | None, str | None]] = {}
    events = session.execute(
        select(GroupEvent.group_id, GroupEvent.kind, GroupEvent.at, GroupEvent.detail)
        .where(GroupEvent.group_id.in_(ids), GroupEvent.kind.in_(("acknowledged", "actionable")))
        .order_by(GroupEvent.at, GroupEvent.id)
    )
    for group_id, kind, at, detail in events:
        ack, answer = found.get(group_id, (None, None))
        if kind == "acknowledged" and ack is None:
            ack = at
        elif kind == "actionable":
            answer = str(detail.get("answer"))
        found[group_id] = (ack, answer)
    return found


def flapped(session: Session, ids: Select[int]) -> set[int]:
    """Those of the groups an alert of which was once flagged flapping."""
    query = select(GroupEvent.group_id).where(
        GroupEvent.group_id.in_(ids), GroupEvent.kind == "flapping_started"
    )
    return set(session.scalars(query.distinct()))


def events_of(session: Session, ids: Sequence[int]) -> list[GroupEvent]:
    """The timeline entries of these groups, in order."""
    if not ids:
        return []
    query = select(GroupEvent).where(GroupEvent.group_id.in_(ids))
    return list(session.scalars(query.order_by(GroupEvent.at, GroupEvent.id)))


def alerts_of(session: Session, group_id: int) -> list[Alert]:
    """The group's alerts, by when they started."""
    query = select(Alert).where(Alert.group_id == group_id).order_by(Alert.starts_at, Alert.id)
    return list(session.scalars(query))


def firing_labels(session: Session, group_id: int) -> list[dict[str, str]]:
    """The labels of the group's alerts that fire now."""
    query = select(Alert.labels).where(Alert.group_id == group_id, Alert.status == FIRING)
    return list(session.scalars(query))


def opened_since(session: Session, group: AlertGroup, since: datetime) -> int:
    """Groups with the same key from the same source opened after `since`, this one
    included."""
    count = session.scalar(
        select(func.count()).where(
            AlertGroup.integration_id == group.integration_id,
            AlertGroup.group_key == group.group_key,
            AlertGroup.created_at > since,
        )
    )
    return count or 0


def last_triggered_after(session: Session, group_id: int, since: datetime) -> datetime | None:
    """When the group was last triggered again (after an acknowledgement or a snooze) after
    `since`, if it was."""
    return session.scalar(
        select(func.max(GroupEvent.at)).where(
            GroupEvent.group_id == group_id, GroupEvent.kind == "retriggered", GroupEvent.at > since
        )
    )


def record_event(
    session: Session, group_id: int, now: datetime, kind: str, actor: str, detail: dict[str, object]
) -> None:
    """An entry of the group's timeline, written by whoever acted on it."""
    session.add(GroupEvent(group_id=group_id, at=now, kind=kind, actor=actor, detail=detail))


def list_groups(
    session: Session,
    *,
    state: str | None = None,
    service: str | None = None,
    severity: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[AlertGroupOut]:
    if state is not None and state not in STATES:
        raise Invalid(f"state must be one of {', '.join(STATES)}", field="state")
    query = select(AlertGroup)
    if state:
        query = query.where(AlertGroup.state == state)
    if service:
        query = query.where(AlertGroup.service == service)
    if severity:
        query = query.where(AlertGroup.severity == severity)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AlertGroup.created_at.desc(), AlertGroup.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return Page(items=_outs(session, list(rows)), total=total, limit=limit, offset=offset)


def facets(session: Session) -> dict[str, list[str]]:
    """The services and severities alert groups have, for the filters of the list page."""
    found: dict[str, list[str]] = {}
    for name, column in (("service", AlertGroup.service), ("severity", AlertGroup.severity)):
        values = session.scalars(select(column).where(column.is_not(None), column != "").distinct())
        found[name] = sorted(v for v in values if v)
    return found


def _outs(session: Session, rows: list[AlertGroup]) -> list[AlertGroupOut]:
    ids = [row.id for row in rows]
    counts = dict(
        session.execute(
            select(Alert.group_id, func.count())
            .where(Alert.group_id.in_(ids))
            .group_by(Alert.group_id)
        ).all()
    )
    sources = {row.integration_id for row in rows}
    names = dict(
        session.execute(
            select(Integration.id, Integration.name).where(Integration.id.in_(sources))
        ).all()
    )
    return [
        AlertGroupOut(
            id=row.id,
            title=row.title,
            state=row.state,
            integration=names.get(row.integration_id, ""),
            service=row.service,
            severity=row.severity,
            labels=row.labels,
            created_at=row.created_at,
            acknowledged_at=row.acknowledged_at,
            acknowledged_by=row.acknowledged_by,
            resolved_at=row.resolved_at,
            resolved_by=row.resolved_by,
            truncated_alerts=row.truncated_alerts,
            alert_count=counts.get(row.id, 0),
            flapping=row.flapping,
        )
        for row in rows
    ]


def detail(session: Session, group_id: int) -> AlertGroupDetail:
    row = get_row(session, group_id)
    alerts = session.scalars(
        select(Alert).where(Alert.group_id == row.id).order_by(Alert.starts_at, Alert.id)
    )
    events = session.scalars(
        select(GroupEvent).where(GroupEvent.group_id == row.id).order_by(GroupEvent.id)
    )
    return AlertGroupDetail(
        **_outs(session, [row])[0].model_dump(),
        alerts=[
            AlertOut(
                fingerprint=a.fingerprint,
                status=a.status,
                labels=a.labels,
                annotations=a.annotations,
                starts_at=a.starts_at,
                ends_at=a.ends_at,
                generator_url=a.generator_url,
            )
            for a in alerts
        ],
        timeline=[
            GroupEventOut(at=e.at, kind=e.kind, actor=e.actor, detail=e.detail) for e in events
        ],
    )


def acknowledge(session: Session, actor: Principal, group_id: int, now: datetime) -> bool:
    """True when this call acknowledged the group; False when it was already acked or over."""
    require_responder(actor, "acknowledge alerts")
    row = get_row(session, group_id, lock=True)
    if row.state != TRIGGERED:
        return False
    row.state = ACKNOWLEDGED
    row.acknowledged_at = now
    row.acknowledged_by = actor.name
    session.add(GroupEvent(group_id=row.id, at=now, kind="acknowledged", actor=actor.name))
    return True


def resolve(
    session: Session,
    actor: Principal,
    group_id: int,
    now: datetime,
    actionable: Actionable | None = None,
) -> bool:
    """Resolve by hand, with the responder's answer to "was this page actionable?"."""
    require_responder(actor, "resolve alerts")
    row = get_row(session, group_id, lock=True)
    if row.state == GROUP_RESOLVED:
        return False
    close(session, row, now, actor.name)
    if actionable is not None:
        session.add(
            GroupEvent(
                group_id=row.id,
                at=now,
                kind="actionable",
                actor=actor.name,
                detail={"answer": actionable},
            )
        )
    return True


def retrigger(session: Session, row: AlertGroup, now: datetime, actor: str, why: str) -> None:
    """Back to triggered (a snooze ran out, or someone escalated an acknowledged group)."""
    row.state = TRIGGERED
    row.acknowledged_at = None
    row.acknowledged_by = None
    session.add(
        GroupEvent(group_id=row.id, at=now, kind="retriggered", actor=actor, detail={"why": why})
    )
