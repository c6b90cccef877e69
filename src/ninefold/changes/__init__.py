"""Changes: deploys and other changes recorded from CI and webhooks, freeze windows, DORA."""

from ninefold.domain import Command, Domain, NavEntry, Section

DOMAIN = Domain(
    name="changes",
    package=__name__,
    api=("ninefold.changes.api:router", "ninefold.changes.hooks_api:router"),
    pages=("ninefold.changes.web:router",),
    web_setup="ninefold.changes.web:setup",
    nav=(NavEntry("Changes", "/changes", order=45), NavEntry("DORA", "/dora", order=46)),
    commands=(
        Command("change", "ninefold.changes.cli:app", "Changes: record a deploy from CI, list."),
        Command(
            "dora",
            "ninefold.changes.cli:dora_app",
            "The DORA figures of a period (default: the last 30 days) against the one before.",
        ),
    ),
    tables="ninefold.changes.tables",
    sections=(
        Section(
            "environments",
            "ninefold.changes.schemas:EnvironmentSpec",
            "ninefold.changes.sections:ENVIRONMENTS",
        ),
        Section(
            "freezes", "ninefold.changes.schemas:FreezeSpec", "ninefold.changes.sections:FREEZES"
        ),
        Section(
            "change_integrations",
            "ninefold.changes.schemas:ChangeIntegrationSpec",
            "ninefold.changes.sections:CHANGE_INTEGRATIONS",
        ),
    ),
    checks="ninefold.changes.checks:cross_check",
)
