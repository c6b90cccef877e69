"""The monthly reliability report and the quarterly state of reliability, as documents.

Both read the same loaded records as the KPI table (`kpis.computed`), so a report's figure is
the KPI page's figure for the same period and selection. The monthly report says what
happened (incidents, noisy alerts, on-call load, open action items); the quarterly one whether
things are getting better (KPI trends over four quarters, MTTR by severity, top root causes,
recurrence, DORA). Reports are team reports: on-call load is shown per schedule, never per
person (KPIS.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ninefold.auth.model import Principal, Role
from ninefold.changes.dora import Period
from ninefold.changes.dora_report import Selection
from ninefold.incidents import action_items, read
from ninefold.incidents.model import Severity
from ninefold.reports import incident_kpis as ik
from ninefold.reports import kpis, table
from ninefold.reports.catalogue import BY_KEY, Target, shown
from ninefold.reports.charts import Bar, goal_of
from ninefold.reports.document import Chart, Column, Kind, Measure, Report, Section, Table
from ninefold.reports.schemas import KpiTable
from ninefold.settings import Settings

TREND_KPIS = ("mttr", "customer_impact", "incident_rate", "pages_per_on_call_hour",
              "actionable_ratio", "change_failure_rate")  # fmt: skip
"""The KPIs drawn as charts in a report."""
TEAM_VIEW = Principal("report", Role.VIEWER, "report")
"""Whom on-call load is shown to in a report: anyone, so no person's row."""
TOP = 10
MIN_PAGES = 5


@dataclass(frozen=True)
class Asked:
    """What a period report is made of: the period, the selection, the targets in force."""

    period: Period
    selection: Selection
    targets: dict[str, Target]
    now: datetime
    history: int
    settings: Settings | None = None
    """Where the capacity KPIs' series are read; None: those KPIs have no data."""


def kpi_section(found: KpiTable, targets: dict[str, Target], history: int) -> Section:
    starts = [f"{p.start:%Y-%m-%d}" for p in table.periods_ending(_period(found), history)]
    rows = [
        (r.title, Measure(r.value, r.unit), Measure(r.previous, r.unit), r.change, r.target,
         {True: "yes", False: "no", None: ""}[r.meets])
        for r in found.rows
    ]  # fmt: skip
    charts = []
    for row in (r for r in found.rows if r.key in TREND_KPIS):
        bars = tuple(
            Bar(start, value, shown(value, row.unit))
            for start, value in zip(starts, row.history, strict=True)
        )
        goal = goal_of(targets.get(row.key, BY_KEY[row.key].target), row.previous)
        title = f"{row.title}: {shown(row.value, row.unit)}"
        charts.append(Chart(title, bars, goal, f"target {row.target}", row.meets))
    columns = (Column("KPI"), Column("Value"), Column("Before"), Column("Change", "ratio"),
               Column("Target"), Column("Meets"))  # fmt: skip
    return Section(
        "KPIs against their targets",
        (
            "Each figure against the period before; the charts show it over the periods of the "
            "same length before (the last bar: this one). The records behind every figure are on "
            "the KPI page of the web UI.",
        ),
        tables=(Table("KPIs", columns, rows, links=[f"/kpis/{r.key}" for r in found.rows]),),
        charts=tuple(charts),
    )


def _period(found: KpiTable) -> Period:
    return Period(found.start, found.end)


def incidents_section(session: Session, loaded: table.Loaded, period: Period) -> Section:
    mine = {i.id: i for i in ik.in_period(loaded.incidents, period)}
    rows, links = [], []
    for row in read.rows_around(session, period.start, period.end):
        record = mine.get(row.id)
        if record is None:
            continue
        impact = ik.customer_impact([record], period)
        minutes = impact.minutes if impact.counted else None
        rows.append((f"#{row.id} {row.title}", row.severity, ", ".join(row.services),
                     row.category or "", minutes, row.status))  # fmt: skip
        links.append(f"/incidents/{row.id}")
    counts = Counter(i.severity for i in mine.values())
    said = ", ".join(f"{counts[s]} {s}" for s in Severity if counts[s]) or "none"
    columns = (Column("Incident"), Column("Severity"), Column("Services"),
               Column("Root cause"), Column("Impact", "minutes"), Column("Status"))  # fmt: skip
    return Section(
        "Incidents",
        (f"{len(mine)} incidents began in the period: {said}.",),
        tables=(Table("Incidents", columns, rows, "No incident began in the period.", links),),
    )


def alerts_section(loaded: table.Loaded, period: Period) -> Section:
    rules = kpis.rules_of(loaded, period, MIN_PAGES)
    rows = [
        (f"{q.alertname} ({q.service or 'no service'})", q.pages, q.actionable_ratio,
         q.noise_ratio, q.mtta_p50_minutes, q.off_hours_pages,
         "tune or delete: " + q.evidence if q.tune_or_delete else "")
        for q in rules[:TOP]
    ]  # fmt: skip
    flagged = sum(q.tune_or_delete for q in rules)
    columns = (Column("Alert rule"), Column("Pages", "count"), Column("Actionable", "ratio"),
               Column("Noise", "ratio"), Column("Ack P50", "minutes"),
               Column("Off-hours pages", "count"), Column("Verdict"))  # fmt: skip
    text = f"{len(rules)} alert rules paged; {flagged} flagged tune or delete."
    return Section(
        "Noisiest alerts", (text,), tables=(Table("Top talkers", columns, rows, "No page."),)
    )


