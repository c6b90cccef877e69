"""The other domains' records as the KPI functions read them, loaded once per question.
Reads only: the reports domain writes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ninefold.incidents import action_items, postmortems, read
from ninefold.incidents.model import RECURRENCE_WINDOW, Severity
from ninefold.reports.incident_kpis import IncidentRecord, ItemRecord


def incident_records(session: Session, start: datetime, end: datetime) -> list[IncidentRecord]:
    """The incidents a period's figures may need: anchored, resolved or impacting in it, and
    those of the 90 days before it (what recurrence looks back to)."""
    rows = read.rows_around(session, start - RECURRENCE_WINDOW, end)
    known = read.group_instants(session, [row.id for row in rows])
    found = []
    for row in rows:
        effective = read.effective_of(row, *known[row.id])
        severity = Severity(row.severity)
        reviewed, deadline = postmortems.review_of(session, row, severity.significant)
        found.append(
            IncidentRecord(
                id=row.id,
                severity=severity,
                services=tuple(row.services),
                category=row.category,
                instants=effective,
                reviewed_at=reviewed,
                deadline=deadline,
            )
        )
    return found


def item_records(session: Session) -> list[ItemRecord]:
    return [ItemRecord(i.id, i.due, i.closed_on) for i in action_items.all_rows(session)]
