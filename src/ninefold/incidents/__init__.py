"""Incidents: declared from alert groups, by hand or by rules; their roles, timeline and
status updates; postmortems and action items (being built: issue 15)."""

from ninefold.domain import Command, Domain, Extension, NavEntry, Section

DOMAIN = Domain(
    name="incidents",
    package=__name__,
    api=("ninefold.incidents.api:router",),
    pages=("ninefold.incidents.web:router", "ninefold.incidents.postmortem_pages:router"),
    web_setup="ninefold.incidents.web:setup",
    nav=(
        NavEntry("Incidents", "/incidents", order=42),
        NavEntry("Action items", "/action-items", order=43),
    ),
    commands=(
        Command(
            "incident",
            "ninefold.incidents.cli:app",
            "Incidents: declare, list, show, move, correct instants, roles, notes, updates.",
        ),
        Command(
            "postmortem",
            "ninefold.incidents.postmortem_cli:app",
            "Postmortems and action items: draft, Markdown export and import, review.",
        ),
        Command(
            "incidents",
            "ninefold.incidents.history_cli:app",
            "Incident history: counts and time to recover by root cause and provider.",
        ),
    ),
    imports=(
        Command(
            "incidents",
            "ninefold.incidents.history_cli:import_incidents",
            "Past incidents from JSON or CSV (Ninefold's form, or public post-mortem data).",
        ),
    ),
    tables="ninefold.incidents.tables",
    jobs="ninefold.incidents.jobs:jobs",
    sections=(
        Section(
            "severities",
            "ninefold.incidents.schemas:SeveritySpec",
            "ninefold.incidents.sections:SEVERITY",
        ),
        Section(
            "root_causes",
            "ninefold.incidents.schemas:RootCauseSpec",
            "ninefold.incidents.sections:ROOT_CAUSE",
        ),
        Section(
            "declare_rules",
            "ninefold.incidents.schemas:DeclareRuleSpec",
            "ninefold.incidents.sections:DECLARE_RULE",
        ),
        Section(
            "stakeholders",
            "ninefold.incidents.schemas:StakeholderSpec",
            "ninefold.incidents.sections:STAKEHOLDER",
        ),
    ),
    checks="ninefold.incidents.checks:cross_check",
    extensions=(Extension("changes.dora.incidents", "ninefold.incidents.dora_feed:incidents"),),
)
