"""Toil: manual, repetitive work logged by the people who do it, the automations that remove
it and their runs; the toil ratio per team and quarter (KPIS.md)."""

from ninefold.domain import Command, Domain, NavEntry, Section

DOMAIN = Domain(
    name="toil",
    package=__name__,
    api=("ninefold.toil.api:router",),
    pages=("ninefold.toil.web:router",),
    nav=(NavEntry("Toil", "/toil", order=71),),
    commands=(
        Command(
            "toil", "ninefold.toil.cli:app", "Toil: log it, the report per team, automation runs."
        ),
    ),
    tables="ninefold.toil.tables",
    sections=(
        Section(
            "automations",
            "ninefold.toil.schemas:AutomationSpec",
            "ninefold.toil.sections:AUTOMATIONS",
        ),
    ),
    checks="ninefold.toil.checks:cross_check",
)
