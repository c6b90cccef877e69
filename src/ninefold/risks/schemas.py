"""Risks as the `risks:` section declares them, their reviews, and the register the API
answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from ninefold.slos.spec.durations import Spelled
from ninefold.spec import Name, Spec

Status = Literal["open", "mitigating", "accepted", "closed"]
Level = Annotated[int, Field(ge=1, le=5)]


class RiskSpec(Spec):
    """Something that could go wrong, how likely and how bad, who owns it and what is done."""

    name: Name = Field(description="Unique name, used in URLs.")
    title: str = Field(min_length=1, max_length=500, description="The risk, in a sentence.")
    service: Name | None = Field(default=None, description="The service at risk, if one.")
    likelihood: Level = Field(description="1 (rare) to 5 (almost certain).")
    impact: Level = Field(description="1 (negligible) to 5 (severe).")
    owner: Name = Field(description="The user who owns it.")
    mitigation: str = Field(default="", max_length=5000, description="What is done about it.")
    due: date | None = Field(default=None, description="When the mitigation is due.")
    review_every: Spelled = Field(
        default="13w", description="How often it is reviewed (13w: a quarter)."
    )
    status: Status = Field(default="open", description="open, mitigating, accepted, closed.")


class RiskPatch(Spec):
    """Change a risk: a field left out keeps its value (JSON Merge Patch)."""

    title: str | None = Field(default=None, min_length=1, max_length=500)
    service: Name | None = None
    likelihood: Level | None = None
    impact: Level | None = None
    owner: Name | None = None
    mitigation: str | None = Field(default=None, max_length=5000)
    due: date | None = None
    review_every: Spelled | None = None
    status: Status | None = None


class ReviewIn(Spec):
    note: str = Field(default="", max_length=2000, description="What the review found.")


class ReviewOut(BaseModel):
    risk: str
    reviewed_on: date
    reviewed_by: str
    note: str


class RiskOut(RiskSpec):
    score: int = Field(description="Likelihood x impact, 1 to 25.")
    band: Literal["low", "medium", "high"]
    last_review: date | None
    review_due: date
    review_overdue: bool
    mitigation_overdue: bool
    declared_at: datetime


class HeatMap(BaseModel):
    cells: list[list[list[str]]] = Field(
        description="cells[likelihood - 1][impact - 1]: the names of the risks not closed."
    )
