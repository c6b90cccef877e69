"""Toil entries, automations and their runs: the schemas of the `automations:` section and of
the API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from ninefold.slos.spec.durations import parse_duration
from ninefold.spec import Name, OptionalUrl, Spec
from ninefold.toil.model import MAX_ENTRY

Category = Annotated[Name, Field(description="What kind of toil: certificates, access, ...")]


def minutes_of(text: str) -> int:
    """A toil duration as people type it (`30m`, `1h30m`, `2h`): whole minutes, more than
    none and at most a day; `ValueError` saying what is wrong otherwise."""
    duration = parse_duration(text)
    if duration > MAX_ENTRY:
        raise ValueError(
            f"{text!r} is more than a day of toil in one entry; log each day on its own"
        )
    minutes = int(duration.total_seconds() // 60)
    if minutes < 1:
        raise ValueError(f"{text!r} is less than a minute")
    return minutes


class ToilIn(Spec):
    """A piece of toil: manual, repetitive work that automation could do."""

    task: str = Field(min_length=1, max_length=500, description="What was done.")
    duration: str = Field(description="How long: 30m, 1h30m, 2h (at most 24h).")
    category: Category
    team: Name | None = Field(
        default=None, description="Default: the person's team when they are in exactly one."
    )
    person: Name | None = Field(default=None, description="Who did it; default: you.")
    day: date | None = Field(default=None, description="When (YYYY-MM-DD); default: today, UTC.")

    @field_validator("duration")
    @classmethod
    def _duration(cls, value: str) -> str:
        minutes_of(value)
        return value


class ToilOut(BaseModel):
    id: int
    task: str
    minutes: int
    category: str
    team: str
    person: str
    day: date
    logged_by: str
    logged_at: datetime


class AutomationSpec(Spec):
    """Something that removes toil: a script, a job, a bot."""

    name: Name = Field(description="Unique name, used in URLs and by the runs it records.")
    team: Name = Field(description="The team that runs it (see `teams`).")
    category: Category
    hours_saved_per_run: float = Field(
        gt=0, le=1000, description="The toil hours one run saves, as the team estimates them."
    )
    description: str = Field(default="", max_length=2000, description="What it does.")
    url: OptionalUrl = Field(default="", description="Where it lives.")


class RunIn(Spec):
    """A run of an automation, posted by the automation itself."""

    external_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The run's id where it ran: a second post of it records nothing.",
    )


class RunOut(BaseModel):
    id: int
    automation: str
    ran_at: datetime
    hours_saved: float
    external_id: str | None
    created: bool = Field(description="False when the run was recorded before.")


class TeamToil(BaseModel):
    team: str
    members: int
    toil_hours: float
    capacity_hours: float
    ratio: float | None = Field(description="Toil hours over capacity hours; no data: null.")


class CategoryHours(BaseModel):
    category: str
    hours: float


class ToilReport(BaseModel):
    start: date
    end: date
    hours_per_week: float
    teams: list[TeamToil]
    categories: list[CategoryHours] = Field(description="Toil hours by category, most first.")
    hours_saved: dict[str, float] = Field(description="Hours automation saved, by month.")
