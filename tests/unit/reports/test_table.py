"""The KPI table: a figure, the one of the period before, the change, the target."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from ninefold.capacity.model import Reading, Series
from ninefold.changes.dora import Deploy, Period
from ninefold.changes.dora import Incident as DoraIncident
from ninefold.dr.model import Drill
from ninefold.incidents.model import Instants, Severity
from ninefold.reports.catalogue import Target
from ninefold.reports.incident_kpis import IncidentRecord
from ninefold.reports.table import Loaded, Row, change, of_severity, periods_ending, rows
from ninefold.runbooks.model import Kept, PagedRule
from ninefold.toil.model import Entry as ToilEntry
from ninefold.toil.model import Run

MARCH = Period(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 29, tzinfo=UTC))  # 4 weeks


def recovered(id_: int, service: str, start: datetime, minutes: int) -> IncidentRecord:
    end = start + timedelta(minutes=minutes)
    instants = Instants(declared=start, impact_start=start, detected=start, mitigated=end,
                        resolved=end, impact_end=end)  # fmt: skip
    return IncidentRecord(id_, Severity.SEV2, (service,), None, instants)


FEB = datetime(2026, 2, 10, 9, tzinfo=UTC)  # in the 4 weeks before March
LOADED = Loaded(
    incidents=[
        recovered(1, "checkout", FEB, 100),
        recovered(2, "checkout", datetime(2026, 3, 3, 9, tzinfo=UTC), 80),
        recovered(3, "search", datetime(2026, 3, 4, 9, tzinfo=UTC), 40),
    ]
)


def by_key(found: list[Row]) -> dict[str, Row]:
    return {row.kpi.key: row for row in found}


def test_mttr_against_the_period_before_and_its_target_of_down_15_percent() -> None:
    """All services: March (2 and 3) mean 60 against February's 100: -40%, meets. checkout
    alone: 80 against 100, -20%, meets; a target of -25% it does not."""
    everything = by_key(rows(LOADED, MARCH))["mttr"]
    assert (everything.value, everything.previous, everything.change) == (60.0, 100.0, -0.4)
    assert everything.meets is True
    assert everything.counted == (2, 3)
    checkout = by_key(rows(LOADED.narrowed({"checkout"}), MARCH))["mttr"]
    assert (checkout.value, checkout.change, checkout.meets) == (80.0, -0.2, True)
    strict = {"mttr": Target(change_at_most=-0.25)}
    assert by_key(rows(LOADED.narrowed({"checkout"}), MARCH, strict))["mttr"].meets is False


def test_no_data_is_none_and_meets_nothing() -> None:
    """No alert groups: no ack time, no target met or missed; no incidents of payments."""
    found = by_key(rows(LOADED, MARCH))
    assert (found["mtta_p50"].value, found["mtta_p50"].meets) == (None, None)
    payments = by_key(rows(LOADED.narrowed({"payments"}), MARCH))
    assert (payments["mttr"].value, payments["incident_rate"].value) == (None, 0.0)


def test_the_incident_rate_is_per_week_of_the_period() -> None:
    """Two incidents in four weeks: 0.5 a week; the period before had one: 0.25; +100%."""
    rate = by_key(rows(LOADED, MARCH))["incident_rate"]
    assert (rate.value, rate.previous, rate.change, rate.meets) == (0.5, 0.25, 1.0, False)


def test_change_is_relative_and_undefined_from_zero() -> None:
    assert change(90.0, 100.0) == -0.1
    assert change(5.0, 0.0) is None
    assert change(None, 3.0) is None


def test_a_ratio_row_names_the_records_of_its_numerator() -> None:
    """Incidents 1 and 2 are both capacity on checkout, 21 days apart: 2 recurs."""
    capacity = Loaded(
        incidents=[
            IncidentRecord(**{**i.__dict__, "category": "capacity"})
            for i in LOADED.incidents
            if "checkout" in i.services
        ]
    )
    row = by_key(rows(capacity, MARCH))["recurrence_rate"]
    assert (row.counted, row.hits, row.value) == ((2,), (2,), 1.0)


def test_a_rows_history_runs_over_equal_periods_ending_with_this_one() -> None:
    """Four 4-week periods ending with March: from 2025-12-07 and 2026-01-04 (no incident: no
    data), 2026-02-01 (incident 1: 100 min), March (60 min)."""
    starts = [p.start.date().isoformat() for p in periods_ending(MARCH, 4)]
    assert starts == ["2025-12-07", "2026-01-04", "2026-02-01", "2026-03-01"]
    mttr = by_key(rows(LOADED, MARCH, history=4))["mttr"]
    assert mttr.history == (None, None, 100.0, 60.0)
    assert by_key(rows(LOADED, MARCH))["mttr"].history == (100.0, 60.0)


def test_a_selections_incident_repeats_an_incident_of_a_service_it_shares_outside_it() -> None:
    """Incident 11 (SEV2, checkout and payments, software-bug, 5 March) repeats 10 (payments
    alone, software-bug, 20 February). Narrowed to checkout, 10 is not selected, yet 11
    still recurs: 1 of 1. By severity too: 10 is SEV3, and recurrence looks at any."""
    earlier = replace(recovered(10, "payments", FEB + timedelta(days=10), 30),
                      category="software-bug", severity=Severity.SEV3)  # fmt: skip
    later = replace(recovered(11, "checkout", datetime(2026, 3, 5, tzinfo=UTC), 30),
                    services=("checkout", "payments"), category="software-bug")  # fmt: skip
    loaded = Loaded(incidents=[earlier, later])
    for narrowed in (loaded.narrowed({"checkout"}), of_severity(loaded, Severity.SEV2)):
        row = by_key(rows(narrowed, MARCH))["recurrence_rate"]
        assert (row.value, row.hits) == (1.0, (11,))


def test_a_selections_deploys_are_judged_on_links_made_over_every_deploy() -> None:
    """web depends on db. web deployed at 09:00, db at 10:00; an incident on web at 11:00 is
    linked to the last deploy of web or db before it: db's. Narrowed to web, web's deploy did
    not fail: change failure rate 0 of 1, not 1 of 1."""
    day = datetime(2026, 3, 3, tzinfo=UTC)
    loaded = Loaded(
        deploys=[Deploy(1, "web", day.replace(hour=9)), Deploy(2, "db", day.replace(hour=10))],
        dora_incidents=[DoraIncident(7, "web", day.replace(hour=11), day.replace(hour=12))],
        depends_on={"web": ["db"]},
    )
    web = by_key(rows(loaded.narrowed({"web"}), MARCH))["change_failure_rate"]
    assert (web.value, web.counted) == (0.0, (1,))
    db = by_key(rows(loaded.narrowed({"db"}), MARCH))["change_failure_rate"]
    assert db.value == 1.0


def test_an_incident_just_after_the_period_belongs_to_a_deploy_just_after_it() -> None:
    """web deployed on 28 March 23:00 (in March) and 29 March 00:30 (after it); an incident
    at 01:00 is the later deploy's: March's deploy did not fail."""
    deploys = [Deploy(1, "web", MARCH.end - timedelta(hours=1)),
               Deploy(2, "web", MARCH.end + timedelta(minutes=30))]  # fmt: skip
    incident = DoraIncident(7, "web", MARCH.end + timedelta(hours=1), None)
    loaded = Loaded(deploys=deploys, dora_incidents=[incident])
    row = by_key(rows(loaded, MARCH))["change_failure_rate"]
    assert (row.value, row.counted) == (0.0, (1,))


def test_runbook_kpis_read_the_runbooks_and_rules_of_each_period_end() -> None:
    """March: 3 rules paged in the 90 days before its end, 2 covered (checkout's alert, and
    DiskFull of no service); of 2 runbooks on March 29, checkout's (tested March 1, 90 days)
    is fresh and search's (tested February 20, 30 days: to March 22) is not. February's end: one rule,
    no runbook yet."""
    feb_end = MARCH.start
    checkout = Kept("checkout", "checkout", ("Slow", "DiskFull"), 90, date(2026, 3, 1), None)
    search = Kept("search", "search", ("Lag",), 30, date(2026, 2, 20), None)
    march_rules = (
        PagedRule("Slow", "checkout", 0, 5),
        PagedRule("DiskFull", None, None, 2),
        PagedRule("Lag", "kafka", 1, 9),
    )
    loaded = Loaded(
        runbooks={MARCH.end: (checkout, search), feb_end: ()},
        paged_rules={MARCH.end: march_rules, feb_end: (PagedRule("Slow", "checkout", 0, 1),)},
    )
    found = by_key(rows(loaded, MARCH))
    coverage, freshness = found["runbook_coverage"], found["runbook_freshness"]
    assert (coverage.value, coverage.previous) == (2 / 3, 0.0)
    assert coverage.hits == ("Slow/checkout", "DiskFull/-")
    assert coverage.details["tier_0_1"] == 1 / 2  # Slow (tier 0) covered, Lag (tier 1) not
    assert (freshness.value, freshness.previous, freshness.hits) == (0.5, None, ("checkout",))
    narrowed = by_key(rows(loaded.narrowed({"search", "kafka"}), MARCH))
    assert narrowed["runbook_coverage"].value == 0.0
    assert narrowed["runbook_freshness"].counted == ("search",)
    # Read while March runs (March 10), search's runbook is still fresh.
    early = by_key(rows(replace(loaded, now=datetime(2026, 3, 10, tzinfo=UTC)), MARCH))
    assert early["runbook_freshness"].value == 1.0


def test_toil_kpis_of_the_selections_teams() -> None:
    """March (4 weeks to the 29th): platform (2 people) has 2 x 40 h x 4 = 320 h of
    capacity, payments (1) 160 h. Platform logged 16 h (the entry of the 29th belongs to the
    next period), payments 8 h: 24 / 480. Automation saved 3 h: 3 x 30 / 28 per month."""
    toil = [
        ToilEntry(1, "platform", "ana", "certs", "certificates", 600, date(2026, 3, 2)),
        ToilEntry(2, "platform", "bo", "access", "access", 360, date(2026, 3, 28)),
        ToilEntry(3, "platform", "bo", "access", "access", 600, date(2026, 3, 29)),
        ToilEntry(4, "payments", "cy", "refunds", "refunds", 480, date(2026, 3, 10)),
    ]
    runs = [
        Run("certs", "certificates", "platform", datetime(2026, 3, 5, tzinfo=UTC), 2.0),
        Run("bot", "access", "payments", datetime(2026, 3, 6, tzinfo=UTC), 1.0),
        Run("bot", "access", "payments", datetime(2026, 2, 6, tzinfo=UTC), 1.0),
    ]
    loaded = Loaded(
        toil=toil,
        runs=runs,
        teams={"platform": 2, "payments": 1},
        service_teams={"checkout": "payments", "postgres": "platform"},
    )
    found = by_key(rows(loaded, MARCH))
    assert found["toil_ratio"].value == pytest.approx(24 / 480)
    assert found["toil_ratio"].counted == (4, 1, 2)
    assert found["toil_ratio"].details["team:platform"] == pytest.approx(16 / 320)
    assert found["automation_savings"].value == pytest.approx(3 * 30 / 28)
    assert found["automation_savings"].previous == pytest.approx(1 * 30 / 28)
    payments = by_key(rows(loaded.narrowed({"checkout"}), MARCH))
    assert payments["toil_ratio"].value == pytest.approx(8 / 160)
    assert payments["automation_savings"].value == pytest.approx(30 / 28)
    team = by_key(rows(loaded.narrowed({"checkout"}, team="platform"), MARCH))
    assert team["toil_ratio"].value == pytest.approx(16 / 320)


def test_dr_readiness_of_the_tests_run_in_the_period_per_tier() -> None:
    """March's tests (the 29th belongs to the next period): tier 0 passed 1 of 2, tier 2
    passed its 1; February's failed test is the period before's."""
    m = timedelta(minutes=1)

    def drill(n: int, day: date, tier: int, services: tuple[str, ...], rto: int) -> Drill:
        return Drill(n, tier, services, day, 30 * m, 5 * m, rto * m, 0 * m)

    loaded = Loaded(
        drills=[
            drill(1, date(2026, 3, 3), 0, ("checkout", "cart"), 25),
            drill(2, date(2026, 3, 20), 0, ("postgres",), 45),
            drill(3, date(2026, 3, 21), 2, ("search",), 30),
            drill(4, date(2026, 3, 29), 0, ("postgres",), 20),
            drill(5, date(2026, 2, 10), 0, ("checkout",), 90),
        ]
    )
    found = by_key(rows(loaded, MARCH))["dr_readiness"]
    assert (found.value, found.previous) == (pytest.approx(2 / 3), 0.0)
    assert (found.counted, found.hits) == ((1, 2, 3), (1, 3))
    assert (found.details["tier:0"], found.details["tier:2"]) == (0.5, 1.0)
    assert "tier:1" not in found.details
    cart = by_key(rows(loaded.narrowed({"cart"}), MARCH))["dr_readiness"]
    assert (cart.value, cart.counted) == (1.0, (1,))


def test_capacity_kpis_of_the_resources_series() -> None:
    """March's points of each resource: the tightest headroom; the forecast error of the last
    season before each period's end (a series whose pattern repeats exactly is forecast
    almost exactly, seasonal naive exactly); a resource that could not be read, left out."""
    step, start = 3600, MARCH.start.timestamp() - 10 * 86400
    times = start + step * np.arange(24 * 45, dtype=np.float64)  # 45 days to mid-April
    pattern = 50 + 10 * np.sin(2 * np.pi * np.arange(24 * 45) / 24)
    steady = Series(times, pattern, step)
    busy = Series(times, pattern + 30, step)
    loaded = Loaded(
        capacity=[
            Reading("db-disk", "postgres", 100, 24, steady),
            Reading("web-cpu", "checkout", 100, 24, busy),
            Reading("queue", "checkout", 100, 24, None, "Prometheus at http://p is unreachable"),
        ]
    )
    found = by_key(rows(loaded, MARCH))
    in_march = (times >= MARCH.start.timestamp()) & (times < MARCH.end.timestamp())
    expected = (100 - np.percentile(pattern[in_march] + 30, 95)) / 100
    headroom = found["capacity_headroom"]
    assert headroom.value == pytest.approx(expected)
    assert headroom.counted == ("db-disk", "web-cpu")
    assert headroom.details["resource:db-disk"] == pytest.approx(expected + 0.3)
    assert [(left.ref, left.why) for left in headroom.left_out] == [
        ("queue", "Prometheus at http://p is unreachable")
    ]
    accuracy = found["forecast_accuracy"]
    assert accuracy.value is not None
    assert accuracy.value < 0.01
    assert accuracy.details["seasonal_naive"] == pytest.approx(0.0, abs=1e-9)
    # February's end leaves 10 days of points before it: enough for three seasons.
    assert accuracy.previous is not None
    only = by_key(rows(loaded.narrowed({"postgres"}), MARCH))["capacity_headroom"]
    assert only.counted == ("db-disk",)


def test_monitoring_coverage_of_the_tier_0_and_1_services_now() -> None:
    """Checkout (tier 0) and cart (tier 1) are monitored, payments (tier 0) not, search (tier
    2) does not count; a period over before the table is read has no figure."""
    loaded = Loaded(
        monitored={
            "checkout": (0, True),
            "payments": (0, False),
            "cart": (1, True),
            "search": (2, False),
        },
        now=MARCH.end,
    )
    found = by_key(rows(loaded, MARCH))["monitoring_coverage"]
    assert (found.value, found.previous) == (pytest.approx(2 / 3), None)
    assert (found.counted, found.hits) == (("cart", "checkout", "payments"), ("cart", "checkout"))
    payments = by_key(rows(loaded.narrowed({"payments", "search"}), MARCH))["monitoring_coverage"]
    assert payments.value == 0.0
