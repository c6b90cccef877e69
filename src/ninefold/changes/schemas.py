"""Changes as CI and webhooks send them, the configuration sections of the domain, and the
shapes the API answers with."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from ninefold.spec import Count, Instant, Name, NameSet, OptionalUrl, Spec

ChangeKind = Literal["deploy", "config", "feature_flag", "infrastructure"]
Outcome = Literal["success", "failed", "cancelled"]
HookKind = Literal["github", "gitlab", "argocd"]
MAX_COMMITS = 10_000
"""Commits one change may carry: a long-lived branch merged at last, not a repository."""
Sha = Field(pattern=r"^[0-9a-f]{4,64}$", description="Commit hash, hexadecimal.")


class EnvironmentSpec(Spec):
    """Where changes go. DORA counts deploys to environments marked `production` only."""

    name: Name = Field(description="Unique name, e.g. `production`, `staging`.")
    production: bool = Field(default=False, description="Deploys here count in DORA.")
    description: str = Field(default="", max_length=2000, description="Free text.")


DEFAULT_ENVIRONMENTS = (
    EnvironmentSpec(name="production", production=True, description="Built in."),
    EnvironmentSpec(name="staging", description="Built in."),
    EnvironmentSpec(name="development", description="Built in."),
)
"""The environments known while the configuration declares none."""


class ChangeIntegrationSpec(Spec):
    """A source of change webhooks: GitHub deployment statuses, GitLab deployment events or
    Argo CD notifications. Its URL is made by Ninefold (`ninefold change integrations`)."""

    name: Name = Field(description="Unique name, e.g. `github-shop`.")
    kind: HookKind = Field(description="`github`, `gitlab` or `argocd`.")
    description: str = Field(default="", max_length=2000, description="Free text.")
    service: Name | None = Field(
        default=None,
        description="Service of the changes when the event names none (GitHub: the "
        "deployment's payload `service`; Argo CD: the `service` field).",
    )
    secret_env: str = Field(
        pattern=r"^[A-Z_][A-Z0-9_]*$",
        description="Environment variable holding the shared secret: GitHub's webhook secret "
        "(`X-Hub-Signature-256`), GitLab's secret token (`X-Gitlab-Token`), or the token Argo "
        "CD's notification sends in an `X-Ninefold-Token` header.",
    )


class FreezeSpec(Spec):
    """A time when changes wait: `ninefold gate` refuses a deploy inside it (rollbacks and
    security fixes excepted) and a change recorded inside it is flagged."""

    name: Name = Field(description="Unique name, e.g. `black-friday`.")
    starts: Instant = Field(description="Start, with its offset, e.g. 2026-11-26T00:00:00Z.")
    ends: Instant = Field(description="End (excluded).")
    reason: str = Field(min_length=1, max_length=500, description="Why; shown to whoever waits.")
    teams: NameSet = Field(default_factory=list, description="Teams it holds; empty: all.")
    services: NameSet = Field(default_factory=list, description="Services it holds; empty: all.")

    @model_validator(mode="after")
    def _ends_after_start(self) -> FreezeSpec:
        if self.ends <= self.starts:
            raise ValueError("ends must come after starts")
        return self


class CommitIn(Spec):
    sha: str = Sha
    authored_at: Instant = Field(description="When the commit was authored, with its offset.")
    author: str = Field(default="", max_length=200)
    title: str = Field(default="", max_length=500)


class ChangeIn(Spec):
    """A change as CI records it (`POST /api/v1/changes`, `ninefold change record`)."""

    service: Name = Field(description="Service changed; must be in the catalog.")
    kind: ChangeKind = Field(default="deploy", description="What changed.")
    environment: Name = Field(default="production", description="A known environment.")
    version: str = Field(default="", max_length=200, description="Version deployed.")
    external_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The sender's id (CI run, deployment id). The same id again records "
        "nothing new; the same id with other content is a 409.",
    )
    author: str = Field(default="", max_length=200, description="Who made the change.")
    description: str = Field(default="", max_length=5000)
    url: OptionalUrl = Field(default="", description="Where to read about it (CI run, PR).")
    started_at: Instant | None = Field(default=None, description="Start, with its offset.")
    finished_at: Instant | None = Field(
        default=None, description="Finish, with its offset; the server's now when left out."
    )
    outcome: Outcome = Field(default="success")
    rollback: bool = Field(default=False, description="Undoes an earlier deploy.")
    reverts: Count | None = Field(
        default=None, description="Id of the deploy a rollback undoes (default: the one live)."
    )
    hotfix: bool = Field(default=False, description="Fixes an earlier deploy.")
    hotfix_of: Count | None = Field(
        default=None, description="Id of the deploy a hotfix fixes (default: the one before)."
    )
    fixes_incident: Count | None = Field(default=None, description="Incident it fixes.")
    caused_incident: Count | None = Field(default=None, description="Incident it caused.")
    security_fix: bool = Field(
        default=False, description="A security fix: freeze windows let it through."
    )
    commits: list[CommitIn] = Field(default_factory=list, max_length=MAX_COMMITS)

    @model_validator(mode="after")
    def _coherent(self) -> ChangeIn:
        if (
            self.started_at is not None
            and self.finished_at is not None
            and self.finished_at < self.started_at
        ):
            raise ValueError("finished_at comes before started_at")
        if self.reverts is not None and not self.rollback:
            raise ValueError("reverts is for rollbacks: set rollback too")
        if self.hotfix_of is not None and not self.hotfix:
            raise ValueError("hotfix_of is for hotfixes: set hotfix too")
        if self.rollback and self.hotfix:
            raise ValueError("a change is a rollback or a hotfix, not both")
        return self


class CommitOut(BaseModel):
    sha: str
    authored_at: datetime
    author: str
    title: str
    in_lead_time: bool = Field(
        description="False for a commit authored after the change finished: kept, left out "
        "of lead time."
    )


class ChangeOut(BaseModel):
    id: int
    service: str
    kind: str
    environment: str
    production: bool
    version: str
    external_id: str | None
    author: str
    description: str
    url: str
    started_at: datetime | None
    finished_at: datetime
    outcome: str
    rollback: bool = Field(description="Counted as a rollback (recorded or recognised).")
    undoes: int | None = Field(description="The deploy this rollback undoes.")
    rolled_back_by: int | None = Field(description="The rollback that undid this deploy.")
    hotfix: bool
    fixes_deploy: int | None = Field(description="The deploy this hotfix fixes.")
    fixes_incident: int | None
    caused_incident: int | None
    freeze: str | None = Field(description="The freeze it was recorded in, and why.")
    source: str
    recorded_by: str
    recorded_at: datetime
    commit_count: int
    commits: list[CommitOut] | None = Field(
        default=None, description="Given for one change, not in lists."
    )


class RecordResult(BaseModel):
    created: bool = Field(description="False when the external id was recorded before.")
    change: ChangeOut


class ChangeIntegrationOut(BaseModel):
    name: str
    kind: str
    description: str
    service: str | None
    secret_env: str
    url: str
    path: str
    ignored: int = Field(description="Deliveries of event types Ninefold does not record.")
    managed_by: str


class HookResult(BaseModel):
    recorded: RecordResult | None = None
    ignored: str | None = Field(default=None, description="Why nothing was recorded.")


class DoraFigures(BaseModel):
    """One period's figures; `null` is "no data" (no deploys, no commits, no failures)."""

    deploys: int
    deploys_per_day: float
    deploys_per_week: float
    frequency_band: str = Field(description="on demand, weekly, monthly or fewer than monthly.")
    lead_time_minutes: float | None = Field(description="Median over (deploy, commit) pairs.")
    lead_time_pairs: int
    change_failure_rate: float | None
    failed: int
    rollback_rate: float | None
    rolled_back: int
    recovery_minutes: float | None = Field(description="Median failed deployment recovery time.")
    recovered: int
    rework_rate: float | None
    reworked: int


class DoraTiers(BaseModel):
    """The DORA 2024 cluster each figure falls in on its own (docs/changes.md)."""

    deployment_frequency: str | None
    lead_time: str | None
    change_failure_rate: str | None
    recovery_time: str | None


class DoraRow(BaseModel):
    group: str = Field(description="all, service, team or tier.")
    name: str
    current: DoraFigures
    previous: DoraFigures = Field(description="The equal period just before, for the trend.")
    tiers: DoraTiers
    failed_deploys: list[int] = Field(description="Ids of the period's failed deploys.")


class DoraReport(BaseModel):
    start: datetime
    end: datetime
    previous_start: datetime
    group_by: str
    rows: list[DoraRow]
