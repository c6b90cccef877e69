"""Alert intake: integrations, deliveries deduplicated and grouped, heartbeats, flapping."""

from ninefold.domain import Domain, Section

DOMAIN = Domain(
    name="alerts",
    package=__name__,
    api=("ninefold.alerts.api:router", "ninefold.alerts.intake_api:router"),
    tables="ninefold.alerts.tables",
    jobs="ninefold.alerts.jobs:jobs",
    sections=(
        Section(
            "integrations",
            "ninefold.alerts.schemas:IntegrationSpec",
            "ninefold.alerts.sections:INTEGRATIONS",
        ),
    ),
    checks="ninefold.alerts.checks:cross_check",
)
