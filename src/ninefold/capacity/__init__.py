"""Capacity: resources of services with their utilisation read from Prometheus or files,
forecast with trend and seasonality, days until their threshold, P95 headroom, and the
forecast's accuracy measured on a held-out season (KPIS.md)."""

from ninefold.domain import Command, Domain, NavEntry, Section

DOMAIN = Domain(
    name="capacity",
    package=__name__,
    api=("ninefold.capacity.api:router",),
    pages=("ninefold.capacity.web:router",),
    nav=(NavEntry("Capacity", "/capacity", order=73),),
    commands=(
        Command(
            "capacity", "ninefold.capacity.cli:app", "Capacity: forecasts and their alert rules."
        ),
    ),
    tables="ninefold.capacity.tables",
    sections=(
        Section(
            "resources",
            "ninefold.capacity.schemas:ResourceSpec",
            "ninefold.capacity.sections:RESOURCES",
        ),
    ),
    checks="ninefold.capacity.checks:cross_check",
)
