"""The other domains' records as the KPI functions read them, loaded once per question.
Reads only: the reports domain writes nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from ninefold.alerts import groups
from ninefold.auth import service as auth
from ninefold.catalog import service as catalog
from ninefold.incidents import action_items, postmortems, read
from ninefold.incidents.model import RECURRENCE_WINDOW, Severity
from ninefold.oncall import service as schedules
from ninefold.oncall.schedule import shadow_shifts
from ninefold.paging.escalation import first_notifications
from ninefold.reports.incident_kpis import IncidentRecord, ItemRecord
from ninefold.reports.paging_kpis import GroupRecord, PageRecord, ShiftRecord

SHIFT_MARGIN = timedelta(days=14)
"""How far around a period shifts are laid out, so that one running across its start keeps
its real start (a shift longer than this is cut at it)."""


def incident_records(session: Session, start: datetime, end: datetime) -> list[IncidentRecord]:
    """The incidents a period's figures may need: anchored, resolved or impacting in it, and
    those of the 90 days before it (what recurrence looks back to)."""
    rows = read.rows_around(session, start - RECURRENCE_WINDOW, end)
    known = read.group_instants(session, [row.id for row in rows])
    reviews = postmortems.reviews(session, rows)
    found = []
    for row in rows:
        effective = read.effective_of(row, *known[row.id])
        severity = Severity(row.severity)
        reviewed, deadline = reviews[row.id]
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


def item_records(session: Session, start: datetime, end: datetime) -> list[ItemRecord]:
    """The action items due in [start, end) (by date, as KPIS.md anchors them)."""
    return [
        ItemRecord(i.id, i.due, i.closed_on, i.incident_id, i.team)
        for i in action_items.due_between(session, start.date(), end.date() + timedelta(days=1))
    ]


@dataclass(frozen=True)
class Paging:
    groups: list[GroupRecord]
    pages: list[PageRecord]


def paging_records(
    session: Session,
    start: datetime,
    end: datetime,
    services: Collection[str] | None = None,
    *,
    shadows: bool = False,
) -> Paging:
    """The alert groups (of `services`, or all) opened in [start - 1 day, end) (a page can
    come after its group opened, not before) with their first acknowledgement and answer,
    and their pages with each recipient's zone and team holidays. The pages are the team's
    (shadows' left out: their groups' first page and every team figure count without them);
    with `shadows`, the shadows' pages follow, marked, for their own load."""
    since = start - timedelta(days=1)
    rows = groups.opened_between(session, since, end, services)
    ids = groups.opened_ids(since, end, services)
    facts = groups.first_acks_and_answers(session, ids)
    flapped = groups.flapped(session, ids)
    users = {u.name: u for u in auth.all_users(session)}
    names = {row.id: name for name, row in auth.users_by_name(session, users).items()}
    holidays: dict[str, set[date]] = defaultdict(set)
    for team in catalog.all_teams(session):
        for member in team.members:
            holidays[member] |= set(team.holidays)
    zones = {name: (user.time_zone, frozenset(holidays[name])) for name, user in users.items()}
    pages = [
        PageRecord(group_id, names[user_id], sent, *zones[names[user_id]])
        for group_id, user_id, sent in first_notifications(session, ids)
        if user_id in names
    ]
    first: dict[int, datetime] = {}
    for p in pages:
        first[p.group_id] = min(first.get(p.group_id, p.sent_at), p.sent_at)
    if shadows:
        pages += [
            PageRecord(group_id, names[user_id], sent, *zones[names[user_id]], shadow=True)
            for group_id, user_id, sent in first_notifications(session, ids, shadow=True)
            if user_id in names
        ]
    records = []
    for row in rows:
        ack, answer = facts.get(row.id, (None, None))
        records.append(
            GroupRecord(
                id=row.id,
                alertname=row.labels.get("alertname", row.title),
                service=row.service,
                opened_at=row.created_at,
                first_page_at=first.get(row.id),
                acknowledged_at=ack,
                resolved_at=row.resolved_at,
                resolved_at_source=(row.resolved_by or "").startswith("source:"),
                answer=answer,
                flapped=row.id in flapped,
            )
        )
    return Paging(records, pages)


def shift_records(
    session: Session,
    start: datetime,
    end: datetime,
    names: Collection[str] | None = None,
    *,
    shadows: bool = False,
) -> list[ShiftRecord]:
    """Every person's stretches on call in each schedule (of `names`, or all) around
    [start, end); with `shadows`, each shadow's stretches with each person they shadowed
    follow, marked (a shadow is not on call: they count in no team figure)."""
    since, until = start - SHIFT_MARGIN, end + SHIFT_MARGIN
    found = []
    for row in schedules.all_rows(session):
        if names is not None and row.name not in names:
            continue
        model = schedules.model(session, row, since, until)
        segments = model.shifts(since, until)
        people = sorted({p for segment in segments for p in segment.people})
        for person in people:
            found += [
                ShiftRecord(row.name, person, s.start, s.end)
                for s in model.shifts_of(person, since, until)
            ]
        if shadows:
            found += [
                ShiftRecord(row.name, s.shadow, s.start, s.end, shadow=True)
                for s in shadow_shifts(segments)
            ]
    return found
