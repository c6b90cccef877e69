"""Who holds which role in an incident. Taking a role is told to the person on every contact
method they have, through the worker, once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.auth.model import Principal, require_responder
from ninefold.auth.service import find_user, user_by_id
from ninefold.errors import Conflict, Invalid
from ninefold.incidents import messages
from ninefold.incidents.records import event, get_row
from ninefold.incidents.schemas import ROLE_TITLES, RoleName
from ninefold.incidents.tables import Incident, IncidentRole


def held(session: Session, incident_id: int) -> list[tuple[IncidentRole, str]]:
    rows = session.scalars(
        select(IncidentRole).where(IncidentRole.incident_id == incident_id)
    ).all()
    return [(row, user_by_id(session, row.user_id).name) for row in rows]


def assign(
    session: Session,
    actor: Principal,
    incident_id: int,
    role: RoleName,
    user_name: str | None,
    now: datetime,
) -> Incident:
    """Give `role` to `user_name` (None frees it); the new holder is notified."""
    require_responder(actor, "assign incident roles")
    row = get_row(session, incident_id, lock=True)
    current = session.get(IncidentRole, (incident_id, role))
    before = None if current is None else user_by_id(session, current.user_id).name
    if user_name == before:
        raise Conflict(f"{role} is {before or 'free'} already", field="user")
    if user_name is None:
        session.delete(current)
        event(session, row, now, "role_freed", actor.name, role=role, before=before)
        return row
    user = find_user(session, user_name)
    if user is None:
        raise Invalid(f"no user named {user_name!r}", field="user")
    if current is None:
        current = IncidentRole(incident_id=incident_id, role=role)
        session.add(current)
    current.user_id, current.assigned_at, current.assigned_by = user.id, now, actor.name
    entry = event(
        session, row, now, "role_assigned", actor.name, role=role, user=user.name, before=before
    )
    session.flush()
    title = ROLE_TITLES[role]
    draft = messages.Draft(
        purpose="role",
        key=f"incident-{row.id}-event-{entry.id}",
        subject=f"[{row.severity}] You are {title.lower()} of incident #{row.id}: {row.title}",
        text=(
            f"{actor.name} made you {title.lower()} of incident #{row.id} ({row.severity}, "
            f"{row.status}): {row.title}"
        ),
        links=(("Open the incident", f"/incidents/{row.id}"),),
        incident_id=row.id,
    )
    messages.plan_for(session, draft, user, now)
    return row
