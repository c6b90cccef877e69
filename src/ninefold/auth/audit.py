"""The audit log: one entry per change, written in the transaction of the change itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ninefold.auth.model import Principal
from ninefold.auth.schemas import AuditOut
from ninefold.auth.tables import AuditEntry
from ninefold.pagination import Page


def record(
    session: Session,
    actor: Principal,
    now: datetime,
    action: str,
    kind: str,
    name: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Add an entry at `now` unless nothing changed; the caller's commit makes it durable with
    the change."""
    if action == "update" and before == after:
        return
    session.add(
        AuditEntry(
            at=now,
            actor=actor.name,
            via=actor.via,
            action=action,
            object_kind=kind,
            object_name=name,
            before=before,
            after=after,
        )
    )


def list_entries(
    session: Session,
    *,
    kind: str | None = None,
    name: str | None = None,
    actor: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[AuditOut]:
    query = select(AuditEntry)
    if kind:
        query = query.where(AuditEntry.object_kind == kind)
    if name:
        query = query.where(AuditEntry.object_name == name)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit).offset(offset)
    )
    return Page[AuditOut](
        items=[AuditOut.model_validate(row, from_attributes=True) for row in rows],
        total=total,
        limit=limit,
        offset=offset,
    )
