"""Declare rules, table by table: each condition alone, together, and the first rule winning."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ninefold.incidents.rules import GroupFacts, first_match, horizon, matches
from ninefold.incidents.schemas import DeclareRuleSpec

OPENED = datetime(2026, 5, 4, 3, 0, tzinfo=UTC)
TIER0_PAGE = DeclareRuleSpec.model_validate(
    {"name": "tier0", "when": {"unacknowledged_minutes": 15, "tiers": [0]}, "severity": "SEV2"}
)
SLO_PAGE = DeclareRuleSpec.model_validate(
    {"name": "slo", "when": {"slo_alert": True, "severities": ["page"]}, "severity": "SEV3"}
)
GROUP = GroupFacts(
    id=1,
    service="checkout",
    tier=0,
    severity="critical",
    slo=False,
    opened_at=OPENED,
    acknowledged=False,
    paged=True,
)


@pytest.mark.parametrize(
    ("minutes", "change", "declared"),
    [
        (15, {}, True),  # exactly 15 minutes unacknowledged
        (14.9, {}, False),  # not yet
        (60, {"acknowledged": True}, False),  # someone took it
        (60, {"paged": False}, False),  # held by a silence: nobody was paged
        (60, {"tier": 1}, False),
        (60, {"tier": None}, False),  # a group of no known service has no tier
    ],
)
def test_an_unacknowledged_page_on_a_tier_0_service(
    minutes: float, change: dict[str, object], declared: bool
) -> None:
    now = OPENED + timedelta(minutes=minutes)
    assert matches(TIER0_PAGE, replace(GROUP, **change), now) is declared  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "declared"),
    [
        ({"slo": True, "severity": "page"}, True),
        ({"slo": True, "severity": "ticket"}, False),
        ({"slo": False, "severity": "page"}, False),
        ({"slo": True, "severity": "page", "acknowledged": True}, True),  # no wait asked
    ],
)
def test_an_slo_page(change: dict[str, object], declared: bool) -> None:
    assert matches(SLO_PAGE, replace(GROUP, **change), OPENED) is declared  # type: ignore[arg-type]


def test_the_first_matching_rule_in_order_wins_and_services_narrow() -> None:
    group = replace(GROUP, slo=True, severity="page")
    later = OPENED + timedelta(minutes=20)
    assert first_match([TIER0_PAGE, SLO_PAGE], group, later) == TIER0_PAGE
    assert first_match([SLO_PAGE, TIER0_PAGE], group, later) == SLO_PAGE
    only_search = SLO_PAGE.model_copy(
        update={"when": SLO_PAGE.when.model_copy(update={"services": ["search"]})}
    )
    assert first_match([only_search], group, later) is None


def test_a_rule_needs_a_wait_or_an_slo_condition_and_real_tiers() -> None:
    with pytest.raises(ValueError, match="give unacknowledged_minutes, slo_alert, or both"):
        DeclareRuleSpec.model_validate({"name": "x", "when": {"tiers": [0]}, "severity": "SEV2"})
    with pytest.raises(ValueError, match="tiers are 0 to 3"):
        DeclareRuleSpec.model_validate(
            {"name": "x", "when": {"slo_alert": True, "tiers": [7]}, "severity": "SEV2"}
        )


def test_the_sweep_looks_back_a_day_past_the_longest_wait() -> None:
    assert horizon([TIER0_PAGE, SLO_PAGE]) == timedelta(days=1, minutes=15)
    assert horizon([]) == timedelta(days=1)
