"""Alert groups from before Ninefold: written as the live system would have written them, so
that everything reading groups (the KPIs, the alert pages, `ninefold alerts`) sees imported
history as it sees its own.

A past group is stored resolved, as the rows and timeline entries intake and the responders'
actions leave: the group opened (`triggered`, by its integration), each acknowledgement, the
resolution (by a person, or `source:<integration>` when its alerts resolved themselves) and
the "was it actionable?" answer, plus an `imported` entry saying where it came from. It holds
no alerts: exports carry the groups, not the alerts in them. Its `external_id` is its id at
the source, so importing it again finds it and writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.alerts.service import GROUP_RESOLVED
from ninefold.alerts.tables import AlertGroup, GroupEvent, Integration

SOURCE = "source"
"""`resolved_by` of a group whose alerts resolved at the source, before the integration's
name is known."""


@dataclass(frozen=True)
class PastGroup:
    external_id: str
    title: str
    alertname: str
    service: str | None
    severity: str
    opened_at: datetime
    resolved_at: datetime
    resolved_by: str
    """A user's name, `SOURCE`, or who else the source names (`import:<format>`)."""
    acknowledgements: tuple[tuple[str, datetime], ...] = ()
    """(user, when), in order."""
    answer: str | None = None
    labels: dict[str, str] = field(default_factory=dict)


def find_integration(session: Session, name: str) -> Integration | None:
    return session.scalar(select(Integration).where(Integration.name == name))


def known(session: Session, external_ids: Iterable[str]) -> set[str]:
    """Those of the ids that a stored group has."""
    ids = list(external_ids)
    found: set[str] = set()
    for start in range(0, len(ids), 500):  # bound the IN list: PostgreSQL and SQLite alike
        query = select(AlertGroup.external_id).where(
            AlertGroup.external_id.in_(ids[start : start + 500])
        )
        found |= {key for key in session.scalars(query) if key is not None}
    return found


def by_external_id(session: Session, external_id: str) -> AlertGroup | None:
    return session.scalar(select(AlertGroup).where(AlertGroup.external_id == external_id))


Event = tuple[datetime, str, str, dict[str, object]]
"""A timeline entry: (at, kind, actor, detail)."""


@dataclass(frozen=True)
class Past:
    """A past group to write: the integration it belongs to, the group, and the timeline
    entries of whoever paged for it (the caller's rows)."""

    integration: Integration
    group: PastGroup
    paging: Sequence[Event] = ()


def write(
    session: Session, pasts: Sequence[Past], actor: str, via: str, now: datetime
) -> list[AlertGroup]:
    """Store past groups and their timelines, flushed (they have their ids), in the order
    given; `actor` imported them `via` a format at `now`. Each timeline is written in the
    order it happened, since readers may order it by entry. One flush for all: a quarter of
    history is thousands of rows."""
    rows = [_row(p.integration, p.group) for p in pasts]
    session.add_all(rows)
    session.flush()
    for row, p in zip(rows, pasts, strict=True):
        session.add_all(
            GroupEvent(group_id=row.id, at=at, kind=kind, actor=who, detail=detail)
            for at, kind, who, detail in _timeline(row, p, actor, via, now)
        )
    return rows


def _row(integration: Integration, past: PastGroup) -> AlertGroup:
    labels = {**past.labels, "alertname": past.alertname}
    if past.service:
        labels.setdefault("service", past.service)
    if past.severity:
        labels.setdefault("severity", past.severity)
    first_ack = past.acknowledgements[0] if past.acknowledgements else None
    return AlertGroup(
        integration_id=integration.id,
        group_key=json.dumps({"alertname": past.alertname, "service": past.service or ""}),
        open_key=None,
        title=past.title,
        service=past.service,
        severity=past.severity,
        labels=labels,
        state=GROUP_RESOLVED,
        created_at=past.opened_at,
        acknowledged_at=first_ack[1] if first_ack else None,
        acknowledged_by=first_ack[0] if first_ack else None,
        resolved_at=past.resolved_at,
        resolved_by=_resolver(integration, past),
        truncated_alerts=0,
        flapping=False,
        external_id=past.external_id,
    )


def _resolver(integration: Integration, past: PastGroup) -> str:
    return f"source:{integration.name}" if past.resolved_by == SOURCE else past.resolved_by


def _timeline(row: AlertGroup, p: Past, actor: str, via: str, now: datetime) -> list[Event]:
    past, resolver = p.group, _resolver(p.integration, p.group)
    events: list[Event] = [
        (past.opened_at, "triggered", f"source:{p.integration.name}", {"group_key": row.group_key}),
        *p.paging,
        *((at, "acknowledged", user, {}) for user, at in past.acknowledgements),
        (past.resolved_at, "resolved", resolver, {}),
    ]
    if past.answer is not None:
        answered_by = resolver if not resolver.startswith("source:") else actor
        events.append((past.resolved_at, "actionable", answered_by, {"answer": past.answer}))
    events.append((now, "imported", actor, {"source": past.external_id, "via": via}))
    return sorted(events, key=lambda e: e[0])
