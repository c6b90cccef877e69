"""Alert intake: integrations, deliveries deduplicated and grouped, heartbeats, flapping."""

from ninefold.domain import Command, Domain, Folder, Section

DOMAIN = Domain(
    name="alerts",
    package=__name__,
    api=("ninefold.alerts.api:router", "ninefold.alerts.intake_api:router"),
    commands=(
        Command(
            "integrations",
            "ninefold.alerts.cli:app",
            "Integrations: where alerts come from, and their intake URLs.",
        ),
    ),
    tables="ninefold.alerts.tables",
    jobs="ninefold.alerts.jobs:jobs",
    sections=(
        Section(
            "integrations",
            "ninefold.alerts.schemas:IntegrationSpec",
            "ninefold.alerts.sections:INTEGRATIONS",
        ),
    ),
    # Prometheus rule files of alerts not generated from SLOs: their names and runbook_url
    # annotations, checked with the runbooks.
    folders=(Folder("rules", "ninefold.alerts.rule_files:read_folder"),),
    checks="ninefold.alerts.checks:cross_check",
)
