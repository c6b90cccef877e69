"""What the KPI endpoints and commands answer with."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from ninefold.spec import Spec


class LeftOut(BaseModel):
    ref: str
    why: str


class KpiOut(BaseModel):
    key: str
    title: str
    unit: str
    records: str = Field(description="What it counts: incident, alert group, page, deploy, ...")
    value: float | None = Field(description="null: no data (never 0 for no data).")
    previous: float | None = Field(description="The same figure for the period before.")
    change: float | None = Field(description="(value - previous) / previous.")
    target: str
    meets: bool | None = Field(description="null: no target, or no data to judge.")
    details: dict[str, float | None] = Field(
        description="What the value is made of: a duration's count, mean, p50 and p90; a "
        "ratio's numerator and denominator; incidents per severity."
    )
    counted: list[str] = Field(description="The records behind the figure.")
    hits: list[str] = Field(
        description="Of a ratio, the counted records of its numerator (recurring, on time, ...)."
    )
    left_out: list[LeftOut] = Field(description="Records of the period it could not use.")
    history: list[float | None] = Field(
        description="The figure over consecutive equal periods ending with this one, oldest "
        "first (`history` of them; null: no data)."
    )


class KpiTable(BaseModel):
    start: datetime
    end: datetime
    previous_start: datetime
    partial: bool = Field(description="The period has not ended: its figures will move.")
    selection: str
    rows: list[KpiOut]


class KpiTargetSpec(Spec):
    """A KPI's target, in place of its default (docs/kpis.md): a bound on the figure, or on
    its change against the period before (a share: -0.15 is "down 15%")."""

    name: str = Field(min_length=1, max_length=64, description="The KPI's key, e.g. `mttr`.")
    at_most: float | None = Field(default=None, description="The figure is at most this.")
    at_least: float | None = Field(default=None, description="The figure is at least this.")
    change_at_most: float | None = Field(
        default=None, ge=-1, le=100, description="Its change is at most this share."
    )
    change_at_least: float | None = Field(
        default=None, ge=-1, le=100, description="Its change is at least this share."
    )

    @model_validator(mode="after")
    def _something(self) -> KpiTargetSpec:
        bounds = (self.at_most, self.at_least, self.change_at_most, self.change_at_least)
        if all(bound is None for bound in bounds):
            raise ValueError("give at_most, at_least, change_at_most or change_at_least")
        return self


class RuleQualityOut(BaseModel):
    """One alert rule (alertname and service) over a period."""

    alertname: str
    service: str | None
    pages: int
    actionable_ratio: float | None
    answered: int
    mtta_p50_minutes: float | None
    noise_ratio: float | None
    off_hours_pages: int
    sleep_hours_pages: int
    resolve_p50_minutes: float | None = Field(
        description="Median time from opened to resolved of its resolved paged groups."
    )
    flapped: int = Field(description="Its paged groups an alert of which flapped.")
    tune_or_delete: bool
    evidence: str
    groups: list[int] = Field(description="Its alert groups paged in the period.")


class ShareOut(BaseModel):
    """One person's part of a schedule's on-call time: shown to them and to admins only."""

    user: str
    hours: float
    pages: int
    off_hours_pages: int
    sleep_hours_pages: int
    shadow: bool = Field(
        default=False, description="Their hours and pages as a shadow: in no team figure."
    )


class ScheduleLoadOut(BaseModel):
    """A schedule's on-call load over a period: the team figures, and the people the reader
    may see."""

    schedule: str
    team: str | None
    hours: float = Field(description="On-call hours of all participants, clipped to the period.")
    pages: int
    pages_per_hour: float | None
    off_hours_pages: int
    sleep_hours_pages: int
    spread: float | None = Field(description="max / min of the participants' on-call hours.")
    participants: int
    people: list[ShareOut] = Field(
        description="Everyone for an admin; otherwise the reader's own row, if they took part."
    )


class ReportDeliverySpec(Spec):
    """A report the worker emails on its own (docs/reports.md): a weekly, monthly or quarterly
    report once its period has ended, or each handoff report of some schedules as it
    happens, to the outgoing and incoming person."""

    name: str = Field(min_length=1, max_length=64, description="Names it in messages and keys.")
    report: Literal["weekly", "monthly", "quarterly", "handoff"] = Field(
        description="Which report: weekly, monthly and quarterly once their period has ended, "
        "handoff at each handoff."
    )
    team: str | None = Field(default=None, description="The services of this team; all if unset.")
    schedules: list[str] = Field(
        default_factory=list,
        description="handoff only: these schedules; default: the team's, or all.",
    )
    to: list[str] = Field(
        default_factory=list,
        description="Users and teams (each member) it goes to by email; a handoff goes to the "
        "outgoing and incoming person besides.",
    )

    @model_validator(mode="after")
    def _someone(self) -> ReportDeliverySpec:
        if self.report != "handoff" and not self.to:
            raise ValueError("name who receives it in `to` (users or teams)")
        if self.report != "handoff" and self.schedules:
            raise ValueError("`schedules` is for handoff reports only")
        return self
