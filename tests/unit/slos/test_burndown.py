"""The burn-down and its SVG geometry: exact at every point drawn, ending where the status
ends, never rising, and drawn inside the plot with the zero line in view."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ninefold.slos.core.burndown import burn_down
from ninefold.slos.core.model import Calendar, Rolling
from ninefold.slos.core.status import status
from ninefold.slos.sources.sample import sample_counts
from ninefold.slos.web.chart import chart
from tests.unit.slos.test_status import make_slo, minutes_until

DAY = timedelta(days=1)
NOW = datetime(2024, 6, 12, 12, 0, tzinfo=UTC)


def test_the_worked_example_of_the_docstring() -> None:
    """99.9% over 30 days at 100,000 requests a day: 750 failures in the first week leave 75%
    of the budget on day 7, against an ideal of 1 - 7/30."""
    slo = make_slo(0.999, Rolling(30 * DAY))
    steps = 30 * 24  # hourly steps
    ts = minutes_until(NOW, steps, step=3600)
    total = np.full(steps, 100_000 / 24)
    bad = np.zeros(steps)
    bad[: 7 * 24] = 750 / (7 * 24)
    burn = burn_down(slo, ts, total - bad, total, NOW, max_points=steps)
    day_seven = next(p for p in burn.points if p.at == NOW - 23 * DAY)
    assert day_seven.remaining == pytest.approx(0.75)
    assert day_seven.ideal == pytest.approx(1 - 7 / 30)
    assert burn.points[-1].remaining == pytest.approx(0.75)
    assert burn.points[-1].ideal == pytest.approx(0.0)


@given(
    bad=st.lists(st.integers(0, 50), min_size=2, max_size=400),
    points=st.integers(2, 60),
)
def test_it_never_rises_and_ends_at_the_status_budget(bad: list[int], points: int) -> None:
    slo = make_slo(0.99, Rolling(DAY))
    ts = minutes_until(NOW, len(bad))
    total = np.full(len(bad), 100.0)
    good = total - np.array(bad, dtype=float)
    burn = burn_down(slo, ts, good, total, NOW, max_points=points)
    remaining = [p.remaining for p in burn.points]
    assert len(remaining) <= points
    assert all(a >= b for a, b in itertools.pairwise(remaining))
    found = status(slo, ts, good, total, NOW)
    assert remaining[-1] == pytest.approx(found.budget_remaining)
    assert burn.points[-1].at == NOW


def test_a_calendar_period_runs_its_ideal_line_to_the_end_of_the_month() -> None:
    slo = make_slo(0.999, Calendar("month", "UTC"))
    ts = minutes_until(NOW, 11 * 24 * 60 + 12 * 60)  # since June 1st, 00:00
    ones = np.ones(ts.size)
    burn = burn_down(slo, ts, ones, ones, NOW)
    assert burn.start == datetime(2024, 6, 1, tzinfo=UTC)
    assert burn.end == datetime(2024, 7, 1, tzinfo=UTC)
    assert burn.points[-1].ideal == pytest.approx(1 - 11.5 / 30)
    assert burn.points[-1].remaining == 1.0


def test_an_empty_period_has_no_points_and_no_chart() -> None:
    slo = make_slo()
    burn = burn_down(slo, np.array([]), np.array([]), np.array([]), NOW)
    assert burn.points == ()
    assert chart(burn) is None


def _xy(points: str) -> list[tuple[float, float]]:
    return [tuple(map(float, pair.split(","))) for pair in points.split()]  # type: ignore[misc]


def test_the_chart_draws_inside_the_plot_and_shows_overspending() -> None:
    slo = make_slo(0.999, Rolling(DAY))
    ts = minutes_until(NOW, 1440)
    total = np.full(1440, 1000.0)
    bad = np.zeros(1440)
    bad[-60:] = 72  # 4,320 failures in the last hour: three budgets of 1,440
    drawn = chart(burn_down(slo, ts, total - bad, total, NOW))
    assert drawn is not None
    left, top, right, bottom = drawn.plot
    line = _xy(drawn.remaining)
    assert all(left <= x <= right and top <= y <= bottom for x, y in line)
    assert line[0][1] == top  # starts at 100%
    assert line[-1][1] == bottom  # ends at the lowest value drawn
    assert top < drawn.zero_y < bottom
    assert drawn.overspent
    assert drawn.y_ticks[-1].label == "-200%"
    assert drawn.now_x == right
    assert _xy(drawn.ideal) == [(left, top), (right, drawn.zero_y)]


def test_sample_history_is_repeatable_and_consistent() -> None:
    slo = make_slo(0.999, Rolling(30 * DAY))
    first = sample_counts(slo, NOW - 30 * DAY, NOW)
    again = sample_counts(slo, NOW - 10 * DAY, NOW)
    assert first.timestamps.size == 30 * 1440
    assert first.timestamps[-1] == NOW.timestamp()
    # A minute's counts depend on the minute alone, not on the range asked for.
    np.testing.assert_array_equal(first.good[-again.good.size :], again.good)
    assert np.all((first.good >= 0) & (first.good <= first.total))
    found = status(slo, first.timestamps, first.good, first.total, NOW)
    assert 0 < found.budget_remaining < 1  # incidents spend some budget, not all of it
    worst_minute = float(np.max(1 - first.good / first.total))
    assert worst_minute > 15 * slo.budget  # an incident burning at least 20 budgets
