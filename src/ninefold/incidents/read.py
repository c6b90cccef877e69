"""Incidents as the API, the CLI and the pages show them: the recorded instants, the ones
KPIs compute with, the derived figures, and for one incident everything around it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from ninefold.alerts import groups
from ninefold.incidents import roles, timeline, updates
from ninefold.incidents.model import (
    RECURRENCE_WINDOW,
    Instants,
    Past,
    Severity,
    Status,
    derived,
    effective,
    recurs_after,
)
from ninefold.incidents.records import get_row, instants_of
from ninefold.incidents.schemas import (
    DerivedOut,
    IncidentDetail,
    IncidentOut,
    InstantsOut,
    RoleOut,
)
from ninefold.incidents.tables import Incident, IncidentGroup
from ninefold.pagination import Page


def _instants(i: Instants) -> InstantsOut:
    return InstantsOut(
        declared=i.declared,
        impact_start=i.impact_start,
        detected=i.detected,
        acknowledged=i.acknowledged,
        mitigated=i.mitigated,
        resolved=i.resolved,
        impact_end=i.impact_end,
    )


def group_instants(
    session: Session, ids: Sequence[int]
) -> dict[int, tuple[list[datetime], list[datetime]]]:
    """incident id -> (its groups' openings, their acknowledgements)."""
    found: dict[int, tuple[list[datetime], list[datetime]]] = {i: ([], []) for i in ids}
    links = session.execute(
        select(IncidentGroup.group_id, IncidentGroup.incident_id).where(
            IncidentGroup.incident_id.in_(ids)
        )
    )
    owner = dict(links.all())
    for group in groups.rows_by_id(session, list(owner)):
        opened, acknowledged = found[owner[group.id]]
        opened.append(group.created_at)
        if group.acknowledged_at is not None:
            acknowledged.append(group.acknowledged_at)
    return found


def effective_of(row: Incident, opened: list[datetime], acked: list[datetime]) -> Instants:
    return effective(instants_of(row), opened, acked)


def out(row: Incident, opened: list[datetime], acked: list[datetime]) -> IncidentOut:
    recorded = instants_of(row)
    used = effective(recorded, opened, acked)
    figures = derived(used)
    return IncidentOut(
        id=row.id,
        title=row.title,
        severity=Severity(row.severity),
        status=Status(row.status),
        services=list(row.services),
        category=row.category,
        declared_by=row.declared_by,
        declared_via=row.declared_via,
        instants=_instants(recorded),
        effective=_instants(used),
        derived=DerivedOut(**figures.__dict__),
        reopened=row.reopened,
    )


def outs(session: Session, rows: Sequence[Incident]) -> list[IncidentOut]:
    known = group_instants(session, [row.id for row in rows])
    return [out(row, *known[row.id]) for row in rows]


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    """A status, or `open` for any but resolved."""
    severity: str | None = None
    service: str | None = None
    category: str | None = None


def _conditions(filters: Filters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.status == "open":
        conditions.append(Incident.status != Status.RESOLVED)
    elif filters.status is not None:
        conditions.append(Incident.status == filters.status)
    if filters.severity is not None:
        conditions.append(Incident.severity == filters.severity)
    if filters.category is not None:
        conditions.append(Incident.category == filters.category)
    return conditions


def list_page(
    session: Session, filters: Filters, *, limit: int = 50, offset: int = 0
) -> Page[IncidentOut]:
    """Newest first. The service filter reads the JSON list in Python: incidents are few
    enough (thousands), and the same query then runs on SQLite and PostgreSQL."""
    query = select(Incident).where(*_conditions(filters))
    if filters.service is None:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(
            query.order_by(Incident.declared_at.desc(), Incident.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        return Page(items=outs(session, rows), total=total, limit=limit, offset=offset)
    matching = [
        row
        for row in session.scalars(query.order_by(Incident.declared_at.desc(), Incident.id.desc()))
        if filters.service in row.services
    ]
    chosen = matching[offset : offset + limit]
    return Page(items=outs(session, chosen), total=len(matching), limit=limit, offset=offset)


def rows_around(session: Session, since: datetime, until: datetime) -> list[Incident]:
    """Incidents anchored, resolved or with an impact in [since, until), by id."""
    anchor = func.coalesce(Incident.impact_start, Incident.declared_at)
    query = select(Incident).where(
        or_(
            and_(anchor >= since, anchor < until),
            and_(Incident.resolved_at >= since, Incident.resolved_at < until),
            and_(Incident.impact_start < until, Incident.impact_end >= since),
        )
    )
    return list(session.scalars(query.order_by(Incident.id)))


def recurs(session: Session, row: Incident) -> list[int]:
    """The earlier incidents this one repeats (KPIS.md)."""
    start = row.impact_start
    if row.category is None or start is None:
        return []
    candidates = session.scalars(
        select(Incident).where(
            Incident.category == row.category,
            Incident.id != row.id,
            Incident.impact_start >= start - RECURRENCE_WINDOW,
            Incident.impact_start < start,
        )
    )
    earlier = [Past(c.id, frozenset(c.services), c.category, c.impact_start) for c in candidates]
    return recurs_after(row.services, row.category, start, earlier)


def detail(session: Session, incident_id: int, now: datetime) -> IncidentDetail:
    row = get_row(session, incident_id)
    base = outs(session, [row])[0]
    linked = timeline.linked_changes(session, row, now)
    return IncidentDetail(
        **base.model_dump(),
        summary=row.summary,
        caused_by_change=row.caused_by_change,
        roles=[
            RoleOut(role=r.role, user=name, assigned_at=r.assigned_at, assigned_by=r.assigned_by)
            for r, name in roles.held(session, row.id)
        ],
        groups=timeline.linked_group_ids(session, row.id),
        recurs=recurs(session, row),
        changes=linked,
        updates=updates.list_for(session, row.id),
        timeline=timeline.entries(session, row, now, linked),
    )
