"""Percentiles as KPIS.md defines them, for every figure that reports one.

Linear interpolation between closest ranks (NumPy's default `linear` method): P50 of
[1, 2, 3, 10] is 2.5 and P90 of [1..10] is 9.1. No values is no figure (`None`), never 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    return float(np.percentile(np.asarray(values, dtype=float), q, method="linear"))


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 50)
