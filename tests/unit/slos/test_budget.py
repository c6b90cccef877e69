"""The error budget arithmetic, each function on the worked example of its docstring."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from ninefold.slos.core.budget import (
    bad_events_left,
    budget_remaining,
    burn_factor,
    burn_rate,
    burn_rate_of,
    error_budget,
    error_ratio_at,
    share_spent,
)


@pytest.mark.parametrize(
    ("objective", "budget"),
    [(0.999, 0.001), (0.9995, 0.0005), (0.99, 0.01), (0.5, 0.5)],
    ids=["99.9% leaves exactly 0.001", "99.95%", "99%", "50%"],
)
def test_the_error_budget_is_one_minus_the_objective_exactly(
    objective: float, budget: float
) -> None:
    assert error_budget(objective) == budget


@pytest.mark.parametrize("objective", [0.0, 1.0, 1.5, -0.1])
def test_an_objective_outside_zero_and_one_has_no_budget(objective: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        error_budget(objective)


def test_burn_rates_and_error_ratios_convert_both_ways() -> None:
    # A 14.4x page on 99.9%: 1.44% errors, and back.
    assert error_ratio_at(14.4, 0.001) == pytest.approx(0.0144)
    assert burn_rate(0.0144, 0.001) == pytest.approx(14.4)
    ratios = np.array([0.0, 0.0005, 0.002])
    assert burn_rate(ratios, 0.001) == pytest.approx([0.0, 0.5, 2.0])


def test_counts_on_the_worked_example() -> None:
    # 400 bad of 1,000,000 at 99.9%: burning at 0.4, 60% left, 600 bad events to go.
    assert burn_rate_of(999_600, 1_000_000, 0.001) == pytest.approx(0.4)
    assert budget_remaining(999_600, 1_000_000, 0.001) == pytest.approx(0.6)
    assert bad_events_left(999_600, 1_000_000, 0.001) == pytest.approx(600)


def test_without_traffic_nothing_burns_and_the_budget_is_whole() -> None:
    assert burn_rate_of(0, 0, 0.001) == 0.0
    assert budget_remaining(0, 0, 0.001) == 1.0


def test_an_overspent_budget_goes_below_zero() -> None:
    # 2,500 bad of 1,000,000 at 99.9% (1,000 allowed): 2.5x spent, 1,500 over.
    assert budget_remaining(997_500, 1_000_000, 0.001) == pytest.approx(-1.5)
    assert bad_events_left(997_500, 1_000_000, 0.001) == pytest.approx(-1_500)


def test_the_share_spent_of_an_allowance() -> None:
    assert share_spent(750.0, 3_000.0) == pytest.approx(0.25)
    assert share_spent(np.array([0.0, 750.0, 3_000.0]), 3_000.0) == pytest.approx([0, 0.25, 1])
    assert share_spent(5.0, 0.0) == 0.0  # nothing allowed: nothing to spend a share of


@pytest.mark.parametrize(
    ("share", "period", "window", "factor"),
    [
        (0.02, timedelta(days=30), timedelta(hours=1), 14.4),
        (0.02, timedelta(days=28), timedelta(hours=1), 13.44),
        (0.05, timedelta(days=30), timedelta(hours=6), 6.0),
        (0.10, timedelta(days=30), timedelta(days=3), 1.0),
    ],
    ids=["2% of 30 days in 1h", "2% of 28 days in 1h", "5% in 6h", "10% in 3 days"],
)
def test_burn_factors_scale_with_the_period(
    share: float, period: timedelta, window: timedelta, factor: float
) -> None:
    assert burn_factor(share, period, window) == factor
