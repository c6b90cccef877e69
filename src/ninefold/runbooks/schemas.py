"""A runbook's front matter (the schema `ninefold check` validates it with), and the shapes of
the API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from ninefold.spec import Name, Spec

AlertName = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", min_length=1, max_length=200)
]
"""An alert rule's name, as Prometheus writes it (the `alertname` label)."""

REQUIRED_SECTIONS = ("triage", "mitigation", "escalation", "rollback", "verification")
"""The headings every runbook has (PRODUCT.md section 6), matched case-blind at their start:
"## Rollback" and "## Rollback plan" both count."""

DEFAULT_REVIEW_DAYS = 90


class FrontMatter(Spec):
    """What a runbook says about itself, between the `---` lines at its top."""

    service: Name = Field(description="The service it is for (see `services`).")
    alerts: list[AlertName] = Field(
        default_factory=list,
        max_length=200,
        description="The alert rules it covers, by name (the `alertname` label).",
    )
    owner: Name | None = Field(
        default=None, description="The team that keeps it (see `teams`); default: the service's."
    )
    review_days: int = Field(
        default=DEFAULT_REVIEW_DAYS,
        ge=1,
        le=730,
        description="It is fresh while tested or reviewed within this many days.",
    )
    last_tested: date | None = Field(
        default=None, description="When it was last run for real or in a drill (YYYY-MM-DD)."
    )
    last_reviewed: date | None = Field(
        default=None, description="When it was last read through and corrected (YYYY-MM-DD)."
    )
    title: str | None = Field(
        default=None, max_length=200, description="Default: the first `#` heading, or the name."
    )


class RunbookSpec(Spec):
    """A runbook as `ninefold apply` writes it: its file's front matter, title and text."""

    name: Name
    path: str
    title: str
    service: Name
    alerts: list[AlertName]
    owner: Name | None
    review_days: int
    last_tested: date | None
    last_reviewed: date | None
    body: str


TestSource = Literal["cli", "api", "web", "incident"]


class TestIn(BaseModel):
    """A test of a runbook: run in a drill, or for real."""

    model_config = {"extra": "forbid"}

    note: str = Field(default="", max_length=2000, description="What was run, what was found.")


class TestOut(BaseModel):
    id: int
    runbook: str
    tested_at: datetime
    by: str
    source: TestSource
    incident_id: int | None
    note: str


class RunbookOut(BaseModel):
    name: str
    title: str
    service: str
    alerts: list[str]
    owner: str | None
    path: str
    review_days: int
    last_tested: date | None = Field(description="The latest of the front matter and the tests.")
    last_reviewed: date | None
    fresh: bool = Field(description="Tested or reviewed within its review interval.")
    due: date | None = Field(description="The day it goes stale (None: never tested).")


class RunbookDetail(RunbookOut):
    body: str
    tests: list[TestOut]


class UncoveredRule(BaseModel):
    alertname: str
    service: str | None
    tier: int | None
    pages: int


class CoverageOut(BaseModel):
    since: datetime
    until: datetime
    rules: int = Field(description="Distinct alert rules that paged in the window.")
    covered: int
    coverage: float | None
    top: int = Field(description="The N of the top-N figure.")
    top_coverage: float | None
    critical_coverage: float | None = Field(description="Of tier-0 and tier-1 services' rules.")
    uncovered: list[UncoveredRule] = Field(
        description="Paging rules without a runbook, most pages first."
    )
