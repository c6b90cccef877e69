"""The error budget arithmetic, in one place: everything else (status, burn-down, backtests,
generated tests, the gate) computes budgets and burn rates with these.

The *error budget* is `1 - objective` (0.001 for 99.9%). The *burn rate* over a window is the
error ratio in that window divided by the budget: burning at 1 spends exactly the budget over
the SLO period; at 14.4 a 30-day budget lasts 50 hours. The functions take floats or NumPy
arrays alike where the arithmetic allows.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

Number = TypeVar("Number", float, NDArray[np.float64])


def error_budget(objective: float) -> float:
    """`1 - objective`, rounded to 12 places so that 99.9% gives exactly 0.001, not
    0.0009999999999998899.

    Example: 0.999 -> 0.001; 0.9995 -> 0.0005."""
    if not 0 < objective < 1:
        raise ValueError(f"objective must be between 0 and 1, exclusive (got {objective})")
    return round(1 - objective, 12)


def burn_rate(error_ratio: Number, budget: float) -> Number:
    """The error ratio over the budget. Example: 0.0144 against 0.001 burns at 14.4."""
    return error_ratio / budget


def error_ratio_at(burn: float, budget: float) -> float:
    """The error ratio a burn rate stands for: the threshold of a burn-rate alert.

    Example: a 14.4x page on a 99.9% SLO fires above 14.4 x 0.001 = 1.44% errors."""
    return burn * budget


def burn_rate_of(good: float, total: float, budget: float) -> float:
    """The burn rate of counted events; 0.0 without traffic.

    Example: 400 bad of 1,000,000 is an error ratio of 0.0004; against a 99.9% objective
    (budget 0.001) that burns at 0.4: the period would end with 40% of its budget spent.
    """
    return float(burn_rate((total - good) / total, budget)) if total > 0 else 0.0


def budget_remaining(good: float, total: float, budget: float) -> float:
    """The share of the error budget left, `1 - bad / (budget x total)`; negative once
    overspent, 1.0 without traffic.

    Example: 1,000,000 events at 99.9% allow 0.001 x 1,000,000 = 1,000 bad; 400 bad leave
    1 - 400/1,000 = 0.6 (60%).
    """
    return 1.0 - burn_rate_of(good, total, budget)


def bad_events_left(good: float, total: float, budget: float) -> float:
    """Bad events the budget still allows, `budget x total - bad`; negative once overspent.

    Example: 1,000,000 events at 99.9%, 400 bad -> 1,000 - 400 = 600 bad events left.
    """
    return float(budget * total - (total - good))


def share_spent(bad: Number, allowance: float) -> Number:
    """The share of an allowance of bad events that `bad` spends; 0 when nothing is allowed
    (no traffic, no budget to speak of).

    Example: 750 bad of a 3,000 allowance spend 0.25."""
    if allowance > 0:
        return bad / allowance
    return bad * 0.0


def burn_factor(budget_share: float, period: timedelta, long_window: timedelta) -> float:
    """The burn rate at which `budget_share` of the budget is spent within `long_window`.

    Example: 2% of a 30-day budget in 1 hour is 0.02 x 720 h / 1 h = 14.4; on a 28-day
    period the same share gives 0.02 x 672 / 1 = 13.44.
    """
    return round(budget_share * (period / long_window), 6)
