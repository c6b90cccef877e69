"""Production readiness: a rubric of levels (bronze, silver, gold by default), each a set of
rules judged on the live records of the other domains; a scorecard per service, the grid of
the catalog, and a launch gate for CI (`ninefold readiness SERVICE`)."""

from ninefold.domain import Command, Domain, NavEntry, Section

DOMAIN = Domain(
    name="readiness",
    package=__name__,
    api=("ninefold.readiness.api:router",),
    pages=("ninefold.readiness.web:router",),
    web_setup="ninefold.readiness.web:setup",
    nav=(NavEntry("Readiness", "/readiness", order=21),),
    commands=(
        Command(
            "readiness",
            "ninefold.readiness.cli:app",
            "Production readiness scorecards; exit 1 below the level required.",
        ),
    ),
    tables="ninefold.readiness.tables",
    sections=(
        Section(
            "readiness_levels",
            "ninefold.readiness.schemas:LevelSpec",
            "ninefold.readiness.sections:LEVELS",
        ),
    ),
    checks="ninefold.readiness.checks:cross_check",
)
