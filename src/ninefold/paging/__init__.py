"""Paging: routes and escalation policies, escalations, notifications, silences and
maintenance windows, and the alert group pages and actions."""

from ninefold.domain import Command, Domain, Extension, NavEntry, Section

DOMAIN = Domain(
    name="paging",
    package=__name__,
    api=("ninefold.paging.api:router", "ninefold.paging.silences.api:router"),
    pages=(
        "ninefold.paging.notifications.link_pages:router",
        "ninefold.paging.group_pages:router",
        "ninefold.paging.policy_pages:router",
        "ninefold.paging.silences.pages:router",
    ),
    nav=(
        NavEntry("Alerts", "/alerts", order=40),
        NavEntry("Escalation", "/escalation-policies", order=60),
    ),
    commands=(
        Command(
            "alerts",
            "ninefold.paging.cli:app",
            "Alert groups: list, inspect, acknowledge, resolve, snooze, escalate, reassign.",
        ),
    ),
    imports=(
        Command(
            "pages",
            "ninefold.paging.history_cli:import_pages",
            "Past alert groups, pages and on-call shifts (Ninefold's JSON or PagerDuty's CSV).",
        ),
    ),
    tables="ninefold.paging.tables",
    jobs="ninefold.paging.jobs:jobs",
    sections=(
        Section(
            "escalation_policies",
            "ninefold.paging.schemas:EscalationPolicySpec",
            "ninefold.paging.sections:ESCALATION_POLICIES",
        ),
        Section("routes", "ninefold.paging.schemas:RouteSpec", "ninefold.paging.sections:ROUTES"),
    ),
    checks="ninefold.paging.checks:cross_check",
    collector="ninefold.paging.metrics:collector",
    extensions=(
        Extension("runbooks.coverage.paged_rules", "ninefold.paging.runbook_feed:paged_rules"),
    ),
)
