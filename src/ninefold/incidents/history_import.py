"""Writing imported incidents, and what the history says: one transaction per run, each
record imported once by its id at the source, every refused record and every gap reported.

An imported incident is history: resolved (its resolution may be unknown), declared at its
impact start, by whoever ran the import, `import:<format>` as how; a category the
configuration does not know is left unknown, with a note. Services are kept as named, in the
catalog or not (a team's old service names, a cloud's products), so that recurrence and the
figures by service work on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.auth.model import Principal, require_responder
from ninefold.incidents import settings
from ninefold.incidents.history import Record, Refused
from ninefold.incidents.model import Status
from ninefold.incidents.records import INSTANT_COLUMNS, event
from ninefold.incidents.tables import Incident
from ninefold.stats import percentile


@dataclass
class Report:
    imported: int = 0
    unchanged: int = 0
    refused: list[Refused] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    """(where, what it lacks) of imported records."""


def import_records(
    session: Session,
    actor: Principal,
    records: Iterable[Record | Refused],
    fmt: str,
    now: datetime,
) -> Report:
    require_responder(actor, "import incidents")
    report = Report()
    categories = set(settings.root_causes(session))
    seen: dict[str, Record] = {}
    for record in records:
        if isinstance(record, Refused):
            report.refused.append(record)
            continue
        first = seen.get(record.source_id)
        if first is not None:
            same = first.content == record.content
            why = "the same record again" if same else "the same id with other content"
            report.refused.append(
                Refused(record.ref, record.source_id, f"{why} (first at {first.ref})")
            )
            continue
        seen[record.source_id] = record
        if session.scalar(select(Incident.id).where(Incident.external_id == record.source_id)):
            report.unchanged += 1
            continue
        category = record.category
        notes = list(record.notes)
        if category is not None and category not in categories:
            notes.append(f"category {category!r} is not configured: left unknown")
            category = None
        _write(session, actor, record, category, fmt, now)
        report.imported += 1
        report.notes += [(record.ref, note) for note in notes]
    return report


def _write(
    session: Session,
    actor: Principal,
    record: Record,
    category: str | None,
    fmt: str,
    now: datetime,
) -> None:
    anchor = record.instants.get("impact_start") or record.instants["resolved"]
    row = Incident(
        title=record.title,
        severity=record.severity,
        status=Status.RESOLVED,
        services=list(record.services),
        summary=record.summary,
        category=category,
        declared_at=anchor,
        declared_by=actor.name,
        declared_via=f"import:{fmt}",
        reopened=0,
        external_id=record.source_id,
        provider=record.provider,
        updated_at=now,
        **{INSTANT_COLUMNS[name]: when for name, when in record.instants.items()},
    )
    session.add(row)
    session.flush()
    event(session, row, now, "imported", actor.name, source=record.source_id, via=fmt)


@dataclass(frozen=True)
class Stat:
    key: str
    incidents: int
    with_duration: int
    mean: float | None
    p50: float | None
    p90: float | None
    longest: float | None


def stats(session: Session, by: str) -> list[Stat]:
    """Counts and the distribution of time to recover (minutes) by `category` or
    `provider`; unknown ones grouped as `unknown`. Largest groups first."""
    column = Incident.category if by == "category" else Incident.provider
    rows = session.execute(select(column, Incident.impact_start, Incident.resolved_at)).all()
    groups: dict[str, list[float | None]] = {}
    for key, start, end in rows:
        minutes = None if start is None or end is None else (end - start).total_seconds() / 60
        groups.setdefault(key or "unknown", []).append(minutes)
    return sorted(
        (_stat(key, values) for key, values in groups.items()),
        key=lambda s: (-s.incidents, s.key),
    )


def _stat(key: str, values: Sequence[float | None]) -> Stat:
    known = [v for v in values if v is not None]
    return Stat(
        key=key,
        incidents=len(values),
        with_duration=len(known),
        mean=sum(known) / len(known) if known else None,
        p50=percentile(known, 50),
        p90=percentile(known, 90),
        longest=max(known, default=None),
    )
