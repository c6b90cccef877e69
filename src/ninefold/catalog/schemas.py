"""Team and service specs: one schema for YAML files, the API and the docs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from ninefold.spec import Link, Name, NameSet, OptionalUrl, Spec, TimeZone

Lifecycle = Literal["experimental", "production", "deprecated"]


class TeamSpec(Spec):
    """A team owns services and is paged for them."""

    name: Name = Field(description="Unique name, used in references and URLs.")
    display_name: str = Field(default="", max_length=200, description="Name shown in the UI.")
    description: str = Field(default="", max_length=2000, description="What the team does.")
    chat_channel: str = Field(
        default="", max_length=100, description="Team channel, e.g. #payments."
    )
    members: NameSet = Field(
        default_factory=list, description="Names of users (see `users`) in this team."
    )
    time_zone: TimeZone = Field(
        default="UTC",
        description="The team's calendar: business days (postmortem due dates) are counted "
        "Monday to Friday in this zone.",
    )
    holidays: list[date] = Field(
        default_factory=list,
        max_length=1000,
        description="Dates that are not business days for the team (YYYY-MM-DD).",
    )

    @field_validator("holidays")
    @classmethod
    def _sorted_holidays(cls, value: list[date]) -> list[date]:
        return sorted(set(value))


class TeamUpdate(Spec):
    display_name: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    chat_channel: str | None = Field(default=None, max_length=100)
    members: NameSet | None = None
    time_zone: TimeZone | None = None
    holidays: list[date] | None = Field(default=None, max_length=1000)


class ServiceSpec(Spec):
    """A service in the catalog: what it is, who owns it, what it needs."""

    name: Name = Field(description="Unique name, used in references, URLs and alert labels.")
    display_name: str = Field(default="", max_length=200, description="Name shown in the UI.")
    description: str = Field(default="", max_length=2000, description="What the service does.")
    tier: int = Field(
        ge=0, le=3, description="Criticality: 0 most critical (revenue stops), 3 least."
    )
    owner: Name = Field(description="Name of the owning team.")
    lifecycle: Lifecycle = Field(default="production", description="Stage of the service.")
    depends_on: NameSet = Field(
        default_factory=list, description="Names of services this one needs to work."
    )
    repository: OptionalUrl = Field(default="", description="Source repository URL.")
    runbooks: list[Link] = Field(default_factory=list, description="Runbook links.")
    dashboards: list[Link] = Field(default_factory=list, description="Dashboard links.")
    labels: dict[str, str] = Field(
        default_factory=dict,
        description="Alert labels that route an alert to this service (all must match).",
    )


class ServiceUpdate(Spec):
    display_name: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    tier: int | None = Field(default=None, ge=0, le=3)
    owner: Name | None = None
    lifecycle: Lifecycle | None = None
    depends_on: NameSet | None = None
    repository: OptionalUrl | None = None
    runbooks: list[Link] | None = None
    dashboards: list[Link] | None = None
    labels: dict[str, str] | None = None


class Provenance(BaseModel):
    managed_by: str = Field(description="`config` when `ninefold apply` owns it, else `api`.")
    created_at: datetime
    updated_at: datetime


class TeamOut(TeamSpec, Provenance):
    pass


class ServiceOut(ServiceSpec, Provenance):
    pass


class DependencyEdge(BaseModel):
    name: str
    tier: int
    owner: str
    depth: int = Field(description="1 for a direct dependency, 2 for its dependencies, ...")


class DependencyReport(BaseModel):
    service: str
    depends_on: list[DependencyEdge] = Field(description="What the service needs, transitively.")
    dependents: list[DependencyEdge] = Field(
        description="What needs the service, transitively: its blast radius."
    )
