"""The DORA figures of KPIS.md on hand-worked examples; the arithmetic is in the comments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ninefold.changes.dora import (
    Band,
    Deploy,
    Incident,
    Period,
    Tier,
    band,
    failure_tier,
    figures,
    lead_time_tier,
    recovery_tier,
)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


# 14 days from Monday 2026-03-02.
PERIOD = Period(at(2, 0), at(16, 0))
D1 = Deploy(1, "api", at(2, 10), commits=(at(1, 10), at(2, 8)))  # pairs 24 h, 2 h
D2 = Deploy(2, "api", at(3, 12), commits=(at(3, 11), at(3, 13)), rolled_back_at=at(3, 12, 30))
D3 = Deploy(3, "api", at(5, 9), hotfixed_at=at(5, 11))
D4 = Deploy(4, "api", at(5, 11), commits=(at(5, 10, 30),), hotfix=True)
D5 = Deploy(5, "api", at(10, 15), fixes_incident=7, caused_incidents=(9,))
BEFORE = Deploy(0, "api", at(28, 12, month=2))
AFTER = Deploy(6, "api", at(20, 12))
INCIDENTS = (
    Incident(7, "api", at(10, 14), resolved_at=at(10, 16)),  # open when D5 finished
    Incident(9, "api", at(10, 15, 30), resolved_at=at(10, 18)),  # caused by D5 (explicit)
)
ALL = (BEFORE, D1, D2, D3, D4, D5, AFTER)


def test_the_six_figures_of_a_fortnight() -> None:
    f = figures(PERIOD, ALL, INCIDENTS)
    # D1-D5 finished in the period; D0 and D6 did not.
    assert f.deploys == 5
    assert f.per_day == pytest.approx(5 / 14)
    assert f.per_week == pytest.approx(2.5)
    # Week 1 has deploys on 03-02, 03-03, 03-05 (3 days), week 2 on 03-10 (1): median 2.
    assert f.band is Band.WEEKLY
    # Pairs: 24 h, 2 h, 1 h, 30 min (D2's commit at 13:00 came after it finished: left out).
    # Sorted 1800, 3600, 7200, 86400 s: median (3600 + 7200) / 2 = 5400 s.
    assert f.lead_time_pairs == 4
    assert f.lead_time_seconds == 5400
    # Failed: D2 rolled back, D3 named by a hotfix, D5 caused incident 9: 3 / 5.
    assert f.failed == 3
    assert f.change_failure_rate == pytest.approx(0.6)
    assert f.rollback_rate == pytest.approx(0.2)
    # Recovery: D2 30 min (rollback), D3 2 h (hotfix), D5 3 h (incident 9 resolved 18:00).
    assert f.recovered == 3
    assert f.recovery_seconds == 7200
    # Rework: D4 is a hotfix; D5 fixes incident 7, open at its finish: 2 / 5.
    assert f.reworked == 2
    assert f.rework_rate == pytest.approx(0.4)


def test_an_incident_links_to_the_last_deploy_of_its_service_or_a_dependency() -> None:
    # web depends on api; its incident starts 03-05 20:00: the deploys of api in the 24 h
    # before are D3 (09:00) and D4 (11:00); the last one, D4, caused it.
    web = Incident(11, "web", at(5, 20), resolved_at=at(5, 21))
    f = figures(PERIOD, (D3, D4), (web,), depends_on={"web": ["api"]})
    # D3 is named by a hotfix (D4); D4 is linked by the rule: both failed.
    assert f.failed_ids == (3, 4)
    # Recovery: D3 by its hotfix, 2 h; D4 when the incident resolved, 21:00 - 11:00 = 10 h;
    # median (2 + 10) / 2 = 6 h.
    assert f.recovery_seconds == 6 * 3600
    # Without the dependency nothing links web's incident to api's deploys.
    assert figures(PERIOD, (D3, D4), (web,)).failed_ids == (3,)


def test_an_incident_without_a_deploy_in_the_window_links_to_none() -> None:
    # Impact starts exactly 24 h after D1: the window is [03-02 10:00, 03-03 10:00) and D1
    # finished at its start, so it is in; one second later it is out.
    inside = Incident(12, "api", at(3, 10), resolved_at=at(3, 11))
    outside = Incident(13, "api", at(3, 10) + timedelta(seconds=1), resolved_at=at(3, 11))
    assert figures(PERIOD, (D1,), (inside,)).failed == 1
    assert figures(PERIOD, (D1,), (outside,)).failed == 0


def test_an_explicit_link_wins_over_the_rule() -> None:
    named = Incident(14, "api", at(5, 12), resolved_at=at(5, 13), names_deploy=1)
    f = figures(PERIOD, (D1, D4), (named,))
    # The rule would have picked D4 (11:00, before 12:00); the incident names D1.
    assert f.failed == 1
    assert f.recovery_seconds == (at(5, 13) - at(2, 10)).total_seconds()


def test_no_deploys_is_no_data_not_zero() -> None:
    f = figures(PERIOD, ())
    assert f.deploys == 0
    assert f.per_week == 0
    assert f.band is Band.FEWER
    assert f.lead_time_seconds is None
    assert f.change_failure_rate is None
    assert f.recovery_seconds is None
    assert f.rework_rate is None


def test_bands_on_demand_weekly_monthly_and_fewer() -> None:
    # Three 7-day windows in a 21-day period from 03-02.
    three_weeks = Period(at(2, 0), at(23, 0))
    daily = [at(d, 12) for d in (2, 3, 4, 9, 10, 11, 16, 17, 18)]  # 3 days in each window
    assert band(three_weeks, daily) is Band.ON_DEMAND
    assert band(three_weeks, [at(d, 12) for d in (2, 3, 9, 10)]) is Band.WEEKLY  # 2, 2, 0
    # A quarter (Jan-Mar): 13 windows, never a deploy in most; one deploy day a month.
    quarter = Period(at(1, 0, month=1), at(1, 0, month=4))
    monthly = [at(15, 12, month=m) for m in (1, 2, 3)]
    assert band(quarter, monthly) is Band.MONTHLY
    # Deploy days per month 2, 0, 0: median 0.
    assert band(quarter, [at(5, 12, month=1), at(6, 12, month=1)]) is Band.FEWER


def test_the_last_window_is_shorter() -> None:
    # 10 days: windows [03-02, 03-09) and [03-09, 03-12). Deploy days 1 and 3: median 2.
    ten_days = Period(at(2, 0), at(12, 0))
    assert band(ten_days, [at(2, 1), at(9, 1), at(10, 1), at(11, 1)]) is Band.WEEKLY


def test_tiers_of_dora_2024() -> None:
    hour, day = 3600.0, 86_400.0
    assert lead_time_tier(23 * hour) is Tier.ELITE
    assert lead_time_tier(day) is Tier.HIGH
    assert lead_time_tier(8 * day) is Tier.MEDIUM
    assert lead_time_tier(31 * day) is Tier.LOW
    assert lead_time_tier(None) is None
    assert recovery_tier(59 * 60) is Tier.ELITE
    assert recovery_tier(5 * hour) is Tier.HIGH
    assert recovery_tier(2 * day) is Tier.MEDIUM
    assert recovery_tier(8 * day) is Tier.LOW
    assert failure_tier(0.05) is Tier.ELITE
    assert failure_tier(0.075) is Tier.ELITE
    assert failure_tier(0.10) is Tier.MEDIUM
    assert failure_tier(0.20) is Tier.HIGH
    assert failure_tier(0.40) is Tier.LOW
    assert failure_tier(None) is None


def test_the_previous_period_is_as_long_and_ends_where_this_starts() -> None:
    assert PERIOD.previous() == Period(at(16, 0, month=2), at(2, 0))
    assert figures(PERIOD.previous(), ALL).deploys == 1  # D0
