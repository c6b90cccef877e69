"""The rubric's levels as the `readiness_levels:` section writes them, and the scorecards
the API answers."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from ninefold.readiness.model import BY_KEY
from ninefold.spec import Name, Spec


def _known_rule(value: str) -> str:
    if value not in BY_KEY:
        raise ValueError(f"unknown rule {value!r}; the rules are: {', '.join(BY_KEY)}")
    return value


RuleKey = Annotated[str, AfterValidator(_known_rule)]


class LevelSpec(Spec):
    """A level of the readiness rubric. Levels are listed lowest first: a service reaches a
    level when every rule of it and of each level above it in the list passes."""

    name: Name = Field(description="bronze, silver, gold, or any name.")
    rules: list[RuleKey] = Field(min_length=1, description="The rules this level adds.")
    required_for_tiers: list[Annotated[int, Field(ge=0, le=3)]] = Field(
        default_factory=list,
        description="Tiers whose services must reach this level (`ninefold readiness` exits "
        "non-zero below it).",
    )


class CheckOut(BaseModel):
    rule: str
    title: str
    level: str
    passed: bool
    why: str = Field(description="What was found: the reason it passes or fails.")
    fix: str = Field(description="What to do when it fails.")


class ScorecardOut(BaseModel):
    service: str
    tier: int
    level: str | None = Field(description="The highest level reached; null: none.")
    required: str | None = Field(description="The level its tier requires; null: none.")
    meets_required: bool
    passed: int
    rules: int
    checks: list[CheckOut]


class LevelOut(BaseModel):
    name: str
    rules: list[str]
    required_for_tiers: list[int]
