"""Any report by kind, for the command line, the web UI, the API and scheduled delivery alike:
what period a name means, which schedule a handoff is of, and the document built."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from ninefold.changes.dora_report import Selection, services_of
from ninefold.errors import Invalid
from ninefold.instants import parse_instant
from ninefold.oncall import service as schedules
from ninefold.reports import handoff, kpis, periods, targets
from ninefold.reports.document import Kind, Report
from ninefold.reports.period_reports import Asked, build
from ninefold.reports.slo_week import weekly
from ninefold.settings import Settings
from ninefold.slos.incident_burn import Pricer

TITLES = {
    "monthly": "Monthly reliability report",
    "quarterly": "Quarterly state of reliability",
}
HISTORY = {"weekly": 2, "monthly": 6, "quarterly": 4}
"""Periods of the same length a report's KPI charts show."""


@dataclass(frozen=True)
class Wanted:
    kind: Kind
    selection: Selection = field(default_factory=Selection)
    period: str | None = None
    """A period's name (2026-W48, 2026-11, 2026-Q4); for a handoff, an instant at or after
    it; None: the last whole period, the last handoff."""
    schedule: str | None = None


def schedule_of(session: Session, wanted: Wanted) -> str:
    if wanted.schedule is not None:
        return wanted.schedule
    team = wanted.selection.team
    names = [row.name for row in schedules.all_rows(session) if team is None or row.team == team]
    if len(names) != 1:
        whose = f"team {team!r}" if team else "this installation"
        raise Invalid(
            f"{whose} has {len(names)} schedules ({', '.join(names) or 'none'}): name one with "
            "schedule",
            field="schedule",
        )
    return names[0]


def make(session: Session, settings: Settings, wanted: Wanted, now: datetime) -> Report:
    if wanted.kind == "handoff":
        before = now if wanted.period is None else parse_instant(wanted.period, "period", now)
        found = handoff.last_handoff(session, schedule_of(session, wanted), before)
        return handoff.report(session, found, now)
    period = periods.named(wanted.kind, wanted.period, now)
    owners = services_of(session, wanted.selection)
    if wanted.kind == "weekly":
        words = kpis.describe(wanted.selection)
        return weekly(Pricer.of(settings), sorted(owners), period, now, words)
    asked = Asked(
        period,
        wanted.selection,
        targets.configured(settings.config_dir),
        now,
        HISTORY[wanted.kind],
        settings,
    )
    title = f"{TITLES[wanted.kind]}, {periods.label(wanted.kind, period)}"
    return build(session, wanted.kind, asked, title)
