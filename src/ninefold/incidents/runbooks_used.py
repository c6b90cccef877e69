"""Runbooks in an incident: the ones that fit it (of its services, and of its alert groups'
alerts), and using one, which is a test of it (it counts for its freshness) and an entry of
the timeline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.alerts import groups
from ninefold.auth.model import Principal, require_responder
from ninefold.incidents.records import event, get_row
from ninefold.incidents.tables import IncidentGroup
from ninefold.runbooks import service as runbooks
from ninefold.runbooks.model import covers
from ninefold.runbooks.schemas import RunbookOut, TestOut

USED = "runbook_used"


def fitting(session: Session, incident_id: int, now: datetime) -> list[RunbookOut]:
    """The runbooks of the incident's services and those covering its groups' alerts, by name,
    read in one pass over the runbooks."""
    row = get_row(session, incident_id)
    ids = list(
        session.scalars(select(IncidentGroup.group_id).where(IncidentGroup.incident_id == row.id))
    )
    rules = [
        (group.labels.get("alertname", group.title), group.service)
        for group in groups.rows_by_id(session, ids)
    ]
    return [
        r
        for r in runbooks.list_runbooks(session, now)
        if r.service in row.services
        or any(covers(r.alerts, r.service, alertname, service) for alertname, service in rules)
    ]


def use(
    session: Session,
    actor: Principal,
    incident_id: int,
    name: str,
    now: datetime,
    note: str = "",
) -> TestOut:
    require_responder(actor, "use a runbook in an incident")
    row = get_row(session, incident_id, lock=True)
    test = runbooks.record_test(session, actor, name, now, "incident", note, incident_id=row.id)
    event(session, row, now, USED, actor.name, note, runbook=name)
    session.flush()
    return test
