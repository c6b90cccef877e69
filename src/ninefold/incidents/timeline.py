"""An incident's timeline, put together when read: its own entries (notes, status, roles,
updates), the events of its linked alert groups (alerts, pages, acknowledgements), and the
changes of its services and their dependencies from a day before it started. Nothing is
copied, so a group's later events show up by themselves, and every entry has a reference
(`event:N`, `group-event:N`, `change:N`) that a pin keeps for the postmortem."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.alerts import groups
from ninefold.catalog import service as catalog
from ninefold.changes import service as changes
from ninefold.changes.links import DEFAULT_WINDOW, Candidate, cause_of
from ninefold.changes.schemas import ChangeOut
from ninefold.incidents.model import anchor
from ninefold.incidents.records import instants_of
from ninefold.incidents.schemas import ROLE_TITLES, LinkedChange, TimelineEntry
from ninefold.incidents.tables import Incident, IncidentEvent, IncidentGroup, IncidentPin
from ninefold.paging.timeline import describe as describe_group_event

Detail = Mapping[str, Any]


def _role(detail: Detail) -> str:
    return ROLE_TITLES.get(str(detail.get("role")), str(detail.get("role")))


SENTENCES: dict[str, Callable[[Detail], str]] = {
    "declared": lambda d: f"Declared {d.get('severity')} ({d.get('via')})",
    "group_linked": lambda d: f"Alert group #{d.get('group')} linked: {d.get('title')}",
    "status_changed": lambda d: f"Status {d.get('before')} → {d.get('after')}",
    "reopened": lambda d: f"Reopened: {d.get('before')} → {d.get('after')}",
    "role_assigned": lambda d: (
        f"{_role(d)}: {d.get('user')}" + (f" (was {d.get('before')})" if d.get("before") else "")
    ),
    "role_freed": lambda d: f"{_role(d)} freed (was {d.get('before')})",
    "instant_corrected": lambda d: (
        f"{str(d.get('instant')).replace('_', ' ').capitalize()} set to {_shown(d.get('after'))}"
        f" (was {_shown(d.get('before'))})"
    ),
    "action_item_added": lambda d: f"Action item #{d.get('item')} added: {d.get('title')}",
    "postmortem_started": lambda _d: "Postmortem started",
    "postmortem_moved": lambda d: (
        f"Postmortem {_shown(d.get('before')).replace('_', ' ')} → "
        f"{_shown(d.get('after')).replace('_', ' ')}"
    ),
    "imported": lambda d: f"Imported from {d.get('via')} (id {d.get('source')})",
    "update_posted": lambda d: f"Status update sent to {d.get('recipients')} recipients",
    "runbook_used": lambda d: f"Runbook {d.get('runbook')} used",
}


def _shown(value: object) -> str:
    if value is None or value == []:
        return "none"
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def describe(kind: str, detail: Detail, text: str) -> str:
    """One sentence for an entry of the incident's own; a note is its text."""
    if kind == "note":
        return text
    sentence = SENTENCES.get(kind)
    if sentence is not None:
        said = sentence(detail)
    elif kind.endswith("_changed"):
        before, after = (_shown(detail.get(k)) for k in ("before", "after"))
        said = f"{kind.removesuffix('_changed').replace('_', ' ').capitalize()} {before} → {after}"
    else:
        said = kind.replace("_", " ")
    return f"{said}: {text}" if text and kind != "update_posted" else (text or said)


def pinned(session: Session, incident_id: int) -> set[str]:
    return set(
        session.scalars(select(IncidentPin.ref).where(IncidentPin.incident_id == incident_id))
    )


def linked_group_ids(session: Session, incident_id: int) -> list[int]:
    return list(
        session.scalars(
            select(IncidentGroup.group_id)
            .where(IncidentGroup.incident_id == incident_id)
            .order_by(IncidentGroup.group_id)
        )
    )


