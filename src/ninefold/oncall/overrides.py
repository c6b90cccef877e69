"""Overrides through the API: who may make them, whom they may name, and the audit trail.

The clash guard itself (two overrides for the same person at the same time) is in
`service.add_override`, where concurrent writes take turns.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ninefold.auth import audit
from ninefold.auth.model import Principal, require_change
from ninefold.auth.service import find_user
from ninefold.errors import Invalid, NotFound
from ninefold.oncall import service
from ninefold.oncall.schedule import Override
from ninefold.oncall.schemas import OverrideIn, OverrideOut
from ninefold.oncall.tables import Schedule as ScheduleRow
from ninefold.oncall.tables import ScheduleOverride

AUDIT_KIND = "schedule_override"


def _writable(session: Session, actor: Principal, name: str) -> ScheduleRow:
    """Admins and responders (within their team scope) may change a schedule's overrides."""
    row = service.get_row(session, name)
    require_change(actor, "schedule", name, [row.team] if row.team else [])
    return row


def _require_user(session: Session, name: str, field: str, *, on_call: bool) -> None:
    user = find_user(session, name)
    if user is None:
        raise Invalid(f"no user named {name!r}", field=field)
    if on_call and user.disabled:
        raise Invalid(f"user {name!r} is disabled and cannot be paged", field=field)


def create(
    session: Session, actor: Principal, name: str, body: OverrideIn, now: datetime
) -> OverrideOut:
    row = _writable(session, actor, name)
    override = Override(body.kind, body.start, body.end, body.person, body.replaces, body.shadow)
    _require_user(session, body.person, "person", on_call=body.kind not in ("remove", "shadow"))
    if body.replaces is not None:
        _require_user(session, body.replaces, "replaces", on_call=False)
    if body.shadow is not None:
        _require_user(session, body.shadow, "shadow", on_call=True)
    stored = service.add_override(session, row, override, actor.name, now, body.reason)
    out = service.override_out(stored, row.name)
    audit.record(
        session, actor, now, "create", AUDIT_KIND, row.name, None, out.model_dump(mode="json")
    )
    return out


def delete(session: Session, actor: Principal, name: str, override_id: int, now: datetime) -> None:
    row = _writable(session, actor, name)
    stored = session.get(ScheduleOverride, override_id)
    if stored is None or stored.schedule_id != row.id:
        raise NotFound(f"schedule {name!r} has no override {override_id}", field="id")
    before = service.override_out(stored, row.name).model_dump(mode="json")
    session.delete(stored)
    session.flush()
    audit.record(session, actor, now, "delete", AUDIT_KIND, row.name, before, None)
