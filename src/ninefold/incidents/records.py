"""Reading an incident's row, its instants as the model reads them, and writing an entry of
its timeline: what every module of the domain that changes an incident shares."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.errors import NotFound
from ninefold.incidents.model import Instants
from ninefold.incidents.tables import Incident, IncidentEvent

INSTANT_COLUMNS = {
    "impact_start": "impact_start",
    "detected": "detected_at",
    "acknowledged": "acknowledged_at",
    "mitigated": "mitigated_at",
    "resolved": "resolved_at",
    "impact_end": "impact_end",
}


def get_row(session: Session, incident_id: int, *, lock: bool = False) -> Incident:
    query = select(Incident).where(Incident.id == incident_id)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"no incident {incident_id}")
    return row


def instants_of(row: Incident) -> Instants:
    return Instants(
        declared=row.declared_at,
        **{name: getattr(row, column) for name, column in INSTANT_COLUMNS.items()},
    )


def event(
    session: Session,
    row: Incident,
    now: datetime,
    kind: str,
    actor: str,
    text: str = "",
    **detail: Any,
) -> IncidentEvent:
    entry = IncidentEvent(
        incident_id=row.id, at=now, kind=kind, actor=actor, text=text, detail=detail
    )
    session.add(entry)
    row.updated_at = now
    return entry