def window(row: Incident, now: datetime) -> tuple[datetime, datetime]:
    """From a day before the incident's anchor (KPIS.md's link window) to its resolution."""
    start = anchor(instants_of(row))
    return start - DEFAULT_WINDOW, (row.resolved_at or now) + timedelta(seconds=1)


def nearby_changes(
    session: Session, row: Incident, now: datetime, graph: dict[str, list[str]]
) -> list[ChangeOut]:
    since, until = window(row, now)
    names = sorted({name for s in row.services for name in (s, *graph.get(s, []))})
    shown = changes.list_page(session, services=names, since=since, until=until, limit=200).items
    extra = changes.causing(session, row.id)
    if row.caused_by_change is not None:
        extra.append(changes.get(session, row.caused_by_change))
    known = {c.id for c in shown}
    return sorted(
        [*shown, *(c for c in extra if c.id not in known)], key=lambda c: (c.finished_at, c.id)
    )


def linked_changes(session: Session, row: Incident, now: datetime) -> list[LinkedChange]:
    """The changes shown with the incident, and which one caused it by the rules of KPIS.md
    (the first impacted service stands for the incident in the last-deploy rule)."""
    graph = catalog.dependency_graph(session)
    near = nearby_changes(session, row, now, graph)
    deploys = [
        Candidate(
            c.id,
            c.service,
            c.finished_at,
            (c.caused_incident,) if c.caused_incident is not None else (),
        )
        for c in near
        if c.kind == "deploy" and c.production
    ]
    cause = cause_of(
        row.id,
        row.services[0] if row.services else None,
        row.impact_start or row.declared_at,
        row.caused_by_change,
        deploys,
        graph,
    )
    return [
        LinkedChange(
            id=c.id,
            service=c.service,
            environment=c.environment,
            version=c.version,
            finished_at=c.finished_at,
            outcome=c.outcome,
            cause=str(cause.rule) if cause is not None and cause.deploy == c.id else None,
        )
        for c in near
    ]


def entries(
    session: Session, row: Incident, now: datetime, linked: Sequence[LinkedChange] | None = None
) -> list[TimelineEntry]:
    """`linked`: the incident's linked changes when the caller has them already."""
    pins = pinned(session, row.id)
    found: list[TimelineEntry] = []
    own = session.scalars(
        select(IncidentEvent)
        .where(IncidentEvent.incident_id == row.id, IncidentEvent.deleted_at.is_(None))
        .order_by(IncidentEvent.at, IncidentEvent.id)
    )
    for e in own:
        ref = f"event:{e.id}"
        found.append(
            TimelineEntry(
                ref=ref,
                at=e.at,
                kind=e.kind,
                actor=e.actor,
                text=describe(e.kind, e.detail, e.text),
                detail=e.detail,
                pinned=ref in pins,
                edited=e.edited_at is not None,
            )
        )
    group_events = groups.events_of(session, linked_group_ids(session, row.id))
    for g in group_events:
        if g.kind == "incident_linked":
            continue
        ref = f"group-event:{g.id}"
        found.append(
            TimelineEntry(
                ref=ref,
                at=g.at,
                kind=f"alert_{g.kind}" if not g.kind.startswith("alert_") else g.kind,
                actor=g.actor,
                text=f"Group #{g.group_id}: {describe_group_event(g.kind, g.detail)}",
                detail={"group": g.group_id, **g.detail},
                pinned=ref in pins,
            )
        )
    for c in linked_changes(session, row, now) if linked is None else linked:
        ref = f"change:{c.id}"
        found.append(
            TimelineEntry(
                ref=ref,
                at=c.finished_at,
                kind="change",
                actor="",
                text=(
                    f"Change #{c.id}: {c.service} {c.version or ''} to {c.environment}, "
                    f"{c.outcome}".replace("  ", " ")
                    + (f"; linked as the cause ({c.cause})" if c.cause else "")
                ),
                detail={"change": c.id, "service": c.service},
                pinned=ref in pins,
            )
        )
    return sorted(found, key=lambda e: (e.at, e.ref))
