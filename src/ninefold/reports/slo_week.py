"""The weekly SLO and error budget snapshot: every SLO of the selection at the end of the week
against its start (attainment over the SLO's own window, budget left, budget used during the
week, burn-rate alerts holding), read from the configured count source like the SLO pages.

The report reads the SLO specs and counts; it never writes them. A source that fails is a row
that says so, not a report error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ninefold.changes.dora import Period
from ninefold.errors import NinefoldError
from ninefold.reports.charts import Bar
from ninefold.reports.document import Chart, Column, Report, Section, Table
from ninefold.slos.incident_burn import Pricer
from ninefold.slos.sources.report import history_start, report_of

AT_RISK = 0.25
"""Budget left under this share is called out."""


@dataclass(frozen=True)
class SloWeek:
    service: str
    name: str
    objective: float
    attainment: float | None = None
    remaining: float | None = None
    used: float | None = None
    """Budget left at the week's start - at its end (a share of the budget)."""
    alerts: str = ""
    error: str = ""


def week_of(
    pricer: Pricer, services: Sequence[str], period: Period, now: datetime
) -> list[SloWeek]:
    end = min(period.end, now)
    found = []
    for slo in pricer.slos:
        if slo.service not in services:
            continue
        try:
            counts = pricer.source(slo, history_start(slo, period.start), end)
        except NinefoldError as exc:
            found.append(SloWeek(slo.service, slo.name, slo.objective, error=exc.message))
            continue
        last = report_of(slo, counts, end)
        first = report_of(slo, counts, period.start)
        holding = ", ".join(sorted({c.severity for c in last.holding}))
        found.append(
            SloWeek(
                slo.service,
                slo.name,
                slo.objective,
                last.status.attainment,
                last.status.budget_remaining,
                first.status.budget_remaining - last.status.budget_remaining,
                holding,
            )
        )
    return sorted(found, key=lambda w: (w.remaining is None, w.remaining or 0.0, w.service))


def sections(weeks: Sequence[SloWeek]) -> tuple[Section, ...]:
    rows = [
        (f"{w.service}/{w.name}", w.objective, w.attainment, w.remaining, w.used,
         w.alerts or ("" if not w.error else "unknown"), w.error)
        for w in weeks
    ]  # fmt: skip
    columns = (Column("SLO"), Column("Objective", "ratio"), Column("Attainment", "ratio"),
               Column("Budget left", "ratio"), Column("Used this week", "ratio"),
               Column("Burn alerts holding"), Column("Problem"))  # fmt: skip
    risky = [w for w in weeks if w.remaining is not None and w.remaining < AT_RISK]
    spent = [w for w in risky if w.remaining is not None and w.remaining <= 0]
    text = (
        f"{len(weeks)} SLOs; {len(spent)} with the budget spent, "
        f"{len(risky) - len(spent)} with less than {AT_RISK:.0%} left."
    )
    bars = tuple(
        Bar(f"{w.service}/{w.name}", w.remaining, "no data" if w.remaining is None
            else f"{w.remaining:.1%} left")
        for w in weeks
    )  # fmt: skip
    chart = Chart("Error budget left at the end of the week, least first", bars, goal=0.0,
                  goal_label="budget spent")  # fmt: skip
    return (
        Section(
            "SLOs and error budgets",
            (text, "Attainment and budget over each SLO's own window, at the end of the week."),
            tables=(
                Table(
                    "SLOs",
                    columns,
                    rows,
                    "No SLO of these services.",
                    [f"/slos/{w.service}/{w.name}" for w in weeks],
                ),
            ),
            charts=(chart,) if bars else (),
        ),
    )


def weekly(
    pricer: Pricer, services: Sequence[str], period: Period, now: datetime, selection: str
) -> Report:
    return Report(
        kind="weekly",
        title="Weekly SLO and error budget snapshot",
        start=period.start,
        end=period.end,
        selection=selection,
        generated_at=now,
        partial=period.end > now,
        sections=sections(week_of(pricer, services, period, now)),
    )
