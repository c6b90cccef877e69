"""The incidents domain's configuration sections (severities, root causes, declare rules,
stakeholders) and the shapes its API reads and answers with."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from ninefold.adapters.channels import CHANNELS, ChannelName
from ninefold.auth.schemas import check_address
from ninefold.incidents.model import Severity, Status
from ninefold.incidents.postmortem import ItemKind
from ninefold.spec import Instant, Name, NameSet, Spec

RoleName = Literal["commander", "communications", "operations", "scribe"]
ROLES: tuple[RoleName, ...] = ("commander", "communications", "operations", "scribe")
ROLE_TITLES = {
    "commander": "Incident commander",
    "communications": "Communications lead",
    "operations": "Operations lead",
    "scribe": "Scribe",
}
InstantName = Literal[
    "impact_start", "detected", "acknowledged", "mitigated", "resolved", "impact_end"
]


# --- configuration sections -----------------------------------------------------------------


class SeveritySpec(Spec):
    """What a severity means, and the postmortem rules it carries."""

    name: Severity = Field(description="SEV1 (highest) to SEV4.")
    description: str = Field(default="", max_length=2000, description="When to use it.")
    postmortem: Literal["required", "optional"] = Field(
        default="optional",
        description="`required`: resolving an incident of this severity starts its postmortem "
        "and counts it in postmortem timeliness.",
    )
    postmortem_due_business_days: int = Field(
        default=5,
        ge=0,
        le=60,
        description="The postmortem is due reviewed by the end of this many business days "
        "after the resolution, in the calendar of the team owning the first impacted service.",
    )
    action_item_due_days: int = Field(
        default=30, ge=1, le=365, description="Default due date of its action items, in days."
    )


DEFAULT_SEVERITIES = (
    SeveritySpec(
        name=Severity.SEV1,
        description="Critical: a tier-0 service down or data at risk for many customers.",
        postmortem="required",
        action_item_due_days=15,
    ),
    SeveritySpec(
        name=Severity.SEV2,
        description="Major: a core function degraded for many, or down for some.",
        postmortem="required",
        action_item_due_days=30,
    ),
    SeveritySpec(
        name=Severity.SEV3,
        description="Minor: limited impact, a workaround exists.",
        action_item_due_days=60,
    ),
    SeveritySpec(
        name=Severity.SEV4,
        description="Low: no customer impact yet; worth tracking.",
        action_item_due_days=90,
    ),
)
"""The severities known while the configuration declares none (PagerDuty's response guide and
KPIS.md: a postmortem for SEV1 and SEV2, reviewed within 5 business days)."""


class RootCauseSpec(Spec):
    """A root-cause category: what recurrence compares, and what reports group by."""

    name: Name = Field(description="Unique name, e.g. `software-bug`.")
    description: str = Field(default="", max_length=2000, description="What belongs here.")


DEFAULT_ROOT_CAUSES = tuple(
    RootCauseSpec(name=name, description=text)
    for name, text in (
        ("software-bug", "A defect in our code, shipped by a deploy or waiting for a condition."),
        ("configuration", "A configuration or feature-flag change."),
        ("capacity", "Resources ran out: CPU, memory, disk, connections, quotas."),
        ("traffic", "Load beyond what was planned: a surge, a retry storm, abuse."),
        ("dependency", "A third party or another team's service failed."),
        ("hardware", "Machines, disks, power, a data centre."),
        ("network", "Connectivity, DNS, certificates, load balancers."),
        ("process", "How we work: a procedure that allowed the fault, a missing check."),
        ("security", "An attack or a vulnerability."),
        ("other", "None of the above; say which in the postmortem."),
    )
)


class DeclareWhen(Spec):
    """What declares: every condition given must hold."""

    unacknowledged_minutes: int | None = Field(
        default=None,
        ge=1,
        le=1440,
        description="A page still unacknowledged this many minutes after its group opened.",
    )
    slo_alert: bool = Field(
        default=False, description="The group's alerts come from an SLO's burn-rate rules."
    )
    severities: list[str] = Field(
        default_factory=list, description="Alert severities (the `severity` label); empty: any."
    )
    tiers: list[int] = Field(
        default_factory=list, description="Tiers of the group's service; empty: any."
    )
    services: NameSet = Field(default_factory=list, description="These services; empty: any.")

    @model_validator(mode="after")
    def _something(self) -> DeclareWhen:
        if self.unacknowledged_minutes is None and not self.slo_alert:
            raise ValueError("give unacknowledged_minutes, slo_alert, or both")
        if any(tier not in range(4) for tier in self.tiers):
            raise ValueError("tiers are 0 to 3")
        return self


class DeclareRuleSpec(Spec):
    """An incident declared by itself from an alert group, once per group."""

    name: Name = Field(description="Unique name, shown as who declared.")
    when: DeclareWhen = Field(description="The conditions; all that are given must hold.")
    severity: Severity = Field(description="The declared incident's severity.")


class StakeholderSpec(Spec):
    """Who receives the status updates of incidents on some services or teams."""

    name: Name = Field(description="Unique name, e.g. `support-leads`.")
    kind: ChannelName = Field(description=f"The channel: {', '.join(CHANNELS)}.")
    address: str = Field(
        min_length=1,
        max_length=500,
        description="An email address, or the incoming webhook URL of the channel.",
    )
    services: NameSet = Field(default_factory=list, description="Their services; empty: all.")
    teams: NameSet = Field(
        default_factory=list, description="Services owned by these teams; empty: all."
    )

    @field_validator("address")
    @classmethod
    def _address_fits(cls, value: str, info: ValidationInfo) -> str:
        if "kind" in info.data:
            check_address(info.data["kind"], value, "stakeholder")
        return value


# --- the API --------------------------------------------------------------------------------


class IncidentIn(Spec):
    """Declare an incident by hand, or from alert groups."""

    title: str | None = Field(
        default=None, min_length=1, max_length=500, description="Default: the first group's."
    )
    severity: Severity
    services: NameSet = Field(
        default_factory=list, description="Impacted services; from a group, its service."
    )
    groups: list[int] = Field(
        default_factory=list, max_length=100, description="Alert groups to link."
    )
    summary: str = Field(default="", max_length=20_000)
    impact_start: Instant | None = Field(
        default=None, description="When customers started to feel it, if known."
    )
    commander: Name | None = Field(default=None, description="The incident commander.")


class IncidentPatch(Spec):
    """Change what an incident says; a field left out keeps its value."""

    title: str | None = Field(default=None, min_length=1, max_length=500)
    severity: Severity | None = None
    services: NameSet | None = None
    summary: str | None = Field(default=None, max_length=20_000)
    category: Name | None = Field(default=None, description="Root-cause category.")
    caused_by_change: int | None = Field(
        default=None, description="The deploy that caused it, when known (a change id)."
    )


class StatusIn(Spec):
    status: Status
    reopen: bool = Field(default=False, description="Required to move a resolved incident.")
    note: str = Field(default="", max_length=5000, description="Why, for the timeline.")


class InstantsIn(Spec):
    """Set or correct instants; null clears one. Each change is audited."""

    impact_start: Instant | None = None
    detected: Instant | None = None
    acknowledged: Instant | None = None
    mitigated: Instant | None = None
    resolved: Instant | None = None
    impact_end: Instant | None = None


class RoleIn(Spec):
    role: RoleName
    user: Name | None = Field(description="Who takes it; null frees the role.")


class NoteIn(Spec):
    text: str = Field(min_length=1, max_length=20_000)


class RunbookUseIn(Spec):
    runbook: str = Field(min_length=1, max_length=64, description="The runbook's name.")
    note: str = Field(default="", max_length=2000, description="What it did for the incident.")


class UpdateIn(Spec):
    text: str = Field(min_length=1, max_length=10_000, description="What stakeholders read.")


class LinkGroupsIn(Spec):
    groups: list[int] = Field(min_length=1, max_length=100)


class InstantsOut(BaseModel):
    declared: datetime
    impact_start: datetime | None
    detected: datetime | None
    acknowledged: datetime | None
    mitigated: datetime | None
    resolved: datetime | None
    impact_end: datetime | None


class DerivedOut(BaseModel):
    """Minutes; null when an instant it needs is unknown."""

    time_to_detect: float | None
    time_to_acknowledge: float | None
    time_to_mitigate: float | None
    time_to_recover: float | None
    customer_impact: float | None


class IncidentOut(BaseModel):
    id: int
    title: str
    severity: Severity
    status: Status
    services: list[str]
    category: str | None
    declared_by: str
    declared_via: str
    instants: InstantsOut = Field(description="As recorded.")
    effective: InstantsOut = Field(
        description="As KPIs read them: detected and acknowledged from linked groups, impact "
        "end defaulting to mitigated."
    )
    derived: DerivedOut
    reopened: int


class RoleOut(BaseModel):
    role: RoleName
    user: str
    assigned_at: datetime
    assigned_by: str


class TimelineEntry(BaseModel):
    ref: str = Field(description="`event:N`, `group-event:N` or `change:N`; pin by it.")
    at: datetime
    kind: str
    actor: str
    text: str
    detail: dict[str, object] = Field(default_factory=dict)
    pinned: bool
    edited: bool = False


class UpdateOut(BaseModel):
    id: int
    at: datetime
    author: str
    status: Status
    text: str
    recipients: int
    sent: int


class LinkedChange(BaseModel):
    id: int
    service: str
    environment: str
    version: str
    finished_at: datetime
    outcome: str
    cause: str | None = Field(description="The rule that makes it the cause, if it is.")


class IncidentDetail(IncidentOut):
    summary: str
    caused_by_change: int | None
    roles: list[RoleOut]
    groups: list[int]
    recurs: list[int] = Field(
        description="Earlier incidents (90 days) of a service in common and the same category."
    )
    changes: list[LinkedChange]
    updates: list[UpdateOut]
    timeline: list[TimelineEntry]


class ActionItemIn(Spec):
    kind: ItemKind
    title: str = Field(min_length=1, max_length=500)
    owner: Name | None = None
    priority: Literal["high", "medium", "low"] = "medium"
    due: date | None = Field(default=None, description="Default: by the incident's severity.")
    url: str = Field(default="", max_length=2000, description="External tracker URL.")


PostmortemState = Literal["draft", "in_review", "reviewed", "published"]
ItemStatus = Literal["open", "done", "wontfix"]


class PostmortemEdit(Spec):
    """Change a postmortem's title or sections; a section left out keeps its text."""

    title: str | None = Field(default=None, min_length=1, max_length=500)
    sections: dict[str, str] = Field(
        default_factory=dict, description="Section key (summary, impact, ...) to its Markdown."
    )


