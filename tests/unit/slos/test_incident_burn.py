"""The error budget one incident burned, worked by hand on minute counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from ninefold.slos.core.model import Slo
from ninefold.slos.incident_burn import Burn, burn_of
from ninefold.slos.sources.prometheus import Counts
from ninefold.slos.spec.loader import read
from tests.factories import EXAMPLES

END = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def availability() -> Slo:
    [slo] = [
        s
        for s in read([EXAMPLES], timedelta(days=30))[0].slos
        if s.name == "availability" and s.service == "checkout"
    ]
    return slo


def minutes(bad_in_last: int, bad_per_minute: float) -> Counts:
    """30 days of 1,000 requests a minute, with `bad_per_minute` failing in the last
    `bad_in_last` minutes and none before."""
    n = 30 * 1440
    stamps = END.timestamp() - 60 * np.arange(n - 1, -1, -1, dtype=np.float64)
    total = np.full(n, 1000.0)
    bad = np.zeros(n)
    bad[n - bad_in_last :] = bad_per_minute
    return Counts(stamps, total - bad, total)


def test_an_hour_at_one_failure_in_ten_uses_a_seventh_of_the_budget(availability: Slo) -> None:
    """99.9% of 43,200,000 requests allows 43,200 bad ones; 60 minutes x 100 bad = 6,000,
    that is 13.9% of the budget: under the 20% of the error budget policy."""
    burn = burn_of(availability, minutes(60, 100), END - timedelta(minutes=60), END)
    assert (burn.bad, burn.allowance) == (6000.0, pytest.approx(43200.0))
    assert burn.share == pytest.approx(6000 / 43200)
    assert burn.requires_postmortem is False


def test_two_hours_of_it_use_more_than_a_fifth_and_require_a_postmortem(availability: Slo) -> None:
    """120 x 100 = 12,000 of 43,200: 27.8%."""
    burn = burn_of(availability, minutes(120, 100), END - timedelta(minutes=120), END)
    assert burn.share == pytest.approx(12000 / 43200)
    assert burn.requires_postmortem is True


def test_only_the_impact_window_counts_and_no_traffic_is_no_figure(availability: Slo) -> None:
    """The bad minutes are the last hour; a window of its first half holds 30 of them."""
    burn = burn_of(
        availability, minutes(60, 100), END - timedelta(minutes=60), END - timedelta(minutes=30)
    )
    assert burn.bad == 3000.0
    empty = Counts(np.array([END.timestamp()]), np.zeros(1), np.zeros(1))
    assert burn_of(availability, empty, END - timedelta(hours=1), END) == Burn(
        "checkout",
        "availability",
        0.999,
        timedelta(days=30),
        bad=0.0,
        why="no events in the period",
    )
