"""The service catalog: teams, their members, services and the dependency graph."""

from ninefold.domain import Domain, NavEntry, Section

DOMAIN = Domain(
    name="catalog",
    package=__name__,
    api=("ninefold.catalog.api:router",),
    pages=("ninefold.catalog.web:router",),
    nav=(
        NavEntry("Home", "/", order=10),
        NavEntry("Services", "/services", order=20),
        NavEntry("Teams", "/teams", order=80),
    ),
    tables="ninefold.catalog.tables",
    sections=(
        Section("teams", "ninefold.catalog.schemas:TeamSpec", "ninefold.catalog.sections:TEAMS"),
        Section(
            "services", "ninefold.catalog.schemas:ServiceSpec", "ninefold.catalog.sections:SERVICES"
        ),
    ),
    checks="ninefold.catalog.checks:cross_check",
)
