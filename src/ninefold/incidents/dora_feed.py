"""The incidents DORA counts (`changes.dora_report.INCIDENTS`): a deploy that caused an
incident failed, and the incident's resolution is when it recovered. The first impacted
service stands for the incident in the link rule of KPIS.md."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ninefold.changes import dora
from ninefold.incidents.tables import Incident


def incidents(session: Session, start: datetime, end: datetime) -> list[dora.Incident]:
    anchor = func.coalesce(Incident.impact_start, Incident.declared_at)
    rows = session.scalars(select(Incident).where(anchor >= start, anchor < end))
    return [
        dora.Incident(
            id=row.id,
            service=row.services[0] if row.services else None,
            impact_start=row.impact_start,
            resolved_at=row.resolved_at,
            names_deploy=row.caused_by_change,
        )
        for row in rows
    ]
