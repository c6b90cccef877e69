"""The risk register: a risk's score (likelihood x impact, each 1 to 5), when its review and
its mitigation fall overdue, and the heat map of the register. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

LEVELS = range(1, 6)
OPEN = ("open", "mitigating")
"""Statuses whose mitigation is still owed; `accepted` and `closed` owe none."""


@dataclass(frozen=True)
class Risk:
    name: str
    likelihood: int
    impact: int
    status: str
    due: date | None
    review_every: timedelta
    last_review: date
    """The day it was last reviewed, or declared when it never was."""

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def review_due(self) -> date:
        return self.last_review + self.review_every

    def review_overdue(self, today: date) -> bool:
        """A closed risk is reviewed no more."""
        return self.status != "closed" and today > self.review_due

    def mitigation_overdue(self, today: date) -> bool:
        return self.status in OPEN and self.due is not None and today > self.due


def heat_map(risks: Iterable[Risk]) -> list[list[list[str]]]:
    """`grid[l - 1][i - 1]`: the names of the risks not closed of likelihood l and impact i."""
    grid: list[list[list[str]]] = [[[] for _ in LEVELS] for _ in LEVELS]
    for risk in risks:
        if risk.status != "closed":
            grid[risk.likelihood - 1][risk.impact - 1].append(risk.name)
    return grid


def band(score: int) -> str:
    """How a score reads on the heat map: 15 and up high, 8 and up medium, else low."""
    return "high" if score >= 15 else "medium" if score >= 8 else "low"
