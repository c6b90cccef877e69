"""Burn-rate math and the shapes of generated rules, on the pure model."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ninefold.slos.core.budget import burn_factor
from ninefold.slos.core.model import (
    Alerting,
    EventsSli,
    Query,
    Rolling,
    Slo,
    default_conditions,
    prometheus_duration,
    warnings_for,
)
from ninefold.slos.generators.rules import rule_groups, windows

DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("share", "period", "window", "factor"),
    [
        pytest.param(0.02, 30 * DAY, timedelta(hours=1), 14.4, id="2% of 30 days in 1 hour"),
        pytest.param(0.05, 30 * DAY, timedelta(hours=6), 6.0, id="5% of 30 days in 6 hours"),
        pytest.param(0.10, 30 * DAY, DAY, 3.0, id="10% of 30 days in 1 day"),
        pytest.param(0.10, 30 * DAY, 3 * DAY, 1.0, id="10% of 30 days in 3 days"),
        pytest.param(0.02, 28 * DAY, timedelta(hours=1), 13.44, id="2% of 28 days in 1 hour"),
        pytest.param(0.02, 7 * DAY, timedelta(hours=1), 3.36, id="2% of 7 days in 1 hour"),
    ],
)
def test_burn_factor_is_the_budget_share_over_the_window(share, period, window, factor) -> None:
    assert burn_factor(share, period, window) == factor


@given(st.integers(min_value=1, max_value=365))
def test_default_factors_spend_their_share_in_their_window(days: int) -> None:
    period = days * DAY
    for condition, share in zip(default_conditions(period), (0.02, 0.05, 0.10, 0.10), strict=True):
        spent = condition.factor * (condition.long / period)
        assert spent == pytest.approx(share, rel=1e-4)  # factors keep 6 decimals


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(minutes=5), "5m"),
        (timedelta(minutes=90), "90m"),
        (timedelta(hours=6), "6h"),
        (timedelta(days=28), "28d"),
        (timedelta(seconds=45), "45s"),
    ],
)
def test_prometheus_durations(value: timedelta, text: str) -> None:
    assert prometheus_duration(value) == text


def slo(objective: float = 0.999, days: int = 30) -> Slo:
    period = days * DAY
    return Slo(
        service="checkout",
        name="availability",
        objective=objective,
        window=Rolling(period),
        sli=EventsSli(
            part=Query('http_requests_total{code=~"5.."}', counter=True),
            total=Query("http_requests_total", counter=True),
        ),
        alerting=Alerting(name="CheckoutAvailability", conditions=default_conditions(period)),
        labels=(("team", "payments"),),
    )


def test_windows_are_the_standard_ones_then_the_period() -> None:
    assert list(windows(slo())) == ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]
    assert list(windows(slo(days=2))) == ["5m", "30m", "1h", "2h", "6h", "1d", "2d"]


def test_every_rule_carries_the_slo_identity() -> None:
    for group in rule_groups(slo()):
        for rule in group["rules"]:
            assert rule["labels"]["ninefold_service"] == "checkout"
            assert rule["labels"]["ninefold_slo"] == "availability"
            assert rule["labels"]["team"] == "payments"


def test_the_period_ratio_weighs_by_traffic() -> None:
    sli, _, _ = rule_groups(slo())
    period = next(r for r in sli["rules"] if r["record"] == "ninefold_slo:error_ratio:rate30d")
    assert period["expr"].startswith("sum_over_time(ninefold_slo:bad_events:rate5m{")
    assert "/\nsum_over_time(ninefold_slo:total_events:rate5m{" in period["expr"]


def test_alert_thresholds_are_factor_times_budget() -> None:
    _, _, alerts = rule_groups(slo(objective=0.99))
    page = next(
        r
        for r in alerts["rules"]
        if r["labels"].get("ninefold_severity") == "page" and "SLIMissing" not in r["alert"]
    )
    assert "> (14.4 * 0.01)" in page["expr"]
    assert "> (6.0 * 0.01)" in page["expr"]


@pytest.mark.parametrize(
    ("objective", "warned"),
    [(0.999, False), (0.95, False), (0.93, True), (0.9, True)],
    ids=["99.9% fine", "95% fine", "93% page can't fire", "90% page can't fire"],
)
def test_factors_that_cannot_fire_are_warned_about(objective: float, warned: bool) -> None:
    found = [w for w in warnings_for(slo(objective)) if "never fires" in w]
    assert bool(found) is warned
