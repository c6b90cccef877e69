"""The KPIs the table shows, with the default targets of PRODUCT.md section 7. A target is a
bound on the figure (`at_most`, `at_least`) or on its change against the period before
(`change_at_most`, `change_at_least`, a share: -0.15 is "down 15%"), or none."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal[
    "minutes", "hours", "ratio", "count", "per week", "per shift", "per hour", "hours per month"
]
Better = Literal["lower", "higher"]


def shown(value: float | None, unit: str) -> str:
    """A figure in words: "no data" rather than 0, a ratio as a percentage."""
    if value is None:
        return "no data"
    if unit == "ratio":
        return f"{value:.1%}"
    if unit == "per hour":
        return f"{value:,.3f} per hour"  # a few pages over hundreds of hours
    return f"{value:,.1f}" if unit in ("count", "per week") else f"{value:,.1f} {unit}"


@dataclass(frozen=True)
class Target:
    at_most: float | None = None
    at_least: float | None = None
    change_at_most: float | None = None
    change_at_least: float | None = None

    def meets(self, value: float | None, change: float | None) -> bool | None:
        """Whether the figure meets it; None without a target or without the figures it
        needs (no data, or no previous period to compare with)."""
        checks = []
        if self.at_most is not None or self.at_least is not None:
            if value is None:
                return None
            checks += [self.at_most is None or value <= self.at_most]
            checks += [self.at_least is None or value >= self.at_least]
        if self.change_at_most is not None or self.change_at_least is not None:
            if change is None:
                return None
            checks += [self.change_at_most is None or change <= self.change_at_most]
            checks += [self.change_at_least is None or change >= self.change_at_least]
        return all(checks) if checks else None

    def describe(self, unit: Unit) -> str:
        parts = []

        def shown(value: float) -> str:
            return f"{value:.0%}" if unit == "ratio" else f"{value:g} {unit}"

        if self.at_most is not None:
            parts.append(f"≤ {shown(self.at_most)}")
        if self.at_least is not None:
            parts.append(f"≥ {shown(self.at_least)}")
        if self.change_at_most is not None:
            parts.append(f"change ≤ {self.change_at_most:+.0%}")
        if self.change_at_least is not None:
            parts.append(f"change ≥ {self.change_at_least:+.0%}")
        return ", ".join(parts) or "none"


@dataclass(frozen=True)
class Kpi:
    key: str
    title: str
    unit: Unit
    better: Better
    records: str
    """What the figure counts: incident, alert group, page, deploy, action item, alert rule,
    runbook."""
    target: Target = Target()


CATALOGUE = (
    Kpi("mttd", "Time to detect (mean)", "minutes", "lower", "incident", Target(at_most=10)),
    Kpi("time_to_acknowledge", "Time to acknowledge an incident (mean)", "minutes", "lower",
        "incident"),
    Kpi("time_to_mitigate", "Time to mitigate (mean)", "minutes", "lower", "incident",
        Target(change_at_most=-0.10)),
    Kpi("mttr", "Time to recover (mean)", "minutes", "lower", "incident",
        Target(change_at_most=-0.15)),
    Kpi("customer_impact", "Customer-impact minutes", "minutes", "lower", "incident",
        Target(change_at_most=0.0)),
    Kpi("incident_rate", "Incidents per week", "per week", "lower", "incident",
        Target(change_at_most=0.0)),
    Kpi("recurrence_rate", "Recurrence rate (SEV1-2)", "ratio", "lower", "incident",
        Target(at_most=0.15)),
    Kpi("postmortem_timeliness", "Postmortems reviewed on time (SEV1-2)", "ratio", "higher",
        "incident", Target(at_least=1.0)),
    Kpi("action_item_closure", "Action items closed by their due date", "ratio", "higher",
        "action item", Target(at_least=0.8)),
    Kpi("mtta_p50", "Ack time P50", "minutes", "lower", "alert group", Target(at_most=5)),
    Kpi("mtta_p90", "Ack time P90", "minutes", "lower", "alert group", Target(at_most=10)),
    Kpi("pages_per_shift", "Pages per shift", "per shift", "lower", "page"),
    Kpi("pages_per_on_call_hour", "Pages per on-call hour", "per hour", "lower", "page"),
    Kpi("actionable_ratio", "Actionable alert ratio", "ratio", "higher", "alert group",
        Target(at_least=0.8)),
    Kpi("noise_ratio", "Alert noise ratio", "ratio", "lower", "alert group",
        Target(change_at_most=-0.20)),
    Kpi("deployment_frequency", "Deploys per week", "per week", "higher", "deploy",
        Target(change_at_least=0.0)),
    Kpi("change_failure_rate", "Change failure rate", "ratio", "lower", "deploy",
        Target(at_most=0.15)),
    Kpi("rollback_rate", "Rollback rate", "ratio", "lower", "deploy", Target(change_at_most=0.0)),
    Kpi("runbook_coverage", "Runbook coverage of the alerts that paged (90 days)", "ratio",
        "higher", "alert rule", Target(at_least=0.8)),
    Kpi("runbook_freshness", "Runbooks tested or reviewed within their interval", "ratio",
        "higher", "runbook", Target(at_least=1.0)),
    Kpi("toil_ratio", "Toil ratio", "ratio", "lower", "toil entry", Target(at_most=0.5)),
    Kpi("automation_savings", "Toil hours saved by automation", "hours per month", "higher",
        "automation run", Target(at_least=5)),
    Kpi("dr_readiness", "DR tests meeting their RTO and RPO", "ratio", "higher", "DR test",
        Target(at_least=0.9)),
    Kpi("monitoring_coverage", "Tier-0/1 services with an SLO, burn-rate pages and a dashboard",
        "ratio", "higher", "service", Target(at_least=1.0)),
    Kpi("capacity_headroom", "Capacity headroom above P95 (tightest resource)", "ratio",
        "higher", "resource", Target(at_least=0.2)),
    Kpi("forecast_accuracy", "Capacity forecast error on a held-out season (MAPE)", "ratio",
        "lower", "resource", Target(at_most=0.2)),
)  # fmt: skip
BY_KEY = {k.key: k for k in CATALOGUE}
