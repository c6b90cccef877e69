"""Reports: every KPI of KPIS.md computed from the other domains' records, each figure with
the records it counted and those it left out (being built: issue 16). Reads every domain,
writes none."""

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
    commands=(
        Command(
            "kpi",
            "ninefold.reports.cli:app",
            "Every KPI of a period (default: the last 30 days) against the period before, with "
            "its target.",
        ),
        Command(
            "report",
            "ninefold.reports.report_cli:app",
            "A report: weekly SLO snapshot, on-call handoff, monthly, quarterly (Markdown, HTML, "
            "PDF, JSON).",
        ),
    ),
)
