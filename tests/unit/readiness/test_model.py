"""Readiness rules on facts made here, the level a service reaches (every rule of it and of
the levels below passing) and the level its tier requires; the rubric's section refused
with what is wrong."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from pydantic import ValidationError

from ninefold.readiness import model
from ninefold.readiness.schemas import LevelSpec

READY = model.Facts(
    service="checkout",
    tier=0,
    owner="payments",
    owner_members=2,
    schedules={"payments-primary": 0},
    slos={"availability": True},
    dashboards=1,
    dr_due=date(2027, 1, 1),
    dr_last_pass=date(2026, 10, 3),
)


def why(facts: model.Facts, rule: str) -> tuple[bool, str]:
    found = model.BY_KEY[rule].check(facts)
    return found.passed, found.why


def test_a_service_with_everything_in_place_reaches_gold() -> None:
    card = model.scorecard(READY, model.DEFAULT_LEVELS)
    assert (card.level, card.required, card.meets_required, card.failing) == (
        "gold", "gold", True, (),
    )  # fmt: skip
    assert [c.rule.key for c in card.checks][:3] == ["owner", "dashboard", "slo"]


@pytest.mark.parametrize(
    ("change", "rule", "says"),
    [
        ({"owner_members": 0}, "owner", "its owning team payments has no members"),
        ({"schedules": {}}, "on_call", "team payments has no on-call schedule"),
        ({"schedules": {"a": 5, "b": 2}}, "on_call", "b leaves 2 h uncovered in the next 14 days"),
        ({"slos": {}}, "slo", "no SLO in slos/"),
        ({"slos": {"latency": False, "availability": True}}, "burn_rate_alerts",
         "burn-rate page turned off for latency"),
        ({"uncovered_rules": ("KafkaLag", "DiskFull")}, "runbooks",
         "paged without a runbook: KafkaLag, DiskFull"),
        ({"dashboards": 0}, "dashboard", "no dashboard link in the catalog"),
        ({"dr_last_pass": None, "dr_overdue": True}, "dr_test", "never passed a DR test"),
        ({"dr_overdue": True, "dr_due": date(2026, 11, 1)}, "dr_test",
         "last passing DR test 2026-10-03, was due again by 2026-11-01"),
        ({"late_postmortems": (4, 9)}, "postmortems_on_time",
         "postmortems not reviewed by their deadline: incidents #4, #9"),
        ({"overdue_sev1_items": (12,)}, "no_overdue_sev1_action_items",
         "overdue action items of SEV1 incidents: #12"),
    ],
)  # fmt: skip
def test_each_rule_fails_saying_what_it_found(
    change: dict[str, object], rule: str, says: str
) -> None:
    assert why(replace(READY, **change), rule) == (False, says)  # type: ignore[arg-type]
    assert why(READY, rule)[0] is True


def test_a_passing_rule_says_why_too() -> None:
    assert why(READY, "on_call") == (True, "payments-primary covers the next 14 days without a gap")
    tier3 = replace(READY, tier=3, dr_due=None, dr_last_pass=None)
    assert why(tier3, "dr_test") == (True, "tier 3 requires no DR test")


def test_a_level_is_reached_only_when_every_rule_of_it_and_below_passes() -> None:
    no_dashboard = model.scorecard(replace(READY, dashboards=0), model.DEFAULT_LEVELS)
    # Silver's and gold's rules all pass, but bronze's does not: no level at all.
    assert (no_dashboard.level, no_dashboard.meets_required) == (None, False)
    assert [c.rule.key for c in no_dashboard.failing] == ["dashboard"]
    late = model.scorecard(replace(READY, late_postmortems=(3,)), model.DEFAULT_LEVELS)
    assert (late.level, late.meets_required) == ("silver", False)
    tier1 = model.scorecard(replace(READY, tier=1, late_postmortems=(3,)), model.DEFAULT_LEVELS)
    assert (tier1.level, tier1.required, tier1.meets_required) == ("silver", "silver", True)
    tier3 = model.scorecard(replace(READY, tier=3, dashboards=0), model.DEFAULT_LEVELS)
    assert (tier3.required, tier3.meets_required) == (None, True)


def test_the_required_level_is_the_highest_naming_the_tier() -> None:
    levels = (
        model.Level("basic", ("owner",), (0, 1)),
        model.Level("launch", ("slo",), (0,)),
    )
    assert model.required_level(levels, 0) == "launch"
    assert model.required_level(levels, 1) == "basic"
    assert model.required_level(levels, 2) is None
    assert model.at_least("launch", "basic", ("basic", "launch")) is True
    assert model.at_least(None, "basic", ("basic", "launch")) is False


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ({"name": "gold", "rules": ["ownr"]}, "unknown rule 'ownr'; the rules are: owner, "),
        ({"name": "gold", "rules": []}, "at least 1 item"),
        ({"name": "gold", "rules": ["owner"], "required_for_tiers": [4]}, "less than or equal"),
        ({"name": "gold", "rules": ["owner"], "tiers": [0]}, "Extra inputs"),
    ],
)
def test_a_level_spec_is_refused_saying_what_is_wrong(spec: dict[str, object], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        LevelSpec.model_validate(spec)
