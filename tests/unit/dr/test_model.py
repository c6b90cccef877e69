"""DR tests judged against their targets, DR readiness per tier and each service's standing
against its tier's interval, on records made here."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from ninefold.dr import model
from ninefold.dr.schemas import DrTestIn, DrTierSpec, seconds_of

M = timedelta(minutes=1)
TIER0 = model.DEFAULT_POLICIES[0]


def drill(
    n: int, ran_on: date, rto: int, rpo: int, *, tier: int = 0, services: tuple[str, ...] = ("db",)
) -> model.Drill:
    """Targets 60 min RTO, 15 min RPO; `rto` and `rpo` measured, in minutes."""
    return model.Drill(n, tier, services, ran_on, 60 * M, 15 * M, rto * M, rpo * M)


@pytest.mark.parametrize(
    ("rto", "rpo", "passed"),
    [(60, 15, True), (59, 0, True), (61, 0, False), (10, 16, False), (61, 16, False)],
)
def test_a_test_passes_when_both_measures_are_within_their_targets(
    rto: int, rpo: int, passed: bool
) -> None:
    assert drill(1, date(2026, 11, 1), rto, rpo).passed is passed


def test_readiness_per_tier_counts_the_tests_run_in_the_period() -> None:
    tests = [
        drill(1, date(2026, 10, 31), 10, 0),  # before the period
        drill(2, date(2026, 11, 1), 10, 0),
        drill(3, date(2026, 11, 15), 90, 0),
        drill(4, date(2026, 11, 30), 10, 0, tier=2),
        drill(5, date(2026, 12, 1), 90, 0, tier=2),  # the end is exclusive
    ]
    found = model.readiness_by_tier(tests, date(2026, 11, 1), date(2026, 12, 1))
    assert [(r.tier, r.tests, r.passed, r.value) for r in found] == [
        (0, 2, 1, 0.5),
        (2, 1, 1, 1.0),
    ]
    assert model.readiness_by_tier(tests, date(2025, 1, 1), date(2025, 2, 1)) == []


def test_a_service_is_overdue_once_its_last_pass_is_older_than_its_interval() -> None:
    today = date(2026, 12, 6)
    passed_long_ago = drill(1, today - timedelta(days=91), 10, 0)
    failed_recently = drill(2, today - timedelta(days=3), 90, 0)
    found = model.service_status("db", 0, TIER0, [passed_long_ago, failed_recently], today)
    assert found == model.ServiceStatus(
        "db", 0, today - timedelta(days=3), today - timedelta(days=91),
        today - timedelta(days=1), overdue=True,
    )  # fmt: skip
    on_the_day = model.service_status("db", 0, TIER0, [passed_long_ago], today - timedelta(days=1))
    assert (on_the_day.due, on_the_day.overdue) == (today - timedelta(days=1), False)


def test_a_service_never_tested_is_overdue_unless_its_tier_requires_none() -> None:
    today = date(2026, 12, 6)
    other = drill(1, today, 10, 0, services=("cache",))
    assert model.service_status("db", 0, TIER0, [other], today).overdue is True
    tier3 = model.policy_of([], 3)
    assert model.service_status("db", 3, tier3, [], today) == model.ServiceStatus(
        "db", 3, None, None, None, overdue=False
    )


def test_a_declared_policy_replaces_the_built_in_one_of_its_tier_only() -> None:
    mine = model.TierPolicy(1, 30 * M, 5 * M, timedelta(days=30))
    assert model.policy_of([mine], 1) is mine
    assert model.policy_of([mine], 0) == TIER0


def test_a_test_is_held_to_its_most_critical_service() -> None:
    assert model.tier_of([2, 0, 3]) == 0


BASE = {"scenario": "db lost", "kind": "failover", "services": ["db"], "rto_measured": "45m",
        "rpo_measured": "0s"}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"rto_measured": "45"}, "'45' has no unit"),
        ({"rpo_target": "15"}, "'15' has no unit"),
        ({"rto_target": "-5m"}, "malformed duration"),
        ({"rto_measured": "11000d"}, "more than ten years"),
        ({"kind": "drill"}, "'tabletop', 'failover', 'restore' or 'full'"),
        ({"services": []}, "at least 1 item"),
        ({"evidence": ["javascript:alert(1)"]}, "http:// or https://"),
    ],
)
def test_a_test_without_units_or_out_of_range_is_refused_saying_why(
    change: dict[str, object], says: str
) -> None:
    with pytest.raises(ValidationError, match=says):
        DrTestIn.model_validate(BASE | change)


def test_measures_are_kept_in_their_shortest_spelling_and_zero_is_allowed() -> None:
    found = DrTestIn.model_validate(BASE | {"rto_measured": "90m", "rpo_measured": "0m"})
    assert (found.rto_measured, found.rpo_measured) == ("90m", "0s")
    assert seconds_of(found.rto_measured) == 5400
    assert seconds_of(DrTestIn.model_validate(BASE | {"rto_measured": "120m"}).rto_measured) == 7200
    with pytest.raises(ValidationError, match="malformed duration '0m'"):
        DrTierSpec.model_validate({"tier": 0, "rto": "0m", "rpo": "5m"})


def test_a_tier_policy_is_named_after_its_tier() -> None:
    spec = DrTierSpec.model_validate({"tier": 1, "rto": "4h", "rpo": "60m", "test_every": "180d"})
    assert (spec.name, spec.rpo) == ("tier-1", "1h")
    with pytest.raises(ValidationError, match="less than or equal to 3"):
        DrTierSpec.model_validate({"tier": 4, "rto": "4h", "rpo": "1h"})