class PostmortemMove(Spec):
    state: PostmortemState = Field(
        description="in_review (from draft), reviewed (from in review, by a reviewer), "
        "published (from reviewed), or draft (back, for changes)."
    )
    reviewers: NameSet | None = Field(
        default=None, description="With in_review: who reviews (users)."
    )


class BurnOut(BaseModel):
    service: str
    slo: str
    objective: float
    period_days: float
    bad_events: float | None
    allowed_bad_events: float | None
    share: float | None = Field(description="Of the period's error budget, 0 to 1 and beyond.")
    requires_postmortem: bool = Field(description="More than 20% of the budget (the SRE workbook).")
    why: str = ""


class CompletenessOut(BaseModel):
    score: float
    missing: list[str]


class ActionItemOut(BaseModel):
    id: int
    incident_id: int | None
    kind: ItemKind
    title: str
    owner: str | None
    team: str | None
    priority: str
    due: date
    status: ItemStatus
    url: str
    closed_on: date | None
    overdue: bool
    reminder: str | None = Field(
        default=None, description="What became of the last overdue reminder, if any."
    )


class ActionItemPatch(Spec):
    title: str | None = Field(default=None, min_length=1, max_length=500)
    owner: Name | None = None
    priority: Literal["high", "medium", "low"] | None = None
    due: date | None = None
    status: ItemStatus | None = None
    url: str | None = Field(default=None, max_length=2000)


class PostmortemOut(BaseModel):
    incident_id: int
    state: PostmortemState
    title: str
    sections: dict[str, str]
    reviewers: list[str]
    required: list[str] = Field(description="Why a postmortem is required; empty: optional.")
    due_at: datetime | None = Field(
        description="Reviewed by then: the severity's business days after the resolution, in "
        "the calendar of the team owning the first impacted service."
    )
    late: bool
    completeness: CompletenessOut
    budget: list[BurnOut]
    recurs: list[int]
    created_at: datetime
    updated_at: datetime
    in_review_at: datetime | None
    reviewed_at: datetime | None
    reviewed_by: str | None
    published_at: datetime | None
    items: list[ActionItemOut]
