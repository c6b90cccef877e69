"""Status updates to stakeholders: written once, kept on the timeline, and sent by the worker
to the stakeholders of the impacted services and of the teams that own them, each once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ninefold.auth.model import Principal, require_responder
from ninefold.catalog import service as catalog
from ninefold.incidents import messages, settings
from ninefold.incidents.records import event, get_row
from ninefold.incidents.schemas import StakeholderSpec, UpdateOut
from ninefold.incidents.tables import Incident, OutgoingMessage, StatusUpdate
from ninefold.paging.notifications.delivery import SENT


def audience(
    stakeholders: Sequence[StakeholderSpec], services: Sequence[str], teams: Sequence[str]
) -> list[StakeholderSpec]:
    """Those who asked for these services or teams; one with neither list hears of every
    incident. An incident with no service reaches only those."""
    return [
        s
        for s in stakeholders
        if (not s.services and not s.teams)
        or set(s.services) & set(services)
        or set(s.teams) & set(teams)
    ]


def post(
    session: Session, actor: Principal, incident_id: int, text: str, now: datetime
) -> StatusUpdate:
    require_responder(actor, "send incident status updates")
    row = get_row(session, incident_id, lock=True)
    update = StatusUpdate(
        incident_id=row.id, at=now, author=actor.name, status=row.status, text=text
    )
    session.add(update)
    session.flush()
    teams = sorted({t for s in row.services if (t := catalog.owning_team(session, s))})
    to = audience(settings.STAKEHOLDERS.all(session), row.services, teams)
    draft = messages.Draft(
        purpose="update",
        key=f"incident-{row.id}-update-{update.id}",
        subject=f"[{row.severity}] Incident #{row.id} {row.status}: {row.title}",
        text=_body(row, text),
        links=(("Incident", f"/incidents/{row.id}"),),
        incident_id=row.id,
        update_id=update.id,
    )
    messages.plan(
        session,
        draft,
        [messages.Address(s.name, s.name, s.kind, s.address) for s in to],
        now,
    )
    event(
        session, row, now, "update_posted", actor.name, text, update=update.id, recipients=len(to)
    )
    return update


def _body(row: Incident, text: str) -> str:
    services = ", ".join(row.services) or "no service named yet"
    return f"{text}\n\nSeverity {row.severity}, status {row.status}; services: {services}."


def list_for(session: Session, incident_id: int) -> list[UpdateOut]:
    rows = session.scalars(
        select(StatusUpdate)
        .where(StatusUpdate.incident_id == incident_id)
        .order_by(StatusUpdate.at, StatusUpdate.id)
    ).all()
    counted = select(OutgoingMessage.update_id, func.count()).group_by(OutgoingMessage.update_id)
    mine = OutgoingMessage.incident_id == incident_id
    counts = dict(session.execute(counted.where(mine)).all())
    sent = dict(session.execute(counted.where(mine, OutgoingMessage.status == SENT)).all())
    return [
        UpdateOut(
            id=u.id,
            at=u.at,
            author=u.author,
            status=u.status,
            text=u.text,
            recipients=counts.get(u.id, 0),
            sent=sent.get(u.id, 0),
        )
        for u in rows
    ]
