"""The risk register: risks with their likelihood, impact and score, owner, mitigation and
dates, reviewed at their interval; the heat map and the overdue reviews and mitigations."""

from ninefold.domain import Command, Domain, NavEntry, Section

DOMAIN = Domain(
    name="risks",
    package=__name__,
    api=("ninefold.risks.api:router",),
    pages=("ninefold.risks.web:router",),
    nav=(NavEntry("Risks", "/risks", order=74),),
    commands=(
        Command("risk", "ninefold.risks.cli:app", "The risk register: list, heat map, review."),
    ),
    tables="ninefold.risks.tables",
    sections=(
        Section("risks", "ninefold.risks.schemas:RiskSpec", "ninefold.risks.sections:RISKS"),
    ),
    checks="ninefold.risks.checks:cross_check",
)
