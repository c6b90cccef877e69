"""SLO status reports: the numbers of `slos.status` for every SLO, read from a data source,
as table rows and as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ninefold.adapters.prometheus import PrometheusClient
from ninefold.slos.core.model import BurnCondition, Slo, prometheus_duration
from ninefold.slos.core.status import (
    SloStatus,
    alert_conditions_holding,
    burn_windows,
    composite_status,
    status,
)
from ninefold.slos.core.windows import period_bounds
from ninefold.slos.sources.prometheus import Counts, prometheus_counts


@dataclass(frozen=True)
class Report:
    slo: Slo
    status: SloStatus
    holding: tuple[BurnCondition, ...]


def history_start(slo: Slo, now: datetime) -> datetime:
    """How far back a report needs counts: the period, or the longest burn window if longer."""
    start, _ = period_bounds(slo.window, now)
    longest = max(burn_windows(slo), default=timedelta(0))
    return min(start, now - longest)


def report_of(slo: Slo, counts: Counts, now: datetime) -> Report:
    """The report of an SLO at `now`. A composite whose counts hold its components' is the
    weighted combination of their statuses; read as one series, it is that series' status."""
    parts = slo.components
    if parts and len(counts.components) == len(parts):
        found = composite_status(
            slo,
            [
                status(part.slo, c.timestamps, c.good, c.total, now)
                for part, c in zip(parts, counts.components, strict=True)
            ],
            now,
        )
    else:
        found = status(slo, counts.timestamps, counts.good, counts.total, now)
    return Report(slo, found, alert_conditions_holding(slo, found.burn_by_window))


def from_prometheus(
    client: PrometheusClient, slos: list[Slo], now: datetime, step: int = 60
) -> list[Report]:
    return [
        report_of(slo, prometheus_counts(client, slo, history_start(slo, now), now, step), now)
        for slo in slos
    ]


def _number(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def as_json(report: Report) -> dict[str, Any]:
    """The report as JSON. A composite has no events of its own (its event counts are null)
    and lists its components, each with its weight and its own numbers."""
    found = report.status
    composite = bool(found.components)
    return {
        "service": report.slo.service,
        "slo": report.slo.name,
        "objective": report.slo.objective,
        "period": {"start": found.period_start.isoformat(), "end": found.period_end.isoformat()},
        "budgeting": found.budgeting,
        "attainment": _number(found.attainment, 9),
        "good_events": None if composite else found.good_events,
        "total_events": None if composite else found.total_events,
        "bad_events": None if composite else found.bad_events,
        "error_budget": found.error_budget,
        "budget_remaining": _number(found.budget_remaining),
        "bad_events_left": None if composite else _number(found.bad_events_left, 3),
        "budget_minutes_left": _number(found.budget_minutes_left, 3),
        "burn_rates": {
            prometheus_duration(window): _number(burn)
            for window, burn in sorted(found.burn_by_window.items())
        },
        "period_burn": _number(found.period_burn),
        "minutes_to_exhaustion": _number(found.minutes_to_exhaustion, 1),
        "exhaustion_at": found.exhaustion_at.isoformat() if found.exhaustion_at else None,
        "alerts_holding": [
            {
                "severity": cond.severity,
                "long": prometheus_duration(cond.long),
                "short": prometheus_duration(cond.short),
                "factor": cond.factor,
            }
            for cond in report.holding
        ],
        "components": [
            {
                "slo": part.slo.name,
                "weight": part.weight,
                "objective": part.slo.objective,
                "attainment": _number(status.attainment, 9),
                "good_events": status.good_events,
                "total_events": status.total_events,
                "budget_remaining": _number(status.budget_remaining),
                "burn_rates": {
                    prometheus_duration(window): _number(burn)
                    for window, burn in sorted(status.burn_by_window.items())
                },
            }
            for part, status in zip(report.slo.components, found.components, strict=False)
        ],
    }
