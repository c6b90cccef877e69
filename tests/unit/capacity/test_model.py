"""Capacity series made regular or refused saying why, forecasts of series whose future is
known (a straight line under a repeating pattern), the accuracy of a held-out season against
the seasonal-naive forecast, P95 headroom, and resource specs refused with what is wrong."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from ninefold.capacity import model
from ninefold.capacity.rules import rule
from ninefold.capacity.schemas import ResourceSpec
from ninefold.errors import Invalid

H = 3600
T0 = 1_780_000_000 // H * H  # 2026-05-28T20:00:00Z
PATTERN = np.array([0, 1, 3, 6, 3, 1, 0, -1] * 3, dtype=np.float64)  # a season of 24 steps


def series(n: int, slope: float = 0.5, noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    t = np.arange(n, dtype=np.float64)
    values = 100 + slope * t + np.resize(PATTERN, n) + rng.normal(0, noise, n)
    return T0 + H * t, values


def test_a_series_is_sorted_and_short_gaps_are_filled_in() -> None:
    times = np.array([T0 + 5 * H, T0, T0 + H, T0 + 4 * H], dtype=np.float64)
    values = np.array([50.0, 10.0, 20.0, 40.0])
    found = model.regular(times, values, H)
    assert found.times.tolist() == [T0 + k * H for k in range(6)]
    assert found.values.tolist() == [10.0, 20.0, 26.0 + 2 / 3, 33.0 + 1 / 3, 40.0, 50.0]
    assert found.filled == 2


@pytest.mark.parametrize(
    ("times", "values", "says"),
    [
        ([], [], "the series has no points"),
        (
            [T0, T0 + H, T0 + H],
            [1, 2, 3],
            "two points at 2026-05-28T21:00:00Z",
        ),
        ([T0, T0 + 5 * H], [1, 2], "4 points missing after 2026-05-28T20:00:00Z; at most 3"),
        ([T0, T0 + H + 60], [1, 2], "the point at 2026-05-28T21:01:00Z is off the grid"),
        ([T0, T0 + H], [1, float("nan")], "the value at 2026-05-28T21:00:00Z is nan"),
        ([T0, T0 + H], [1, -2], "is -2.0: not a utilisation"),
    ],
)
def test_a_series_that_would_make_a_wrong_forecast_is_refused(
    times: list[float], values: list[float], says: str
) -> None:
    with pytest.raises(Invalid, match=says.replace("(", r"\(")):
        model.regular(np.array(times, dtype=np.float64), np.array(values, dtype=np.float64), H)


def test_fewer_points_than_three_seasons_are_refused() -> None:
    found = model.regular(*series(71), H)
    with pytest.raises(Invalid, match=r"has 71 points; a forecast needs 3 seasons of 24 \(72\)"):
        model.forecast(found, 24, 48, 500)
    with pytest.raises(Invalid, match="a season of 1 point"):
        model.backtest(found, 1)


def test_the_forecast_of_a_trend_under_a_pattern_finds_the_day_it_crosses() -> None:
    """100 + t/2 plus a pattern within [-1, 6]: after 10 days (240 points) at ~220, a
    threshold of 300 is reached around t = 388 to 402, 6 to 7 days after the last point."""
    found = model.forecast(model.regular(*series(240), H), 24, 14 * 24, 300)
    assert found.days_until is not None
    assert 148 / 24 - 0.1 <= found.days_until <= 162 / 24 + 0.1
    assert found.crossing == T0 + H * 239 + found.days_until * 86400
    assert np.all(found.low <= found.mean)
    assert np.all(found.mean <= found.high)
    expected = 100 + 0.5 * np.arange(240, 240 + 14 * 24) + np.resize(PATTERN, 14 * 24)
    assert np.max(np.abs(found.mean - expected)) < 1.0
    far = model.forecast(model.regular(*series(240), H), 24, 24, 300)
    assert (far.days_until, far.crossing) == (None, None)


def test_a_series_over_its_threshold_already_has_no_days_left() -> None:
    found = model.forecast(model.regular(*series(96), H), 24, 24, 120)
    assert found.days_until == 0.0


def test_the_held_out_season_measures_the_forecast_against_seasonal_naive() -> None:
    """With a trend, repeating the last season lags by a day's growth (12 units of ~200):
    the Holt-Winters forecast, following the trend, errs far less."""
    found = model.backtest(model.regular(*series(24 * 10, noise=0.3), H), 24)
    assert (found.metric, found.held_out) == ("MAPE", 24)
    assert found.naive == pytest.approx(12 / np.mean(100 + 0.5 * np.arange(216, 240)), rel=0.1)
    assert found.model < found.naive / 3


def test_mape_and_smape_where_actuals_are_near_zero() -> None:
    actual, predicted = np.array([100.0, 200.0]), np.array([110.0, 150.0])
    assert model.error(actual, predicted) == ("MAPE", pytest.approx((0.1 + 0.25) / 2))
    zeroish = np.array([0.0, 10.0])
    assert model.error(zeroish, np.array([1.0, 10.0])) == ("sMAPE", pytest.approx(1.0))
    assert model.seasonal_naive(np.arange(10, dtype=np.float64), 3, 5).tolist() == [7, 8, 9, 7, 8]


def test_headroom_is_the_share_of_the_limit_above_p95() -> None:
    values = np.arange(1, 11, dtype=np.float64)  # P95 of 1..10 is 9.55
    assert model.p95(values) == pytest.approx(9.55)
    assert model.headroom(values, 20) == pytest.approx((20 - 9.55) / 20)
    assert model.headroom(values, 5) < 0


BASE = {"name": "db-disk", "service": "postgres", "kind": "disk", "unit": "GiB", "limit": 500,
        "file": "capacity/disk.csv"}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"query": "up"}, "give exactly one of query (PromQL) and file"),
        ({"file": None}, "give exactly one of query (PromQL) and file"),
        ({"limit": 0}, "greater than 0"),
        ({"threshold": 1.5}, "less than or equal to 1"),
        ({"season": "150m"}, "season 150m must be a whole number of steps of 1h"),
        ({"step": "1d", "season": "1d"}, "season 1d must hold at least two steps of 1d"),
        ({"season": "7"}, "'7' has no unit"),
        ({"kind": "gpu"}, "'cpu', 'memory', 'disk'"),
    ],
)
def test_a_resource_spec_is_refused_saying_what_is_wrong(
    change: dict[str, object], says: str
) -> None:
    with pytest.raises(ValidationError, match=says.replace("(", r"\(").replace(")", r"\)")):
        ResourceSpec.model_validate(BASE | change)


def test_the_alert_rule_watches_a_linear_fit_of_the_query() -> None:
    spec = ResourceSpec.model_validate(
        BASE | {"file": None, "query": 'sum(disk_used_gib{db="orders"})', "history": "7d"}
    )
    found = rule(spec, 14)
    assert (
        found["expr"] == 'predict_linear((sum(disk_used_gib{db="orders"}))[1w:1h], 1209600) > 400'
    )
    assert found["labels"] == {"severity": "ticket", "service": "postgres", "resource": "db-disk"}
