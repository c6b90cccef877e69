"""Reports: every KPI of KPIS.md computed from the other domains' records, each figure with
the records it counted and those it left out; the reports built from them, delivered by the
worker; the KPIs as Prometheus gauges. Reads every domain and writes no record of its own
(deliveries go through the incidents domain's outbox)."""

from ninefold.domain import Command, Domain, NavEntry, Section

DOMAIN = Domain(
    name="reports",
    package=__name__,
    api=("ninefold.reports.api:router", "ninefold.reports.report_api:router"),
    pages=("ninefold.reports.web:router",),
    nav=(NavEntry("KPIs", "/kpis", order=75), NavEntry("Reports", "/reports", order=76)),
    sections=(
        Section("kpi_targets", "ninefold.reports.schemas:KpiTargetSpec", read_from_files=True),
        Section(
            "report_deliveries",
            "ninefold.reports.schemas:ReportDeliverySpec",
            read_from_files=True,
        ),
    ),
    checks="ninefold.reports.checks:cross_check",
    jobs="ninefold.reports.jobs:jobs",
    collector="ninefold.reports.metrics:collector",
    commands=(
        Command(
            "kpi",
            "ninefold.reports.cli:app",
            "Every KPI of a period (default: the last 30 days) against the period before, with "
            "its target; `ninefold kpi dashboard` writes a Grafana dashboard of them.",
        ),
        Command(
            "report",
            "ninefold.reports.report_cli:app",
            "A report of a period: the weekly SLO snapshot, an on-call handoff, the monthly "
            "reliability report or the quarterly state of reliability.",
        ),
    ),
)