def load_section(session: Session, period: Period, team: str | None) -> Section:
    loads = kpis.oncall_loads(session, period, team, TEAM_VIEW)
    rows = [
        (s.schedule, s.participants, s.hours, s.pages, s.pages_per_hour, s.off_hours_pages,
         s.sleep_hours_pages, s.spread)
        for s in loads
    ]  # fmt: skip
    columns = (Column("Schedule"), Column("People", "count"), Column("On-call hours", "hours"),
               Column("Pages", "count"), Column("Pages per hour", "number"),
               Column("Off hours", "count"), Column("Sleep hours", "count"),
               Column("Fairness spread", "number"))  # fmt: skip
    return Section(
        "On-call load",
        ("Per schedule; each person sees their own figures in the web UI.",),
        tables=(Table("Schedules", columns, rows, "No one was on call."),),
    )


def items_section(session: Session, team: str | None, now: datetime) -> Section:
    found = action_items.list_items(session, now.date(), team=team, open_only=True)
    rows = [
        (f"#{i.id} {i.title}", i.kind, i.priority, i.owner or "", i.due.isoformat(),
         "overdue" if i.overdue else "")
        for i in found
    ]  # fmt: skip
    columns = (Column("Action item"), Column("Kind"), Column("Priority"), Column("Owner"),
               Column("Due"), Column("State"))  # fmt: skip
    overdue = sum(i.overdue for i in found)
    return Section(
        "Open action items",
        (f"{len(found)} open, {overdue} overdue.",),
        tables=(
            Table(
                "Open action items",
                columns,
                rows,
                "None open.",
                [f"/action-items?show=all#item-{i.id}" for i in found],
            ),
        ),
    )


def severity_section(loaded: table.Loaded, period: Period) -> Section:
    recover = ik.by_severity(loaded.incidents, period, ik.time_to_recover)
    mitigate = ik.by_severity(loaded.incidents, period, ik.time_to_mitigate)
    rows = [
        (str(s), recover[s].count, recover[s].mean, recover[s].p50, mitigate[s].mean)
        for s in Severity
    ]
    columns = (Column("Severity"), Column("Incidents", "count"), Column("MTTR mean", "minutes"),
               Column("MTTR median", "minutes"), Column("Time to mitigate", "minutes"))  # fmt: skip
    return Section("Time to recover by severity", tables=(Table("By severity", columns, rows),))


def causes_section(loaded: table.Loaded, period: Period) -> Section:
    mine = ik.in_period(loaded.incidents, period)
    by_cause: dict[str, list[ik.IncidentRecord]] = {}
    for incident in mine:
        by_cause.setdefault(incident.category or "(not set)", []).append(incident)
    ranked = sorted(by_cause.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:TOP]
    rows = [
        (cause, len(found), ik.customer_impact(found, period).minutes) for cause, found in ranked
    ]
    recurrence = ik.recurrence_rate(loaded.incidents, period)
    recurring = ", ".join(f"#{ref}" for ref in recurrence.hits) or "none"
    text = (
        f"Recurrence: {recurrence.numerator} of {recurrence.denominator} significant incidents "
        f"repeated a root cause of their service within 90 days ({recurring})."
    )
    columns = (Column("Root cause"), Column("Incidents", "count"),
               Column("Customer impact", "minutes"))  # fmt: skip
    return Section("Top root causes", (text,), tables=(Table("Root causes", columns, rows),))


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 60


def dora_section(loaded: table.Loaded, period: Period) -> Section:
    found = loaded.dora_figures(period)
    rows = [
        ("Deploys", Measure(found.deploys, "count")),
        ("Deploys per week", Measure(found.per_week, "per week")),
        ("Band", found.band.value),
        ("Lead time for changes (median)", Measure(_minutes(found.lead_time_seconds), "minutes")),
        ("Change failure rate", Measure(found.change_failure_rate, "ratio")),
        ("Rollback rate", Measure(found.rollback_rate, "ratio")),
        ("Failed deployment recovery (median)",
         Measure(_minutes(found.recovery_seconds), "minutes")),
        ("Deployment rework rate", Measure(found.rework_rate, "ratio")),
    ]  # fmt: skip
    return Section(
        "Changes (DORA)", tables=(Table("DORA", (Column("Figure"), Column("Value")), rows),)
    )


def build(session: Session, kind: Kind, asked: Asked, title: str) -> Report:
    loaded = kpis.load(
        session, asked.period, asked.selection, asked.history, asked.now, asked.settings
    )
    words = kpis.describe(asked.selection)
    found = kpis.table_of(loaded, asked.period, words, asked.now, asked.targets, asked.history)
    period, team = asked.period, asked.selection.team
    sections: Sequence[Section]
    if kind == "monthly":
        sections = (
            kpi_section(found, asked.targets, asked.history),
            incidents_section(session, loaded, period),
            alerts_section(loaded, period),
            load_section(session, period, team),
            items_section(session, team, asked.now),
        )
    else:
        sections = (
            kpi_section(found, asked.targets, asked.history),
            severity_section(loaded, period),
            causes_section(loaded, period),
            dora_section(loaded, period),
            alerts_section(loaded, period),
            load_section(session, period, team),
        )
    return Report(
        kind=kind,
        title=title,
        start=period.start,
        end=period.end,
        selection=words,
        generated_at=asked.now,
        partial=found.partial,
        sections=tuple(sections),
    )
