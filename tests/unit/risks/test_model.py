"""Risk scores, overdue reviews and mitigations by status, the heat map; a likelihood or
impact outside 1-5 refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from ninefold.risks import model
from ninefold.risks.schemas import RiskSpec

QUARTER = timedelta(weeks=13)


def risk(status: str = "open", due: date | None = date(2026, 12, 1)) -> model.Risk:
    """Likelihood 3, impact 4, reviewed on 2026-09-01 every quarter."""
    return model.Risk("r", 3, 4, status, due, QUARTER, date(2026, 9, 1))


def test_the_score_and_its_band() -> None:
    assert risk().score == 12
    assert [model.band(s) for s in (25, 15, 14, 8, 7, 1)] == [
        "high", "high", "medium", "medium", "low", "low",
    ]  # fmt: skip


def test_a_review_is_overdue_the_day_after_its_interval_unless_closed() -> None:
    found = risk()
    assert found.review_due == date(2026, 12, 1)
    assert found.review_overdue(date(2026, 12, 1)) is False
    assert found.review_overdue(date(2026, 12, 2)) is True
    assert risk("closed").review_overdue(date(2027, 6, 1)) is False
    assert risk("accepted").review_overdue(date(2027, 6, 1)) is True


@pytest.mark.parametrize(
    ("status", "due", "overdue"),
    [("open", date(2026, 12, 1), True), ("mitigating", date(2026, 12, 1), True),
     ("accepted", date(2026, 12, 1), False), ("closed", date(2026, 12, 1), False),
     ("open", None, False), ("open", date(2026, 12, 2), False)],
)  # fmt: skip
def test_a_mitigation_is_overdue_only_while_owed(
    status: str, due: date | None, overdue: bool
) -> None:
    assert risk(status, due).mitigation_overdue(date(2026, 12, 2)) is overdue


def test_the_heat_map_holds_the_risks_not_closed_at_their_cell() -> None:
    risks = [
        model.Risk("a", 5, 1, "open", None, QUARTER, date(2026, 1, 1)),
        model.Risk("b", 5, 1, "accepted", None, QUARTER, date(2026, 1, 1)),
        model.Risk("c", 2, 4, "mitigating", None, QUARTER, date(2026, 1, 1)),
        model.Risk("d", 3, 3, "closed", None, QUARTER, date(2026, 1, 1)),
    ]
    grid = model.heat_map(risks)
    assert grid[4][0] == ["a", "b"]
    assert grid[1][3] == ["c"]
    assert sum(len(cell) for row in grid for cell in row) == 3


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"likelihood": 0}, "greater than or equal to 1"),
        ({"likelihood": 6}, "less than or equal to 5"),
        ({"impact": 9}, "less than or equal to 5"),
        ({"status": "done"}, "'open', 'mitigating', 'accepted' or 'closed'"),
        ({"review_every": "90"}, "'90' has no unit"),
    ],
)
def test_a_risk_out_of_range_is_refused(change: dict[str, object], says: str) -> None:
    base = {"name": "r", "title": "t", "likelihood": 3, "impact": 3, "owner": "jonas"}
    with pytest.raises(ValidationError, match=says):
        RiskSpec.model_validate(base | change)
