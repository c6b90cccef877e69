"""Written notes on an incident's timeline, and the pins that keep entries for the
postmortem. A note is edited or deleted in place, with the old text in the audit log: the
timeline shows the note as it stands and says it was edited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ninefold.auth import audit
from ninefold.auth.model import Principal, require_responder
from ninefold.errors import Conflict, Forbidden, Invalid, NotFound
from ninefold.incidents import timeline
from ninefold.incidents.records import event, get_row
from ninefold.incidents.tables import IncidentEvent, IncidentPin

NOTE = "note"
REF_KINDS = ("event", "group-event", "change")


def add(
    session: Session, actor: Principal, incident_id: int, text: str, now: datetime
) -> IncidentEvent:
    require_responder(actor, "write incident notes")
    row = get_row(session, incident_id, lock=True)
    entry = event(session, row, now, NOTE, actor.name, text)
    session.flush()
    return entry


def _note(session: Session, actor: Principal, incident_id: int, note_id: int) -> IncidentEvent:
    require_responder(actor, "change incident notes")
    entry = session.get(IncidentEvent, note_id)
    if (
        entry is None
        or entry.incident_id != incident_id
        or entry.kind != NOTE
        or entry.deleted_at is not None
    ):
        raise NotFound(f"incident {incident_id} has no note {note_id}")
    if entry.actor != actor.name and not actor.is_admin:
        raise Forbidden(f"note {note_id} is {entry.actor}'s: only they or an admin may change it")
    return entry


def edit(
    session: Session, actor: Principal, incident_id: int, note_id: int, text: str, now: datetime
) -> IncidentEvent:
    entry = _note(session, actor, incident_id, note_id)
    if entry.text == text:
        raise Conflict("the note says that already", field="text")
    audit.record(
        session,
        actor,
        now,
        "update",
        "incident note",
        f"#{incident_id}/{note_id}",
        {"text": entry.text},
        {"text": text},
    )
    entry.text, entry.edited_at = text, now
    return entry


def remove(
    session: Session, actor: Principal, incident_id: int, note_id: int, now: datetime
) -> None:
    entry = _note(session, actor, incident_id, note_id)
    audit.record(
        session,
        actor,
        now,
        "delete",
        "incident note",
        f"#{incident_id}/{note_id}",
        {"text": entry.text},
        None,
    )
    entry.deleted_at = now
    session.execute(
        delete(IncidentPin).where(
            IncidentPin.incident_id == incident_id, IncidentPin.ref == f"event:{note_id}"
        )
    )


def check_ref(ref: str) -> None:
    kind, _, number = ref.partition(":")
    if kind not in REF_KINDS or not number.isdigit():
        raise Invalid(
            f"{ref!r} is not a timeline reference (event:N, group-event:N or change:N)",
            field="ref",
        )


def pin(
    session: Session, actor: Principal, incident_id: int, ref: str, now: datetime, *, on: bool
) -> None:
    """Pin or unpin a timeline entry by its reference; the entry must be on the timeline."""
    require_responder(actor, "pin timeline entries")
    check_ref(ref)
    row = get_row(session, incident_id, lock=True)
    if ref not in {entry.ref for entry in timeline.entries(session, row, now)}:
        raise NotFound(f"incident {incident_id} has no timeline entry {ref}")
    found = session.get(IncidentPin, (incident_id, ref))
    if on and found is None:
        session.add(
            IncidentPin(incident_id=incident_id, ref=ref, pinned_at=now, pinned_by=actor.name)
        )
    elif not on and found is not None:
        session.delete(found)
    row.updated_at = now
