"""DR tests and game days: what was rehearsed, RTO and RPO measured against the targets of
the most critical service's tier, the follow-ups they leave; the interval each tier must
test within, and DR readiness by tier (KPIS.md)."""

from ninefold.domain import Command, Domain, NavEntry, Section

DOMAIN = Domain(
    name="dr",
    package=__name__,
    api=("ninefold.dr.api:router",),
    pages=("ninefold.dr.web:router",),
    nav=(NavEntry("DR", "/dr", order=72),),
    commands=(
        Command("dr", "ninefold.dr.cli:app", "DR tests and game days: record, list, report."),
    ),
    tables="ninefold.dr.tables",
    sections=(
        Section("dr_tiers", "ninefold.dr.schemas:DrTierSpec", "ninefold.dr.sections:DR_TIERS"),
    ),
)
