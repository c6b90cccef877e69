"""The alert backtest reproduces the findings of the SRE workbook chapter "Alerting on SLOs"
on synthetic traffic: 1,000 requests a minute, a 99.9% objective over 30 days, so the budget of
a period is 0.001 x 43,200 min x 1,000 = 43,200 bad requests.

Scenarios are built minute by minute: sample `k` counts the minute `(at(k), at(k + 1)]` and
is evaluated at `at(k + 1)`, so errors in minutes `[s, e)` make an incident `(at(s), at(e))`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ninefold.slos.backtest.replay import (
    Alert,
    BacktestResult,
    alerts_from_mask,
    backtest,
    error_ratios,
    firing_series,
)
from ninefold.slos.core.alert_policies import (
    INCREASED_WINDOW,
    INCREMENTED_DURATION,
    MULTIPLE_BURN_RATES,
    MULTIWINDOW,
    SINGLE_BURN_RATE,
    TARGET_ERROR_RATE,
    WORKBOOK_POLICY_NAMES,
    Policy,
    Rule,
    slo_policy,
    workbook_policies,
)
from ninefold.slos.core.model import (
    Alerting,
    EventsSli,
    Query,
    Rolling,
    Severity,
    Slo,
    default_conditions,
)

T0 = 1_700_006_400.0  # 2023-11-15 00:00 UTC
RATE = 1000.0
DAY = 1440  # minutes
MINUTE = timedelta(minutes=1)
PERIOD = timedelta(days=30)
BUDGET_EVENTS = 0.001 * 30 * DAY * RATE  # 43,200 bad requests
Errors = tuple[int, int, float]  # minutes [start, end) at this error ratio


def at(minute: int) -> datetime:
    return datetime.fromtimestamp(T0 + 60 * minute, UTC)


def minutes(count: int) -> timedelta:
    return count * MINUTE


def series(length: int, errors: Sequence[Errors] = ()) -> tuple[np.ndarray, ...]:
    """`length` minutes of constant traffic, failing at each ratio over each span."""
    total = np.full(length, RATE)
    bad = np.zeros(length)
    for start, end, ratio in errors:
        bad[start:end] = ratio * RATE
    return T0 + 60.0 * np.arange(1, length + 1), total - bad, total


def run(length: int, errors: Sequence[Errors], incidents: Sequence[Errors] = ()) -> BacktestResult:
    timestamps, good, total = series(length, errors)
    return backtest(
        timestamps,
        good,
        total,
        objective=0.999,
        period=PERIOD,
        incidents=[(at(start), at(end)) for start, end, _ in incidents],
    )


POLICIES = workbook_policies(PERIOD)

# --- A full outage of 20 minutes, after 3 clean days (every window full) and 4 days to reset.

OUTAGE_START = 3 * DAY
OUTAGE: Errors = (OUTAGE_START, OUTAGE_START + 20, 1.0)


@pytest.fixture(scope="module")
def outage() -> BacktestResult:
    return run(OUTAGE_START + 20 + 4 * DAY, [OUTAGE], [OUTAGE])


@pytest.mark.parametrize(
    ("policy", "severity", "detection", "reset"),
    [
        pytest.param(TARGET_ERROR_RATE, "page", 1, 10, id="target error rate: fast in, 10m out"),
        # 36h x 0.1% = 2.16 bad minutes in the window: fires at the 3rd, resets when 2 are left.
        pytest.param(INCREASED_WINDOW, "page", 3, 36 * 60 - 2, id="36h window resets 36h late"),
        pytest.param(INCREMENTED_DURATION, "page", None, None, id="1h for misses a 20m outage"),
        # 1h x 3.6% = 2.16 bad minutes: fires at the 3rd, resets 58 minutes after the outage.
        pytest.param(SINGLE_BURN_RATE, "page", 3, 58, id="single 1h burn rate resets in 58m"),
        # The 6x/6h page holds while 3 of the 20 bad minutes are in the 6 hours: 5h58m.
        pytest.param(MULTIPLE_BURN_RATES, "page", 1, 6 * 60 - 2, id="multiple rates page 5h58m"),
        pytest.param(MULTIPLE_BURN_RATES, "ticket", 5, 3 * DAY - 4, id="3d ticket resets 3d late"),
        # The 6h/30m pair outlasts the 1h/5m one: the page ends with its 30m short window.
        pytest.param(MULTIWINDOW, "page", 1, 30, id="multiwindow page resets in 30m"),
        pytest.param(MULTIWINDOW, "ticket", 5, 6 * 60, id="multiwindow ticket resets in 6h"),
    ],
)
def test_a_full_outage_is_detected_and_reset_as_the_chapter_says(
    outage: BacktestResult,
    policy: str,
    severity: Severity,
    detection: int | None,
    reset: int | None,
) -> None:
    result = outage.result(policy, severity)
    (incident,) = result.incidents
    assert incident.detection == (None if detection is None else minutes(detection))
    assert incident.reset == (None if reset is None else minutes(reset))
    assert len(result.alerts) == (0 if detection is None else 1)


def test_the_single_burn_rate_alert_resets_about_58_minutes_after_a_full_outage(
    outage: BacktestResult,
) -> None:
    (incident,) = outage.result(SINGLE_BURN_RATE).incidents
    assert incident.reset is not None
    assert minutes(55) <= incident.reset <= minutes(60)
    (alert,) = outage.result(SINGLE_BURN_RATE).alerts
    assert alert == Alert(SINGLE_BURN_RATE, "page", at(OUTAGE_START + 3), at(OUTAGE_START + 78))


@pytest.mark.parametrize(
    ("windows", "reset"),
    [
        pytest.param((timedelta(hours=1),), 60, id="1h alone holds every bad minute an hour"),
        pytest.param((timedelta(hours=1), timedelta(minutes=5)), 5, id="5m short window: 5m"),
    ],
)
def test_the_short_window_resets_the_1h_page_within_5_minutes(
    windows: tuple[timedelta, ...], reset: int
) -> None:
    page = default_conditions(PERIOD)[0]  # 14.4x over 1h, short window 5m
    policy = Policy("1h-page", (Rule("page", page.factor, windows),))
    timestamps, good, total = series(OUTAGE_START + DAY, [OUTAGE])
    result = backtest(
        timestamps,
        good,
        total,
        objective=0.999,
        period=PERIOD,
        policies=[policy],
        incidents=[(at(OUTAGE[0]), at(OUTAGE[1]))],
    )
    (incident,) = result.result("1h-page").incidents
    assert incident.detection == MINUTE
    assert incident.reset == minutes(reset)


@pytest.mark.parametrize(
    ("policy", "detected_after", "spent"),
    [
        # 3 minutes x 1,000 bad requests of a 43,200 budget.
        pytest.param(SINGLE_BURN_RATE, 3, 3000 / BUDGET_EVENTS, id="single burn rate: 6.9%"),
        pytest.param(MULTIWINDOW, 1, 1000 / BUDGET_EVENTS, id="multiwindow page: 2.3%"),
    ],
)
def test_budget_spent_before_a_full_outage_is_detected(
    outage: BacktestResult, policy: str, detected_after: int, spent: float
) -> None:
    (incident,) = outage.result(policy).incidents
    assert incident.detected_at == at(OUTAGE_START + detected_after)
    assert incident.budget_spent_before_detection == pytest.approx(spent)
    assert incident.budget_spent == pytest.approx(20_000 / BUDGET_EVENTS)  # 46% in 20 minutes
    assert outage.budget_events == pytest.approx(BUDGET_EVENTS)


def test_a_full_outage_pages_after_an_hour_when_the_condition_must_hold_for_one() -> None:
    # The first evaluation to see the errors is 1 minute in; `for: 1h` fires an hour later.
    result = run(3 * DAY, [(DAY, DAY + 90, 1.0)], [(DAY, DAY + 90, 1.0)])
    (incident,) = result.result(INCREMENTED_DURATION).incidents
    assert incident.detection == minutes(61)
    assert incident.reset == MINUTE


def test_a_flapping_error_rate_never_fires_the_held_alert() -> None:
    # 90 failing minutes with one good minute in the middle: neither half lasts the hour.
    failing = [(DAY, DAY + 45, 1.0), (DAY + 46, DAY + 90, 1.0)]
    result = run(3 * DAY, failing, [(DAY, DAY + 90, 1.0)])
    assert result.result(INCREMENTED_DURATION).alerts == ()
    assert result.result(INCREMENTED_DURATION).recall == 0.0
    assert result.result(SINGLE_BURN_RATE).recall == 1.0


# --- A short burst that spends a sliver of the budget.


@pytest.mark.parametrize(
    ("ratio", "fires_after", "spent"),
    [
        # The chapter's example: 0.1% for 10 minutes reaches the threshold exactly (>=) at
        # minute 10 and spends 10 / 43,200 = 0.023% of the budget.
        pytest.param(0.001, 10, 0.00023, id="0.1% for 10m spends 0.023% and fires"),
        # 0.2% for 10 minutes: the 10m ratio reaches 0.1% after 5 minutes; 20 bad = 0.046%.
        pytest.param(0.002, 5, 0.00046, id="0.2% for 10m spends 0.046% and fires"),
    ],
)
def test_the_target_error_rate_alert_fires_on_a_burst_the_multiwindow_policy_ignores(
    ratio: float, fires_after: int, spent: float
) -> None:
    burst = (3 * DAY, 3 * DAY + 10, ratio)
    result = run(4 * DAY, [burst])
    assert ratio * RATE * 10 / result.budget_events == pytest.approx(spent, abs=5e-6)
    (alert,) = result.result(TARGET_ERROR_RATE).alerts
    assert alert.start == at(3 * DAY + fires_after)
    for name in (INCREASED_WINDOW, INCREMENTED_DURATION, SINGLE_BURN_RATE):
        assert result.result(name).alerts == ()
    for severity in ("page", "ticket"):
        assert result.result(MULTIWINDOW, severity).alerts == ()
        assert result.result(MULTIPLE_BURN_RATES, severity).alerts == ()


# --- A slow, steady burn at 2x for 4 days.

SLOW: Errors = (3 * DAY, 7 * DAY, 0.002)


@pytest.fixture(scope="module")
def slow_burn() -> BacktestResult:
    return run(8 * DAY, [SLOW], [SLOW])


def test_a_slow_burn_is_ticketed_by_the_multiwindow_policy_and_never_paged(
    slow_burn: BacktestResult,
) -> None:
    assert slow_burn.result(MULTIWINDOW, "page").alerts == ()
    assert slow_burn.result(MULTIWINDOW, "page").recall == 0.0
    (ticket,) = slow_burn.result(MULTIWINDOW, "ticket").incidents
    # The 3d ratio passes 0.1% once 2,161 minutes at 0.2% are in it: 36h01m, 10% of the
    # budget spent (the ticket's design point). The 6h short window resets it 3 hours after.
    assert ticket.detection == minutes(36 * 60 + 1)
    assert ticket.budget_spent_before_detection == pytest.approx(2 * 2161 / BUDGET_EVENTS)
    assert ticket.budget_spent_before_detection == pytest.approx(0.10, abs=1e-3)
    assert ticket.reset == timedelta(hours=3)
    assert ticket.budget_spent == pytest.approx(4 * 2 / 30)  # 4 days at 2x: 26.7%


@pytest.mark.parametrize(
    ("policy", "severity", "detection"),
    [
        pytest.param(TARGET_ERROR_RATE, "page", 5, id="target error rate: 5m"),
        pytest.param(INCREASED_WINDOW, "page", 18 * 60 + 1, id="36h window: half of it"),
        pytest.param(INCREMENTED_DURATION, "page", 61, id="held 1m ratio: 61m"),
        pytest.param(SINGLE_BURN_RATE, "page", None, id="36x never"),
        pytest.param(MULTIPLE_BURN_RATES, "page", None, id="14.4x and 6x never"),
        pytest.param(MULTIPLE_BURN_RATES, "ticket", 36 * 60 + 1, id="3d ticket: 36h01m"),
    ],
)
def test_detection_of_a_slow_burn(
    slow_burn: BacktestResult, policy: str, severity: Severity, detection: int | None
) -> None:
    (incident,) = slow_burn.result(policy, severity).incidents
    assert incident.detection == (None if detection is None else minutes(detection))


# --- A month: three incidents and four harmless bursts.

MONTH_INCIDENTS: list[Errors] = [
    (5 * DAY, 5 * DAY + 20, 1.0),  # full outage, 20 minutes: 46% of the budget
    (12 * DAY, 12 * DAY + 60, 0.05),  # 5% errors for an hour: 6.9%
    (20 * DAY, 23 * DAY, 0.002),  # 2x for 3 days: 20%
]
BURSTS: list[Errors] = [(d * DAY + 600, d * DAY + 610, 0.002) for d in (2, 8, 16, 26)]


@pytest.fixture(scope="module")
def month() -> BacktestResult:
    return run(30 * DAY, MONTH_INCIDENTS + BURSTS, MONTH_INCIDENTS)


@pytest.mark.parametrize(
    ("policy", "severity", "alerts", "precision", "recall"),
    [
        # Fires on all three and on every burst.
        pytest.param(TARGET_ERROR_RATE, "page", 7, 3 / 7, 1.0, id="target error rate"),
        pytest.param(INCREASED_WINDOW, "page", 3, 1.0, 1.0, id="increased window"),
        # The hour at 5% lasts 60 evaluations, one short of `for: 1h`.
        pytest.param(INCREMENTED_DURATION, "page", 1, 1.0, 1 / 3, id="incremented duration"),
        pytest.param(SINGLE_BURN_RATE, "page", 2, 1.0, 2 / 3, id="single burn rate"),
        pytest.param(MULTIPLE_BURN_RATES, "page", 2, 1.0, 2 / 3, id="multiple rates page"),
        # The hour at 5% spends 6.9%, under the 10% in 3 days a ticket needs.
        pytest.param(MULTIPLE_BURN_RATES, "ticket", 2, 1.0, 2 / 3, id="multiple rates ticket"),
        pytest.param(MULTIWINDOW, "page", 2, 1.0, 2 / 3, id="multiwindow page"),
        pytest.param(MULTIWINDOW, "ticket", 2, 1.0, 2 / 3, id="multiwindow ticket"),
    ],
)
def test_precision_and_recall_over_a_month(
    month: BacktestResult,
    policy: str,
    severity: Severity,
    alerts: int,
    precision: float,
    recall: float,
) -> None:
    result = month.result(policy, severity)
    assert len(result.alerts) == alerts
    assert result.precision == pytest.approx(precision)
    assert result.recall == pytest.approx(recall)


def test_the_multiwindow_pages_and_tickets_together_catch_every_incident_of_the_month(
    month: BacktestResult,
) -> None:
    page = month.result(MULTIWINDOW, "page").incidents
    ticket = month.result(MULTIWINDOW, "ticket").incidents
    assert [p.detected or t.detected for p, t in zip(page, ticket, strict=True)] == [True] * 3
    assert [p.detected for p in page] == [True, True, False]  # the slow burn is no page
    # 5% errors: the 1h ratio passes 1.44% after 18 minutes, 2.1% of the budget spent.
    assert page[1].detection == minutes(18)
    assert page[1].budget_spent_before_detection == pytest.approx(18 * 50 / BUDGET_EVENTS)


def test_the_six_policies_come_in_the_chapters_order_with_its_numbers() -> None:
    policies = {p.name: p for p in workbook_policies(PERIOD)}
    assert tuple(policies) == WORKBOOK_POLICY_NAMES
    hour = timedelta(hours=1)
    assert policies[INCREASED_WINDOW].rules == (Rule("page", 1.0, (36 * hour,)),)
    assert policies[INCREMENTED_DURATION].rules == (Rule("page", 1.0, (MINUTE,), hold=hour),)
    assert policies[SINGLE_BURN_RATE].rules == (Rule("page", 36.0, (hour,)),)
    assert [(r.severity, r.factor, r.windows) for r in policies[MULTIPLE_BURN_RATES].rules] == [
        ("page", 14.4, (hour,)),
        ("page", 6.0, (6 * hour,)),
        ("ticket", 1.0, (72 * hour,)),
    ]
    assert [(r.factor, r.windows) for r in policies[MULTIWINDOW].rules] == [
        (14.4, (hour, minutes(5))),
        (6.0, (6 * hour, minutes(30))),
        (3.0, (24 * hour, 2 * hour)),
        (1.0, (72 * hour, 6 * hour)),
    ]


def test_policies_scale_with_the_period() -> None:
    policies = {p.name: p for p in workbook_policies(timedelta(days=28))}
    assert policies[INCREASED_WINDOW].rules[0].windows == (timedelta(hours=33.6),)
    assert policies[SINGLE_BURN_RATE].rules[0].factor == pytest.approx(33.6)
    assert policies[MULTIPLE_BURN_RATES].rules[0].factor == pytest.approx(13.44)


def test_an_slos_own_conditions_replay_as_a_policy() -> None:
    slo = Slo(
        service="checkout",
        name="availability",
        objective=0.999,
        window=Rolling(PERIOD),
        sli=EventsSli(part=Query("errors", counter=True), total=Query("requests", counter=True)),
        alerting=Alerting(name="Checkout", conditions=default_conditions(PERIOD)),
    )
    policy = slo_policy(slo)
    assert policy.name == "checkout/availability"
    assert policy.rules == {p.name: p for p in workbook_policies(PERIOD)}[MULTIWINDOW].rules


# --- The machinery.


def test_progress_is_reported_as_a_rising_fraction_ending_at_one() -> None:
    timestamps, good, total = series(DAY, [(100, 120, 1.0)])
    seen: list[float] = []
    backtest(timestamps, good, total, objective=0.999, period=PERIOD, progress=seen.append)
    # 10 distinct windows, then 6 policies.
    assert len(seen) == 16
    assert seen == sorted(seen)
    assert seen[0] > 0
    assert seen[-1] == 1.0


def test_an_alert_still_firing_at_the_end_has_no_end_and_no_reset() -> None:
    result = run(DAY, [(DAY - 30, DAY, 1.0)], [(DAY - 30, DAY - 10, 1.0)])
    (alert,) = result.result(SINGLE_BURN_RATE).alerts
    assert alert.end is None
    assert alert.duration is None
    (incident,) = result.result(SINGLE_BURN_RATE).incidents
    assert incident.detected
    assert incident.reset is None


def test_an_alert_firing_when_the_incident_starts_detects_it_at_once() -> None:
    # The first incident's page is still firing when the second one starts.
    first, second = (DAY, DAY + 20, 1.0), (DAY + 25, DAY + 40, 1.0)
    result = run(2 * DAY, [first, second], [first, second])
    page = result.result(SINGLE_BURN_RATE)
    assert len(page.alerts) == 1
    assert page.incidents[1].detection == timedelta(0)
    assert page.precision == 1.0


def test_detection_waits_for_the_grace_period_and_no_longer() -> None:
    # A slow ticket fires 36h01m into a 2x burn; an incident said to last 1 day, with a
    # 1-hour grace, is missed, one with 13 hours of grace is caught.
    timestamps, good, total = series(6 * DAY, [SLOW])
    incident = [(at(3 * DAY), at(4 * DAY))]
    for grace, detected in ((timedelta(hours=1), False), (timedelta(hours=13), True)):
        result = backtest(
            timestamps,
            good,
            total,
            objective=0.999,
            period=PERIOD,
            incidents=incident,
            grace=grace,
        )
        assert result.result(MULTIWINDOW, "ticket").incidents[0].detected is detected


def test_no_rule_fires_before_the_data_reaches_back_a_whole_window() -> None:
    # Errors in the data's first minutes: a 36h ratio over 3 minutes of data would page.
    timestamps, good, total = series(3 * DAY, [(0, 3, 0.01)])
    policies = [p for p in POLICIES if p.name == INCREASED_WINDOW]
    for partial, fires in ((False, False), (True, True)):
        firing = firing_series(
            timestamps, good, total, objective=0.999, policies=policies, partial_windows=partial
        )
        assert bool(firing[INCREASED_WINDOW, "page"].any()) is fires


def test_window_ratios_are_unknown_until_the_window_is_full_or_without_traffic() -> None:
    timestamps, good, total = series(8, [(0, 8, 0.5)])
    total[6] = good[6] = 0.0
    ratios = error_ratios(timestamps, good, total, [minutes(5), MINUTE])
    # Sample 4 is the first whose 5 minutes are all in the data; sample 6 had no traffic.
    assert np.isnan(ratios[minutes(5)][:4]).all()
    assert ratios[minutes(5)][4:].tolist() == [0.5] * 4
    assert np.isnan(ratios[MINUTE][6])
    assert ratios[MINUTE][[0, 5, 7]].tolist() == [0.5] * 3


def test_alerts_are_the_runs_of_the_firing_series() -> None:
    timestamps = T0 + 60.0 * np.arange(1, 8)
    mask = [False, True, True, False, True, True, True]
    assert alerts_from_mask("p", "page", timestamps, mask) == (
        Alert("p", "page", at(2), at(4)),
        Alert("p", "page", at(5), None),
    )


def test_without_incidents_or_alerts_the_scores_are_undefined() -> None:
    result = run(DAY, [])
    for policy in result.results:
        assert policy.alerts == ()
        assert policy.precision is None
        assert policy.recall is None


def test_without_incidents_alerts_have_no_precision() -> None:
    result = run(4 * DAY, BURSTS[:1])
    assert len(result.result(TARGET_ERROR_RATE).alerts) == 1
    assert result.result(TARGET_ERROR_RATE).precision is None


def test_policy_names_must_be_unique() -> None:
    timestamps, good, total = series(10)
    policy = Policy("same", (Rule("page", 1.0, (MINUTE,)),))
    with pytest.raises(ValueError, match="must be unique"):
        backtest(timestamps, good, total, objective=0.999, period=PERIOD, policies=[policy, policy])


def test_a_lookup_of_a_severity_the_policy_lacks_fails() -> None:
    with pytest.raises(KeyError, match="no ticket result for policy 'single-burn-rate'"):
        run(DAY, []).result(SINGLE_BURN_RATE, "ticket")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"good": np.ones(3)}, "1-D arrays of one length", id="lengths differ"),
        pytest.param({"good": np.full(5, 2000.0)}, "total >= good >= 0", id="good over total"),
        pytest.param({"good": np.full(5, -1.0)}, "total >= good >= 0", id="negative counts"),
        pytest.param({"total": np.full(5, np.nan)}, "finite", id="NaN counts"),
        pytest.param({"timestamps": np.full(5, T0)}, "strictly increasing", id="repeated times"),
        pytest.param({"timestamps": [T0], "good": [1.0], "total": [1.0]}, "at least 2", id="one"),
        pytest.param({"objective": 1.0}, "between 0 and 1", id="objective of 100%"),
        pytest.param(
            {"incidents": [(datetime(2024, 1, 1), datetime(2024, 1, 2))]},
            "timezone-aware",
            id="naive incident times",
        ),
        pytest.param({"incidents": [(at(3), at(2))]}, "end after it starts", id="inverted"),
    ],
)
def test_bad_input_is_refused(change: dict[str, object], message: str) -> None:
    timestamps, good, total = series(5)
    arguments: dict[str, object] = {
        "timestamps": timestamps,
        "good": good,
        "total": total,
        "objective": 0.999,
        "period": PERIOD,
    }
    with pytest.raises(ValueError, match=message):
        backtest(**{**arguments, **change})


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        pytest.param("windows", (), "positive durations", id="no window"),
        pytest.param("factor", 0.0, "factor must be positive", id="zero factor"),
        pytest.param("hold", -MINUTE, "must not be negative", id="negative hold"),
    ],
)
def test_bad_rules_are_refused(field: str, value: object, message: str) -> None:
    arguments: dict[str, object] = {"severity": "page", "factor": 1.0, "windows": (MINUTE,)}
    with pytest.raises(ValueError, match=message):
        Rule(**{**arguments, field: value})


# --- Properties.


@st.composite
def traffic(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Minute timestamps, and whole request counts with some bad ones (possibly none)."""
    length = draw(st.integers(min_value=2, max_value=240))
    total = draw(hnp.arrays(np.float64, length, elements=st.integers(0, 50).map(float)))
    share = draw(hnp.arrays(np.float64, length, elements=st.floats(0, 1)))
    bad = np.floor(total * share * draw(st.sampled_from([0.0, 0.01, 0.3, 1.0])))
    return T0 + 60.0 * np.arange(1, length + 1), total, bad


