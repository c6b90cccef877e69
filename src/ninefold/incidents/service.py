"""An incident's life: declared (by hand, from alert groups, by a rule), linked to more
groups, changed, moved through its statuses, its instants corrected. Every call is one
transaction of the caller's, and leaves a timeline entry; corrections are audited too."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.alerts import groups
from ninefold.auth import audit
from ninefold.auth.model import Principal, require_responder
from ninefold.catalog import service as catalog
from ninefold.changes import service as changes
from ninefold.errors import Conflict, Invalid
from ninefold.incidents import roles, settings
from ninefold.incidents.model import Status, check_move, order_problems
from ninefold.incidents.records import INSTANT_COLUMNS, event, get_row, instants_of
from ninefold.incidents.schemas import IncidentIn, IncidentPatch, InstantsIn, StatusIn
from ninefold.incidents.tables import Incident, IncidentGroup

if TYPE_CHECKING:
    from ninefold.alerts.tables import AlertGroup


def by_external_id(session: Session, key: str) -> Incident | None:
    return session.scalar(select(Incident).where(Incident.external_id == key))


def identify(row: Incident, key: str) -> None:
    """Give a declared incident its id at the source that made it (the demo's history), so
    that making it again is recognised."""
    row.external_id = key


def check_services(session: Session, names: Sequence[str], field: str = "services") -> None:
    unknown = [name for name in names if catalog.find_service(session, name) is None]
    if unknown:
        raise Invalid(f"no service named {', '.join(map(repr, unknown))}", field=field)


def declare(
    session: Session, actor: Principal, body: IncidentIn, now: datetime, via: str = "hand"
) -> Incident:
    """A new incident, open (investigating), with the groups it names linked to it."""
    require_responder(actor, "declare incidents")
    settings.severity(session, body.severity)
    linked = _free_groups(session, body.groups)
    services = list(body.services) or sorted({g.service for g in linked if g.service})
    check_services(session, services)
    title = body.title or (linked[0].title if linked else None)
    if title is None:
        raise Invalid("give a title, or an alert group to take it from", field="title")
    if body.impact_start is not None and body.impact_start > now:
        raise Invalid("impact_start is in the future", field="impact_start")
    row = Incident(
        title=title,
        severity=body.severity,
        status=Status.INVESTIGATING,
        services=services,
        summary=body.summary,
        declared_at=now,
        declared_by=actor.name,
        declared_via="group" if linked and via == "hand" else via,
        impact_start=body.impact_start,
        reopened=0,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    event(session, row, now, "declared", actor.name, severity=body.severity, via=row.declared_via)
    for group in linked:
        _link(session, row, group, actor.name, now)
    if body.commander is not None:
        roles.assign(session, actor, row.id, "commander", body.commander, now)
    return row


def _free_groups(session: Session, ids: Sequence[int]) -> list[AlertGroup]:
    found = []
    for group_id in dict.fromkeys(ids):
        group = groups.find_row(session, group_id)
        if group is None:
            raise Invalid(f"no alert group {group_id}", field="groups")
        owner = incident_of_group(session, group_id)
        if owner is not None:
            raise Conflict(f"alert group {group_id} belongs to incident {owner} already")
        found.append(group)
    return found


def incident_of_group(session: Session, group_id: int) -> int | None:
    return session.scalar(
        select(IncidentGroup.incident_id).where(IncidentGroup.group_id == group_id)
    )


def taken(session: Session, group_ids: Sequence[int]) -> set[int]:
    """Those of the groups that an incident has."""
    if not group_ids:
        return set()
    query = select(IncidentGroup.group_id).where(IncidentGroup.group_id.in_(group_ids))
    return set(session.scalars(query))


def _link(session: Session, row: Incident, group: AlertGroup, actor: str, now: datetime) -> None:
    session.add(
        IncidentGroup(group_id=group.id, incident_id=row.id, linked_at=now, linked_by=actor)
    )
    event(session, row, now, "group_linked", actor, group=group.id, title=group.title)
    groups.record_event(session, group.id, now, "incident_linked", actor, {"incident": row.id})


def link_groups(
    session: Session, actor: Principal, incident_id: int, ids: Sequence[int], now: datetime
) -> Incident:
    require_responder(actor, "link alert groups to incidents")
    row = get_row(session, incident_id, lock=True)
    for group in _free_groups(session, ids):
        _link(session, row, group, actor.name, now)
        if group.service and group.service not in row.services:
            row.services = sorted([*row.services, group.service])
    return row


def patch(
    session: Session, actor: Principal, incident_id: int, body: IncidentPatch, now: datetime
) -> Incident:
    require_responder(actor, "change incidents")
    row = get_row(session, incident_id, lock=True)
    given = body.model_dump(exclude_unset=True)
    if given.get("severity") is not None:
        settings.severity(session, body.severity)  # type: ignore[arg-type]
    if given.get("services") is not None:
        check_services(session, given["services"])
    if "category" in given:
        settings.check_category(session, given["category"])
    if given.get("caused_by_change") is not None and not changes.exists(
        session, given["caused_by_change"]
    ):
        raise Invalid(f"no change {given['caused_by_change']}", field="caused_by_change")
    for name, value in given.items():
        if value is None and name in ("title", "severity", "services", "summary"):
            raise Invalid(f"{name} cannot be null", field=name)
        before = getattr(row, name)
        if before == value:
            continue
        setattr(row, name, value)
        event(session, row, now, f"{name}_changed", actor.name, before=before, after=value)
    return row


def move(
    session: Session, actor: Principal, incident_id: int, body: StatusIn, now: datetime
) -> Incident:
    """A status change. Monitoring or resolved sets mitigated when it is unset (the fix is
    in); resolved sets resolved; reopening clears resolved, to be set again."""
    require_responder(actor, "change the status of incidents")
    row = get_row(session, incident_id, lock=True)
    current = Status(row.status)
    check_move(current, body.status, reopen=body.reopen)
    row.status = body.status
    if body.reopen:
        row.reopened += 1
        row.resolved_at = None
    if body.status in (Status.MONITORING, Status.RESOLVED) and row.mitigated_at is None:
        row.mitigated_at = max(now, row.impact_start or now)
    if body.status is Status.RESOLVED:
        row.resolved_at = now
    kind = "reopened" if body.reopen else "status_changed"
    event(session, row, now, kind, actor.name, body.note, before=current, after=body.status)
    return row


def set_instants(
    session: Session, actor: Principal, incident_id: int, body: InstantsIn, now: datetime
) -> Incident:
    """Set or correct instants, all or none: their order is checked on the result, and each
    change is on the timeline and in the audit log, with the value it replaced."""
    require_responder(actor, "correct incident instants")
    row = get_row(session, incident_id, lock=True)
    given = body.model_dump(exclude_unset=True)
    future = [name for name, value in given.items() if value is not None and value > now]
    if future:
        raise Invalid(f"{future[0].replace('_', ' ')} is in the future", field=future[0])
    before = instants_of(row)
    for name, value in given.items():
        setattr(row, INSTANT_COLUMNS[name], value)
    problems = order_problems(instants_of(row))
    if problems:
        field, message = problems[0]
        raise Invalid(message, field=field)
    for name, value in given.items():
        old = getattr(before, name)
        if old == value:
            continue
        shown = {"before": _iso(old), "after": _iso(value)}
        event(
            session,
            row,
            now,
            "instant_corrected",
            actor.name,
            instant=name,
            before=shown["before"],
            after=shown["after"],
        )
        audit.record(
            session,
            actor,
            now,
            "update",
            "incident",
            f"#{row.id}",
            {name: shown["before"]},
            {name: shown["after"]},
        )
    return row


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
