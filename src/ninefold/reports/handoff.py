"""The on-call handoff report: at the end of a shift, what the outgoing person had (the pages
of the shift, the noisiest alerts) and what the incoming person takes over (open incidents
and open action items of the schedule's team).

A handoff is an instant where someone's shift of a schedule ends: the outgoing people are
those whose shift ends then, the incoming ones those on call from then. Open incidents and
items are those open when the report is made (for a past handoff: now, not then).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ninefold.catalog import service as catalog
from ninefold.changes.dora import Period
from ninefold.errors import Invalid, NotFound
from ninefold.incidents import read
from ninefold.oncall import service as schedules
from ninefold.reports import kpis, paging_kpis, records
from ninefold.reports.document import Column, Report, Section, Table
from ninefold.reports.paging_kpis import ShiftRecord
from ninefold.reports.period_reports import items_section
from ninefold.reports.table import Loaded

NOISIEST = 5


@dataclass(frozen=True)
class Handoff:
    schedule: str
    at: datetime
    shift_start: datetime
    """The earliest start of the outgoing shifts."""
    outgoing: tuple[str, ...]
    incoming: tuple[str, ...]


def handoffs(
    shifts: Sequence[ShiftRecord], schedule: str, since: datetime, until: datetime
) -> list[Handoff]:
    """The handoffs of `schedule` in (since, until], oldest first. A shift that ends as the
    same person's next one starts (two layers, one person) is no handoff for them."""
    mine = [s for s in shifts if s.schedule == schedule]
    found = []
    for at in sorted({s.end for s in mine if since < s.end <= until}):
        incoming = {s.user for s in mine if s.start <= at < s.end}
        ending = [s for s in mine if s.end == at and s.user not in incoming]
        if not ending:
            continue
        found.append(
            Handoff(
                schedule,
                at,
                min(s.start for s in ending),
                tuple(sorted({s.user for s in ending})),
                tuple(sorted(incoming)),
            )
        )
    return found


def last_handoff(session: Session, schedule: str, before: datetime) -> Handoff:
    """The latest handoff of `schedule` at or before `before`, within the 14 days before it."""
    if schedules.find_row(session, schedule) is None:
        raise NotFound(f"no schedule named {schedule!r}")
    since = before - records.SHIFT_MARGIN
    found = handoffs(
        records.shift_records(session, since, before, {schedule}), schedule, since, before
    )
    if not found:
        raise Invalid(
            f"schedule {schedule!r} had no handoff in the 14 days before "
            f"{before:%Y-%m-%d %H:%M} UTC",
            field="period",
        )
    return found[-1]


def _services_of(session: Session, team: str | None) -> set[str] | None:
    if team is None:
        return None
    return {s.name for s in catalog.all_services(session, team=team)}


def report(session: Session, handoff: Handoff, now: datetime) -> Report:
    row = schedules.get_row(session, handoff.schedule)
    shift = Period(handoff.shift_start, handoff.at)
    services = _services_of(session, row.team)
    paging = records.paging_records(session, shift.start, shift.end)
    loaded = Loaded(groups=paging.groups, pages=paging.pages).narrowed(services)
    by_group = {g.id: g for g in loaded.groups}
    mine = [p for p in loaded.pages if p.user in handoff.outgoing and shift.holds(p.sent_at)]
    page_rows, links = [], []
    for page in sorted(mine, key=lambda p: p.sent_at):
        group = by_group[page.group_id]
        ack = group.acknowledged_at
        page_rows.append(
            (f"#{group.id} {group.alertname}", group.service or "", page.user,
             f"{page.sent_at:%Y-%m-%d %H:%M}",
             None if ack is None else (ack - page.sent_at).total_seconds() / 60,
             "resolved" if group.resolved_at else "open", group.answer or "",
             "yes" if paging_kpis.off_hours(page) else "")
        )  # fmt: skip
        links.append(f"/alerts/{group.id}")
    page_columns = (Column("Alert group"), Column("Service"), Column("To"), Column("Sent (UTC)"),
                    Column("Acknowledged after", "minutes"), Column("State"),
                    Column("Actionable"), Column("Off hours"))  # fmt: skip
    noisy = kpis.rules_of(loaded, shift, min_pages=1)[:NOISIEST]
    noisy_rows = [
        (f"{q.alertname} ({q.service or 'no service'})", q.pages, q.actionable_ratio,
         q.noise_ratio)
        for q in noisy
    ]  # fmt: skip
    open_rows, open_links = [], []
    for incident in read.list_page(session, read.Filters(status="open"), limit=200).items:
        if services is not None and not services & set(incident.services):
            continue
        open_rows.append((f"#{incident.id} {incident.title}", incident.severity,
                          incident.status, ", ".join(incident.services)))  # fmt: skip
        open_links.append(f"/incidents/{incident.id}")
    who = f"from {', '.join(handoff.outgoing)} to {', '.join(handoff.incoming) or 'no one'}"
    return Report(
        kind="handoff",
        title=f"On-call handoff of {handoff.schedule}",
        start=shift.start,
        end=shift.end,
        selection=f"schedule {handoff.schedule} ({row.team or 'no team'}), {who}",
        generated_at=now,
        partial=shift.end > now,
        sections=(
            Section(
                "Pages of the shift",
                (f"{len(mine)} pages to {', '.join(handoff.outgoing)} during the shift.",),
                tables=(Table("Pages", page_columns, page_rows, "No page: a quiet shift.", links),),
            ),
            Section(
                "Open incidents",
                tables=(
                    Table(
                        "Open incidents",
                        (
                            Column("Incident"),
                            Column("Severity"),
                            Column("Status"),
                            Column("Services"),
                        ),
                        open_rows,
                        "None open.",
                        open_links,
                    ),
                ),
            ),
            items_section(session, row.team, now),
            Section(
                "Noisiest alerts of the shift",
                tables=(
                    Table(
                        "Noisiest alerts",
                        (
                            Column("Alert rule"),
                            Column("Pages", "count"),
                            Column("Actionable", "ratio"),
                            Column("Noise", "ratio"),
                        ),
                        noisy_rows,
                        "No page.",
                    ),
                ),
            ),
        ),
    )
