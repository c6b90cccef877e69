"""Reports: every KPI of KPIS.md computed from the other domains' records, each figure with
the records it counted and those it left out (being built: issue 16). Reads every domain,
writes none."""

from ninefold.domain import Command, Domain, NavEntry, Section

DOMAIN = Domain(
    name="reports",
    package=__name__,
    api=("ninefold.reports.api:router",),
    pages=("ninefold.reports.web:router",),
    nav=(NavEntry("KPIs", "/kpis", order=75),),
    sections=(
        Section("kpi_targets", "ninefold.reports.schemas:KpiTargetSpec", read_from_files=True),
    ),
    checks="ninefold.reports.checks:cross_check",
    commands=(
        Command(
            "kpi",
            "ninefold.reports.cli:app",
            "Every KPI of a period (default: the last 30 days) against the period before, with "
            "its target.",
        ),
    ),
)
