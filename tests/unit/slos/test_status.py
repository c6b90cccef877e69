"""SLO status math on per-step counts: calendar windows across DST, attainment, budgets, burn
rates, projected exhaustion, OpenSLO time slices, and which alert conditions hold."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ninefold.slos.core.model import (
    SLI_WINDOWS,
    Alerting,
    Budgeting,
    Calendar,
    EventsSli,
    Query,
    Rolling,
    Slo,
    Window,
    default_conditions,
)
from ninefold.slos.core.status import (
    alert_conditions_holding,
    attainment,
    burn_windows,
    minutes_to_exhaustion,
    slice_counts,
    status,
    tally_slices,
    window_counts,
)
from ninefold.slos.core.windows import (
    calendar_period,
    calendar_periods,
    period_bounds,
    period_length,
)

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
NOW = datetime(2024, 6, 12, 12, 0, tzinfo=UTC)  # a Wednesday

Series = tuple[np.ndarray, np.ndarray, np.ndarray]


def make_slo(
    objective: float = 0.999,
    window: Window = Rolling(30 * DAY),
    budgeting: Budgeting = "Occurrences",
    timeslice: timedelta | None = None,
) -> Slo:
    return Slo(
        service="checkout",
        name="availability",
        objective=objective,
        window=window,
        sli=EventsSli(
            part=Query('http_requests_total{code=~"5.."}', counter=True),
            total=Query("http_requests_total", counter=True),
        ),
        alerting=Alerting(name="CheckoutAvailability", conditions=default_conditions(30 * DAY)),
        budgeting=budgeting,
        timeslice=timeslice,
    )


def minutes_until(now: datetime, count: int, step: int = 60) -> np.ndarray:
    """`count` timestamps `step` seconds apart, the last one at `now`."""
    end = now.timestamp()
    return end - step * np.arange(count - 1, -1, -1, dtype=np.float64)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- Window math --------------------------------------------------------------------------


def test_rolling_period_ends_now() -> None:
    assert period_bounds(Rolling(28 * DAY), NOW) == (NOW - 28 * DAY, NOW)


def test_bounds_are_utc_whatever_zone_now_is_given_in() -> None:
    now = NOW.astimezone(ZoneInfo("Asia/Tokyo"))
    start, end = period_bounds(Rolling(DAY), now)
    assert start.tzinfo is UTC
    assert end.tzinfo is UTC
    assert end == NOW


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        period_bounds(Rolling(DAY), datetime(2024, 6, 12))


@pytest.mark.parametrize(
    ("window", "now", "start", "end"),
    [
        pytest.param(
            Calendar("week"),
            utc(2024, 6, 12, 12),
            utc(2024, 6, 10),
            utc(2024, 6, 17),
            id="a UTC week runs Monday to Monday",
        ),
        pytest.param(
            Calendar("week"),
            utc(2024, 6, 10),
            utc(2024, 6, 10),
            utc(2024, 6, 17),
            id="Monday midnight starts the new week",
        ),
        pytest.param(
            Calendar("month"),
            utc(2024, 2, 29, 23, 59),
            utc(2024, 2, 1),
            utc(2024, 3, 1),
            id="a leap February in UTC",
        ),
        pytest.param(
            Calendar("month", "Europe/Berlin"),
            utc(2024, 3, 15, 12),
            utc(2024, 2, 29, 23),
            utc(2024, 3, 31, 22),
            id="March in Berlin starts at CET midnight and ends at CEST midnight",
        ),
        pytest.param(
            Calendar("month", "Europe/Berlin"),
            utc(2024, 3, 31, 22, 30),
            utc(2024, 3, 31, 22),
            utc(2024, 4, 30, 22),
            id="late on March 31 UTC it is already April in Berlin",
        ),
        pytest.param(
            Calendar("quarter", "America/Chicago"),
            utc(2024, 5, 20),
            utc(2024, 4, 1, 5),
            utc(2024, 7, 1, 5),
            id="Q2 in Chicago runs CDT midnight to CDT midnight",
        ),
        pytest.param(
            Calendar("year", "Asia/Kolkata"),
            utc(2024, 12, 31, 19),
            utc(2024, 12, 31, 18, 30),
            utc(2025, 12, 31, 18, 30),
            id="a year in Kolkata starts at 18:30 UTC the day before",
        ),
        pytest.param(
            Calendar("month", "America/Havana"),
            utc(2012, 4, 15),
            utc(2012, 4, 1, 5),
            utc(2012, 5, 1, 4),
            id="Havana skipped midnight on 2012-04-01: April starts at 01:00 local",
        ),
    ],
)
def test_calendar_period_bounds(
    window: Calendar, now: datetime, start: datetime, end: datetime
) -> None:
    assert period_bounds(window, now) == (start, end)


@pytest.mark.parametrize(
    ("window", "instant", "length"),
    [
        pytest.param(
            Calendar("month", "Europe/Berlin"),
            utc(2024, 3, 10),
            31 * DAY - HOUR,
            id="Berlin March loses an hour",
        ),
        pytest.param(
            Calendar("month", "Europe/Berlin"),
            utc(2024, 10, 10),
            31 * DAY + HOUR,
            id="Berlin October gains an hour",
        ),
        pytest.param(
            Calendar("month", "Europe/Berlin"),
            utc(2024, 6, 10),
            30 * DAY,
            id="Berlin June is plain",
        ),
        pytest.param(
            Calendar("week", "Europe/Berlin"),
            utc(2024, 3, 27),
            7 * DAY - HOUR,
            id="Berlin week of the spring change",
        ),
        pytest.param(
            Calendar("quarter", "Europe/Berlin"),
            utc(2024, 2, 1),
            91 * DAY - HOUR,
            id="Berlin Q1 of a leap year",
        ),
        pytest.param(
            Calendar("year", "Europe/Berlin"),
            utc(2024, 7, 1),
            366 * DAY,
            id="Berlin year: the changes cancel out",
        ),
        pytest.param(
            Calendar("month", "America/Chicago"),
            utc(2024, 3, 20),
            31 * DAY - HOUR,
            id="Chicago March loses an hour",
        ),
        pytest.param(
            Calendar("month", "America/Chicago"),
            utc(2024, 11, 20),
            30 * DAY + HOUR,
            id="Chicago November gains an hour",
        ),
        pytest.param(
            Calendar("month", "Australia/Lord_Howe"),
            utc(2024, 10, 15),
            31 * DAY - 30 * MINUTE,
            id="Lord Howe October loses half an hour",
        ),
        pytest.param(
            Calendar("month", "Australia/Lord_Howe"),
            utc(2024, 4, 15),
            30 * DAY + 30 * MINUTE,
            id="Lord Howe April gains half an hour",
        ),
        pytest.param(
            Calendar("month", "America/Havana"),
            utc(2012, 3, 15),
            31 * DAY,
            id="Havana March 2012 is whole: the skipped hour is April's",
        ),
        pytest.param(
            Calendar("month", "America/Havana"),
            utc(2012, 4, 15),
            30 * DAY - HOUR,
            id="Havana April 2012 starts an hour late",
        ),
        pytest.param(
            Calendar("month"), utc(2023, 2, 10), 28 * DAY, id="UTC February of a common year"
        ),
        pytest.param(
            Rolling(28 * DAY), utc(2024, 3, 31), 28 * DAY, id="a rolling window is its duration"
        ),
    ],
)
def test_period_lengths_follow_daylight_saving(
    window: Window, instant: datetime, length: timedelta
) -> None:
    assert period_length(window, instant) == length


def test_calendar_periods_of_an_empty_range() -> None:
    assert calendar_periods(Calendar("month"), NOW, NOW) == []


def test_calendar_periods_are_whole_periods_over_the_range() -> None:
    periods = calendar_periods(Calendar("quarter"), utc(2024, 2, 10), utc(2024, 7, 1))
    assert periods == [(utc(2024, 1, 1), utc(2024, 4, 1)), (utc(2024, 4, 1), utc(2024, 7, 1))]


ZONES = st.sampled_from(
    [
        "UTC",
        "Europe/Berlin",
        "America/Chicago",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
        "America/St_Johns",
        "Pacific/Chatham",
        "America/Havana",
        "America/Santiago",
    ]
)
# Zones whose clocks never jump at midnight: every boundary reads 00:00 on the local clock.
MIDNIGHT_SAFE = ["UTC", "Europe/Berlin", "America/Chicago", "Australia/Lord_Howe", "Asia/Kolkata"]
UNITS = st.sampled_from(["week", "month", "quarter", "year"])
MONTHS_PER_UNIT = {"month": 1, "quarter": 3, "year": 12}
INSTANTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)


@given(
    ZONES,
    UNITS,
    INSTANTS,
    st.integers(min_value=1, max_value=3 * 366 * 86400),
    st.floats(min_value=0, max_value=1, exclude_max=True),
)
def test_calendar_periods_tile_time(
    zone: str, unit: str, start: datetime, seconds: int, where: float
) -> None:
    window = Calendar(unit, zone)  # type: ignore[arg-type]
    end = start + timedelta(seconds=seconds)
    periods = calendar_periods(window, start, end)
    assert periods[0][0] <= start < periods[0][1]
    assert periods[-1][0] < end <= periods[-1][1]
    for (_, upper), (lower, _) in itertools.pairwise(periods):
        assert upper == lower  # no gap, no overlap
    # Any instant of the range lies in exactly one period, the one period_bounds finds for it.
    instant = start + timedelta(seconds=seconds * where)
    holding = [p for p in periods if p[0] <= instant < p[1]]
    assert len(holding) == 1
    assert holding[0] == period_bounds(window, instant)


@given(ZONES, UNITS, INSTANTS)
def test_period_boundaries_are_the_first_instant_of_a_local_day(
    zone: str, unit: str, instant: datetime
) -> None:
    tz = ZoneInfo(zone)
    start, end = calendar_period(Calendar(unit, zone), instant)  # type: ignore[arg-type]
    for boundary in (start, end):
        local = boundary.astimezone(tz)
        just_before = (boundary - timedelta(microseconds=1)).astimezone(tz)
        assert just_before.date() < local.date()
        if zone in MIDNIGHT_SAFE:
            assert (local.hour, local.minute, local.second) == (0, 0, 0)
        first = local.date()
        if unit == "week":
            assert first.weekday() == 0
        else:
            assert first.day == 1
            assert (first.month - 1) % MONTHS_PER_UNIT[unit] == 0


@given(st.sampled_from(MIDNIGHT_SAFE), UNITS, INSTANTS)
def test_period_length_is_its_local_days_give_or_take_one_dst_shift(
    zone: str, unit: str, instant: datetime
) -> None:
    tz = ZoneInfo(zone)
    start, end = calendar_period(Calendar(unit, zone), instant)  # type: ignore[arg-type]
    days = (end.astimezone(tz).date() - start.astimezone(tz).date()).days
    assert abs((end - start) - days * DAY) <= HOUR


# --- Occurrences: attainment, budget, burn ---------------------------------------------------


def one_step(good: float, total: float) -> Series:
    """All the traffic in one step a day ago, inside any window of a day or more."""
    return np.array([(NOW - DAY).timestamp()]), np.array([good]), np.array([total])


@pytest.mark.parametrize(
    ("objective", "total", "bad", "achieved", "remaining", "left"),
    [
        pytest.param(
            0.999,
            1_000_000,
            400,
            0.9996,
            0.6,
            600,
            id="1,000,000 requests, 400 bad at 99.9%: 60% left, 600 bad events left",
        ),
        pytest.param(
            0.999,
            1_000_000,
            1_000,
            0.999,
            0.0,
            0,
            id="1,000,000 requests, 1,000 bad at 99.9%: budget exactly spent",
        ),
        pytest.param(
            0.999,
            1_000_000,
            1_500,
            0.9985,
            -0.5,
            -500,
            id="1,000,000 requests, 1,500 bad at 99.9%: overspent by half",
        ),
        pytest.param(
            0.99, 10_000, 10, 0.999, 0.9, 90, id="10,000 requests, 10 bad at 99%: 90% left"
        ),
        pytest.param(
            0.9999,
            5_000_000,
            0,
            1.0,
            1.0,
            500,
            id="5,000,000 clean requests at 99.99%: 500 bad events allowed",
        ),
        pytest.param(0.999, 0, 0, 1.0, 1.0, 0, id="no traffic: nothing failed, nothing spent"),
    ],
)
def test_worked_examples(
    objective: float, total: int, bad: int, achieved: float, remaining: float, left: float
) -> None:
    result = status(make_slo(objective), *one_step(total - bad, total), NOW)
    assert result.total_events == total
    assert result.bad_events == bad
    assert result.attainment == pytest.approx(achieved)
    assert result.event_attainment == result.attainment
    assert result.budget_remaining == pytest.approx(remaining)
    assert result.budget_consumed == pytest.approx(1 - remaining)
    assert result.bad_events_left == pytest.approx(left)
    assert result.exhausted == (remaining <= 0)
    assert result.error_budget == pytest.approx(1 - objective)


def test_attainment_on_the_worked_example() -> None:
    assert attainment(999_600, 1_000_000) == pytest.approx(0.9996)
    assert attainment(0, 0) == 1.0


def test_attainment_weights_by_traffic_not_by_step() -> None:
    # A quiet minute with its only request failing, then a busy minute with 999 good ones.
    timestamps = minutes_until(NOW, 2)
    good, total = np.array([0.0, 999.0]), np.array([1.0, 999.0])
    result = status(make_slo(), timestamps, good, total, NOW)
    mean_of_ratios = float(np.mean(good / total))
    assert result.attainment == pytest.approx(0.999)  # 999 good of 1,000 requests
    assert mean_of_ratios == pytest.approx(0.5)  # what averaging the per-minute ratios says
    assert result.budget_remaining == pytest.approx(0.0)


def test_window_edges_follow_the_end_of_step_convention() -> None:
    # Steps end at now - 5m (outside the 5m window), now - 4m .. now (inside), now + 1m (future).
    timestamps = minutes_until(NOW + MINUTE, 7)
    total = np.full(7, 100.0)
    good = total.copy()
    good[0] = 0.0  # the step ending exactly at now - 5m
    good[-1] = 0.0  # a step after now
    result = status(make_slo(), timestamps, good, total, NOW)
    assert result.burn_by_window[5 * MINUTE] == 0.0
    assert result.burn_by_window[30 * MINUTE] == pytest.approx((100 / 600) / 0.001)
    assert result.total_events == 600  # the future step is ignored


def test_burn_rate_per_window_after_a_five_minute_outage() -> None:
    # 30 days of 1,000 requests a minute, of which the last five minutes failed 2% (burn 20).
    steps = 30 * 1440
    timestamps = minutes_until(NOW, steps)
    total = np.full(steps, 1000.0)
    good = total.copy()
    good[-5:] = 980.0
    result = status(make_slo(), timestamps, good, total, NOW)
    expected = {window: 20 * 5 / (window / MINUTE) for window in SLI_WINDOWS}
    assert list(result.burn_by_window) == burn_windows(make_slo())
    for window, burn in expected.items():
        assert result.burn_by_window[window] == pytest.approx(burn), window
    assert result.period_burn == pytest.approx(20 * 5 / steps)
    assert result.budget_remaining == pytest.approx(1 - 100 / (0.001 * 1000 * steps))


def test_burn_windows_include_every_condition_window_and_the_projection_window() -> None:
    slo = make_slo()
    windows = burn_windows(slo, projection_window=7 * MINUTE)
    assert windows == sorted(windows)
    assert set(SLI_WINDOWS) <= set(windows)
    assert 7 * MINUTE in windows
    for condition in slo.alerting.conditions:
        assert {condition.long, condition.short} <= set(windows)


# --- Projected exhaustion -------------------------------------------------------------------


def projection_series(bad_per_minute: float) -> Series:
    """10,000,000 requests over 30 days, 4,000 bad (60% of a 99.9% budget left), of which the
    last hour holds 60,000 requests with `bad_per_minute` bad each minute."""
    recent_bad = 60 * bad_per_minute
    timestamps = np.concatenate([[(NOW - 10 * DAY).timestamp()], minutes_until(NOW, 60)])
    total = np.concatenate([[10_000_000 - 60_000], np.full(60, 1000.0)])
    bad = np.concatenate([[4000 - recent_bad], np.full(60, bad_per_minute)])
    return timestamps, total - bad, total


def test_exhaustion_at_the_last_hours_burn() -> None:
    # Burn over 1h: 14.4 bad per 1,000 = 0.0144 / 0.001 = 14.4. 60% of a 30-day budget at
    # 14.4x: 0.6 x 43,200 min / 14.4 = 1,800 minutes, 30 hours from now.
    result = status(make_slo(), *projection_series(14.4), NOW)
    assert result.budget_remaining == pytest.approx(0.6)
    assert result.burn_by_window[HOUR] == pytest.approx(14.4)
    assert result.minutes_to_exhaustion == pytest.approx(1800)
    assert result.exhaustion_at is not None
    assert abs(result.exhaustion_at - (NOW + 30 * HOUR)) < timedelta(seconds=1)


def test_exhaustion_on_a_chosen_window() -> None:
    timestamps, good, total = projection_series(14.4)
    good[-1] = total[-1]  # the last minute is clean: the 5m burn is 4/5 of the hour's
    result = status(make_slo(), timestamps, good, total, NOW, projection_window=5 * MINUTE)
    assert result.projection_window == 5 * MINUTE
    burn = result.burn_by_window[5 * MINUTE]
    assert burn == pytest.approx(14.4 * 4 / 5)
    assert result.minutes_to_exhaustion == pytest.approx(result.budget_remaining * 43_200 / burn)


def test_no_burn_never_exhausts() -> None:
    result = status(make_slo(), *projection_series(0.0), NOW)
    assert result.burn_by_window[HOUR] == 0.0
    assert result.minutes_to_exhaustion is None
    assert result.exhaustion_at is None
    assert not result.exhausted


def test_a_spent_budget_is_exhausted_now() -> None:
    result = status(make_slo(), *one_step(998_000, 1_000_000), NOW)
    assert result.exhausted
    assert result.minutes_to_exhaustion == 0.0
    assert result.exhaustion_at == NOW


@pytest.mark.parametrize(
    ("remaining", "period", "burn", "minutes"),
    [
        pytest.param(0.6, 30 * DAY, 14.4, 1800.0, id="60% of 30 days at 14.4x lasts 30 hours"),
        pytest.param(1.0, 30 * DAY, 1.0, 43_200.0, id="a full budget at 1x lasts the period"),
        pytest.param(0.5, 28 * DAY, 2.0, 10_080.0, id="half of 28 days at 2x lasts a week"),
        pytest.param(-0.1, 30 * DAY, 3.0, 0.0, id="overspent: exhausted now"),
        pytest.param(0.5, 30 * DAY, 0.0, None, id="no burn: never"),
    ],
)
def test_minutes_to_exhaustion(
    remaining: float, period: timedelta, burn: float, minutes: float | None
) -> None:
    assert minutes_to_exhaustion(remaining, period, burn) == (
        pytest.approx(minutes) if minutes is not None else None
    )


def test_a_projection_beyond_the_calendar_is_never() -> None:
    # One bad request in 10^15 over the last hour: burn 10^-12, the full budget lasts about
    # 4 x 10^16 minutes, far past year 9999.
    timestamps = np.array([(NOW - 10 * DAY).timestamp(), NOW.timestamp()])
    total = np.array([1e6, 1e15])
    result = status(make_slo(), timestamps, total - [0.0, 1.0], total, NOW)
    assert result.minutes_to_exhaustion is not None
    assert result.minutes_to_exhaustion > 1e15
    assert result.exhaustion_at is None


def test_calendar_month_projects_over_the_whole_month() -> None:
    slo = make_slo(window=Calendar("month", "Europe/Berlin"))
    now = utc(2024, 3, 15, 12)
    timestamps = minutes_until(now, 60)
    total = np.full(60, 1000.0)
    result = status(slo, timestamps, total - 1.0, total, now)  # burn 1 over the last hour
    assert result.period_start == utc(2024, 2, 29, 23)
    assert result.period_end == utc(2024, 3, 31, 22)
    assert result.burn_by_window[HOUR] == pytest.approx(1.0)
    assert result.budget_remaining == pytest.approx(0.0)
    assert result.exhausted


# --- Time slices ---------------------------------------------------------------------------


def test_timeslices_worked_example() -> None:
    # 30 days of one-minute slices at 99.9%: 0.001 x 43,200 = 43.2 bad minutes allowed;
    # 10 bad minutes leave 33.2.
    steps = 30 * 1440
    timestamps = minutes_until(NOW, steps)
    total = np.full(steps, 100.0)
    good = total.copy()
    good[::4320] = 50.0  # ten minutes at 50%
    slo = make_slo(budgeting="Timeslices", timeslice=MINUTE)
    result = status(slo, timestamps, good, total, NOW, slice_target=0.99)
    assert result.slices_in_period == steps
    assert result.slices_with_data == steps
    assert result.bad_slices == 10
    assert result.good_slices == steps - 10
    assert result.attainment == pytest.approx((steps - 10) / steps)
    assert result.budget_minutes_left == pytest.approx(33.2)
    assert result.budget_remaining == pytest.approx(1 - 10 / 43.2)
    assert result.period_burn == pytest.approx((1 - result.attainment) / 0.001)
    assert result.event_attainment == pytest.approx(1 - 500 / (100 * steps))


@pytest.mark.parametrize(
    ("budgeting", "achieved"),
    [
        pytest.param("Occurrences", 198 / 200, id="occurrences: 198 good of 200 events"),
        pytest.param(
            "Timeslices", 2 / 3, id="timeslices: the 98% slice misses 99%, the empty slice is good"
        ),
        pytest.param(
            "RatioTimeslices",
            (1 + 0.98 + 1) / 3,
            id="ratio timeslices: the mean of 100%, 98% and 100%",
        ),
    ],
)
def test_one_series_three_budgeting_methods(budgeting: Budgeting, achieved: float) -> None:
    # Three 5-minute slices of 1-minute steps: 100/100, 98/100 and 0/0 good/total.
    timestamps = minutes_until(NOW, 15)
    total = np.repeat([20.0, 20.0, 0.0], 5)
    good = total.copy()
    good[5:7] = 19.0
    slo = make_slo(window=Rolling(15 * MINUTE), budgeting=budgeting, timeslice=5 * MINUTE)
    result = status(slo, timestamps, good, total, NOW, slice_target=0.99)
    assert result.attainment == pytest.approx(achieved)


def test_slices_without_samples_are_left_out() -> None:
    # An hour of 1-minute slices, but data for only the last ten minutes (one of them bad).
    timestamps = minutes_until(NOW, 10)
    total = np.full(10, 10.0)
    good = total.copy()
    good[3] = 0.0
    slo = make_slo(window=Rolling(HOUR), budgeting="Timeslices", timeslice=MINUTE)
    result = status(slo, timestamps, good, total, NOW)
    assert result.slices_in_period == 60
    assert result.slices_with_data == 10
    assert result.attainment == pytest.approx(0.9)
    assert result.slice_target == 0.999  # the objective when no slice target is given


def test_the_slice_in_progress_is_left_out() -> None:
    # Two minutes into a 5-minute slice: the rolling hour (11:02, 12:02] holds the whole slices
    # from 11:05 to 12:00; (11:00, 11:05] and the slice in progress are left out.
    now = NOW + 2 * MINUTE
    timestamps = minutes_until(now, 62)
    total = np.full(62, 10.0)
    good = total.copy()
    good[-2:] = 0.0  # the two minutes of the slice in progress are bad
    slo = make_slo(window=Rolling(HOUR), budgeting="Timeslices", timeslice=5 * MINUTE)
    result = status(slo, timestamps, good, total, now)
    assert result.slices_with_data == 11
    assert result.bad_slices == 0
    assert result.burn_by_window[5 * MINUTE] > 0  # occurrences still see the errors


def test_slice_counts_group_steps_into_slices() -> None:
    start = NOW.timestamp()
    timestamps = start + 60.0 * np.arange(0, 11)  # the first one ends at start: not in a slice
    total = np.arange(11, dtype=np.float64)
    good, totals, samples = slice_counts(timestamps, total, total, start, start + 600, 300)
    assert totals.tolist() == [1 + 2 + 3 + 4 + 5, 6 + 7 + 8 + 9 + 10]
    assert samples.tolist() == [5, 5]
    assert good.tolist() == totals.tolist()


def test_timeslices_need_a_slice_length() -> None:
    with pytest.raises(ValueError, match="timeSliceWindow"):
        status(make_slo(budgeting="Timeslices"), *one_step(1, 1), NOW)


def test_calendar_timeslices_allow_bad_slices_over_the_whole_month() -> None:
    slo = make_slo(window=Calendar("month"), budgeting="Timeslices", timeslice=MINUTE)
    now = utc(2024, 4, 3)  # two days into a 30-day April
    timestamps = minutes_until(now, 2 * 1440)
    total = np.full(2 * 1440, 10.0)
    good = total.copy()
    good[:3] = 0.0
    result = status(slo, timestamps, good, total, now)
    assert result.slices_in_period == 30 * 1440
    assert result.budget_minutes_left == pytest.approx(43.2 - 3)
    assert result.budget_remaining == pytest.approx(1 - 3 / 43.2)


# --- Alert conditions ----------------------------------------------------------------------

PAGE_FAST, PAGE_SLOW, TICKET_FAST, TICKET_SLOW = default_conditions(30 * DAY)


def burns(**by_window: float) -> dict[timedelta, float]:
    names = {
        "m5": 5 * MINUTE,
        "m30": 30 * MINUTE,
        "h1": HOUR,
        "h2": 2 * HOUR,
        "h6": 6 * HOUR,
        "d1": DAY,
        "d3": 3 * DAY,
    }
    return {window: by_window.get(name, 0.0) for name, window in names.items()}


@pytest.mark.parametrize(
    ("burn_by_window", "holding"),
    [
        pytest.param(burns(), (), id="nothing burns: nothing holds"),
        pytest.param(
            burns(h1=20, m5=15), (PAGE_FAST,), id="20x over 1h and 15x over 5m: the fast page"
        ),
        pytest.param(
            burns(h1=20, m5=3), (), id="the errors stopped: the 5m window resets the page"
        ),
        pytest.param(burns(h1=14.4, m5=14.4), (), id="exactly at the factor does not fire"),
        pytest.param(burns(h6=7, m30=7), (PAGE_SLOW,), id="7x over 6h and 30m: the slow page"),
        pytest.param(
            burns(d1=4, h2=4, d3=4, h6=4),
            (TICKET_FAST, TICKET_SLOW),
            id="4x for days: both tickets",
        ),
        pytest.param(
            dict.fromkeys(SLI_WINDOWS, 20.0),
            (PAGE_FAST, PAGE_SLOW, TICKET_FAST, TICKET_SLOW),
            id="20x everywhere: everything",
        ),
    ],
)
def test_alert_conditions_holding(
    burn_by_window: dict[timedelta, float], holding: tuple[object, ...]
) -> None:
    assert alert_conditions_holding(make_slo(), burn_by_window) == holding


def test_alert_conditions_need_every_window() -> None:
    with pytest.raises(ValueError, match="no burn rate for window"):
        alert_conditions_holding(make_slo(), {HOUR: 20.0})


def test_status_burns_feed_the_alert_conditions() -> None:
    # Three clean days of 1,000 requests a minute, then an hour failing 2.88%: burn 28.8 over
    # 1h and 5m, but only 4.8 over 6h and 1.2 over 1d. Only the fast page holds.
    steps = 3 * 1440
    timestamps = minutes_until(NOW, steps)
    total = np.full(steps, 1000.0)
    good = total.copy()
    good[-60:] -= 28.8
    result = status(make_slo(), timestamps, good, total, NOW)
    assert result.burn_by_window[6 * HOUR] == pytest.approx(4.8)
    assert alert_conditions_holding(make_slo(), result.burn_by_window) == (PAGE_FAST,)


# --- Input checks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timestamps", "good", "total", "message"),
    [
        pytest.param([1, 2], [1], [1, 1], "one length", id="arrays of different lengths"),
        pytest.param([[1, 2]], [[1, 1]], [[1, 1]], "1-D", id="a 2-D array"),
        pytest.param([2, 1], [1, 1], [1, 1], "strictly increasing", id="timestamps going back"),
        pytest.param([1, 1], [1, 1], [1, 1], "strictly increasing", id="a repeated timestamp"),
        pytest.param([1, 2], [2, 1], [1, 1], "total >= good", id="more good than total"),
        pytest.param([1, 2], [-1, 1], [1, 1], "total >= good >= 0", id="negative counts"),
        pytest.param([1, 2], [float("nan"), 1], [1, 1], "finite", id="NaN counts"),
    ],
)
def test_bad_input_is_refused(
    timestamps: list[float] | list[list[float]],
    good: list[float] | list[list[float]],
    total: list[float] | list[list[float]],
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        status(make_slo(), timestamps, good, total, NOW)


def test_a_perfect_objective_is_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        status(make_slo(objective=1.0), *one_step(1, 1), NOW)


def test_no_samples_at_all() -> None:
    result = status(make_slo(), [], [], [], NOW)
    assert result.total_events == 0
    assert result.attainment == 1.0
    assert result.budget_remaining == 1.0
    assert result.exhaustion_at is None


def test_status_reports_in_utc() -> None:
    result = status(make_slo(), *one_step(1, 1), NOW.astimezone(ZoneInfo("Asia/Tokyo")))
    assert result.now == NOW
    assert result.now.tzinfo is UTC
    assert result.period_start.tzinfo is UTC


def test_status_is_frozen_and_comparable() -> None:
    first = status(make_slo(), *one_step(999_600, 1_000_000), NOW)
    second = status(make_slo(), *one_step(999_600, 1_000_000), NOW)
    assert first == second
    assert hash(first) == hash(second)
    with pytest.raises(AttributeError):
        first.attainment = 0.5  # type: ignore[misc]
    with pytest.raises(TypeError):
        first.burn_by_window[HOUR] = 1.0  # type: ignore[index]


# --- Properties -----------------------------------------------------------------------------

OBJECTIVES = st.sampled_from([0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999])


@st.composite
def counts(draw: st.DrawFn, max_steps: int = 200) -> Series:
    """Integer event counts per minute, ending at NOW, with good <= total."""
    steps = draw(st.integers(min_value=1, max_value=max_steps))
    total = np.array(
        draw(st.lists(st.integers(0, 10_000), min_size=steps, max_size=steps)), dtype=np.float64
    )
    shares = np.array(draw(st.lists(st.floats(0, 1), min_size=steps, max_size=steps)))
    good = np.floor(total * shares)
    return minutes_until(NOW, steps), good, total


@given(counts(), OBJECTIVES)
def test_budgets_add_up(series: Series, objective: float) -> None:
    result = status(make_slo(objective), *series, NOW)
    assume(result.total_events > 0)
    budget = result.error_budget
    assert result.budget_consumed + result.budget_remaining == pytest.approx(1.0)
    assert result.budget_consumed == pytest.approx(
        result.bad_events / (budget * result.total_events)
    )
    assert result.bad_events_left == pytest.approx(
        result.budget_remaining * budget * result.total_events, abs=1e-6
    )
    assert result.good_events + result.bad_events == result.total_events


@given(counts(), OBJECTIVES)
def test_attainment_and_burn_agree(series: Series, objective: float) -> None:
    result = status(make_slo(objective, window=Rolling(DAY)), *series, NOW)
    budget = result.error_budget
    assert result.period_burn == pytest.approx((1 - result.attainment) / budget, abs=1e-9)
    assert result.period_burn == pytest.approx(result.budget_consumed, abs=1e-9)
    assert result.burn_by_window[DAY] == pytest.approx(result.period_burn, abs=1e-9)  # rolling 1d
    assert 0.0 <= result.attainment <= 1.0


@given(counts(), OBJECTIVES)
def test_remaining_bad_events_are_never_negative_within_budget(
    series: Series, objective: float
) -> None:
    result = status(make_slo(objective), *series, NOW)
    if result.bad_events <= result.error_budget * result.total_events:
        assert result.bad_events_left >= 0
        assert result.budget_remaining >= 0
    else:
        assert result.bad_events_left < 0
        assert result.exhausted
        assert result.exhaustion_at == NOW


@given(counts(), st.integers(min_value=-5, max_value=205))
def test_splitting_a_period_in_two_keeps_its_attainment(series: Series, cut: int) -> None:
    timestamps, good, total = series
    start, end = timestamps[0] - 60, timestamps[-1]
    middle = NOW.timestamp() - 60 * cut
    halves_good, halves_total = window_counts(
        timestamps, good, total, [start, middle], [middle, end]
    )
    whole_good, whole_total = window_counts(timestamps, good, total, start, end)
    assert halves_good.sum() == whole_good  # integer counts add up exactly
    assert halves_total.sum() == whole_total
    halves = attainment(float(halves_good.sum()), float(halves_total.sum()))
    assert halves == attainment(float(whole_good), float(whole_total))
    assert whole_total == total.sum()


@given(
    counts(),
    st.lists(st.tuples(st.integers(-10, 210), st.integers(0, 220)), min_size=1, max_size=8),
)
def test_window_sums_match_a_plain_mask(series: Series, spans: list[tuple[int, int]]) -> None:
    timestamps, good, total = series
    now = NOW.timestamp()
    starts = np.array([now - 60 * (back + length) for back, length in spans], dtype=np.float64)
    ends = np.array([now - 60 * back for back, _ in spans], dtype=np.float64)
    sums_good, sums_total = window_counts(timestamps, good, total, starts, ends)
    for k, (lower, upper) in enumerate(zip(starts, ends, strict=True)):
        inside = (timestamps > lower) & (timestamps <= upper)
        assert sums_good[k] == good[inside].sum()
        assert sums_total[k] == total[inside].sum()


@given(counts(max_steps=120), st.sampled_from([1, 2, 5, 15]), st.floats(0.5, 1.0))
def test_slices_partition_the_whole_slices(series: Series, minutes: int, target: float) -> None:
    timestamps, good, total = series
    start, end = timestamps[0] - 60, timestamps[-1]
    slice_good, slice_total, samples = slice_counts(
        timestamps, good, total, start, end, 60 * minutes
    )
    whole = len(timestamps) // minutes
    assert len(slice_total) == whole
    assert slice_total.sum() == total[: whole * minutes].sum()
    assert samples.sum() == whole * minutes
    methods: tuple[Budgeting, ...] = ("Timeslices", "RatioTimeslices")
    for method in methods:
        tally = tally_slices(slice_good, slice_total, samples, target, method)
        assert tally.with_data == whole
        assert tally.good + tally.bad == pytest.approx(whole)
        assert 0.0 <= tally.attainment <= 1.0 + 1e-12
