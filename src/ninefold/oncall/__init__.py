"""On-call schedules: rotations, restrictions and overrides, who is on call, calendar feeds."""

from ninefold.domain import Command, Domain, NavEntry, Section

DOMAIN = Domain(
    name="oncall",
    package=__name__,
    api=("ninefold.oncall.api:router",),
    pages=("ninefold.oncall.web:router",),
    nav=(
        NavEntry("Schedules", "/schedules", order=50),
        NavEntry("My shifts", "/my-shifts", order=70),
    ),
    commands=(
        Command(
            "oncall", "ninefold.oncall.cli:app", "On-call schedules: who is on call, and when."
        ),
    ),
    tables="ninefold.oncall.tables",
    sections=(
        Section(
            "schedules",
            "ninefold.oncall.schemas:ScheduleSpec",
            "ninefold.oncall.sections:SCHEDULES",
        ),
    ),
    checks="ninefold.oncall.checks:cross_check",
)