@settings(deadline=None, max_examples=60)
@given(traffic())
def test_no_alert_without_errors(data: tuple[np.ndarray, ...]) -> None:
    timestamps, total, _ = data
    firing = firing_series(
        timestamps, total, total, objective=0.999, policies=POLICIES, partial_windows=True
    )
    assert not any(mask.any() for mask in firing.values())


@settings(deadline=None, max_examples=60)
@given(traffic(), st.data())
def test_more_errors_never_reduce_firing(
    data: tuple[np.ndarray, ...], extra: st.DataObject
) -> None:
    timestamps, total, bad = data
    more = np.minimum(
        total,
        bad
        + extra.draw(hnp.arrays(np.float64, bad.size, elements=st.sampled_from([0.0, 1.0, 5.0]))),
    )
    objective = extra.draw(st.sampled_from([0.9, 0.99, 0.999]))
    replay = {"objective": objective, "policies": POLICIES, "partial_windows": True}
    fewer = firing_series(timestamps, total - bad, total, **replay)
    firing = firing_series(timestamps, total - more, total, **replay)
    for key, mask in fewer.items():
        assert not (mask & ~firing[key]).any(), key  # every firing minute still fires


@settings(deadline=None, max_examples=60)
@given(traffic())
def test_alerts_of_one_policy_and_severity_never_overlap(data: tuple[np.ndarray, ...]) -> None:
    timestamps, total, bad = data
    result = backtest(
        timestamps, total - bad, total, objective=0.99, period=PERIOD, partial_windows=True
    )
    for policy in result.results:
        assert policy.firing_evaluations >= len(policy.alerts)
        for alert in policy.alerts:
            assert alert.end is None or alert.start < alert.end
        for before, after in zip(policy.alerts, policy.alerts[1:], strict=False):
            assert before.end is not None
            assert before.end < after.start  # a gap of at least one evaluation between them


@settings(deadline=None, max_examples=60)
@given(
    st.lists(st.integers(1, 600), min_size=2, max_size=60),  # irregular gaps, in seconds
    st.data(),
)
def test_window_ratios_match_a_direct_sum(gaps: list[int], data: st.DataObject) -> None:
    timestamps = T0 + np.cumsum(np.array(gaps, dtype=np.float64))
    total = data.draw(hnp.arrays(np.float64, len(gaps), elements=st.integers(0, 20).map(float)))
    bad = np.floor(total * data.draw(hnp.arrays(np.float64, len(gaps), elements=st.floats(0, 1))))
    windows = [MINUTE, minutes(5), timedelta(hours=1)]
    ratios = error_ratios(timestamps, total - bad, total, windows, partial_windows=True)
    for window in windows:
        for i, t in enumerate(timestamps):
            inside = (timestamps > t - window.total_seconds()) & (timestamps <= t)
            expected = bad[inside].sum() / total[inside].sum() if total[inside].sum() else np.nan
            assert ratios[window][i] == pytest.approx(expected, nan_ok=True)
