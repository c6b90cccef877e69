"""What a service's incidents still owe, as production readiness asks it: postmortems that
missed their deadline and overdue action items of incidents of a severity, per service."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.incidents import postmortems, read
from ninefold.incidents.action_items import OPEN
from ninefold.incidents.model import Severity
from ninefold.incidents.tables import ActionItem, Incident


def late_postmortems(session: Session, since: datetime, now: datetime) -> dict[str, list[int]]:
    """Per service, the incidents whose postmortem was due in (since, now] and was not
    reviewed by then. An incident resolves before its deadline, so those resolved from a
    little before `since` are read."""
    rows = read.rows_around(session, since - (now - since), now)
    reviews = postmortems.reviews(session, rows)
    found: dict[str, list[int]] = {}
    for row in rows:
        reviewed, deadline = reviews[row.id]
        if deadline is None or not since < deadline <= now:
            continue
        if reviewed is None or reviewed > deadline:
            for service in row.services:
                found.setdefault(service, []).append(row.id)
    return found


def overdue_items(session: Session, today: date, severity: Severity) -> dict[str, list[int]]:
    """Per service, the open action items past their due date of its incidents of `severity`."""
    query = (
        select(ActionItem.id, Incident.services)
        .join(Incident, Incident.id == ActionItem.incident_id)
        .where(
            ActionItem.status == OPEN, ActionItem.due < today, Incident.severity == severity.value
        )
        .order_by(ActionItem.id)
    )
    found: dict[str, list[int]] = {}
    for item_id, services in session.execute(query):
        for service in services:
            found.setdefault(service, []).append(item_id)
    return found
