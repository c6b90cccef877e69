"""The release gate's decision table: policies, statuses and labels in, allow or deny out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ninefold.slos.core.status import SloStatus
from ninefold.slos.gate.decide import decide, policies_for
from ninefold.slos.gate.schemas import BudgetPolicySpec

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)

POLICY = BudgetPolicySpec.model_validate(
    {
        "name": "money-path",
        "services": ["checkout"],
        "deny_when": {
            "budget_remaining_below": 0.0,
            "burn_rates_above": [{"window": "1h", "factor": 10}],
        },
        "allow_labels": ["security", "rollback"],
        "freeze_windows": [
            {"start": "2026-12-21T00:00:00Z", "end": "2027-01-04T00:00:00Z", "reason": "Holidays"}
        ],
    }
)


def status(remaining: float, burn_1h: float) -> SloStatus:
    return SloStatus(
        now=NOW,
        period_start=NOW - timedelta(days=30),
        period_end=NOW,
        budgeting="Occurrences",
        objective=0.999,
        error_budget=0.001,
        good_events=1000.0,
        total_events=1000.0,
        bad_events=0.0,
        event_attainment=1.0,
        attainment=1.0,
        budget_consumed=1 - remaining,
        budget_remaining=remaining,
        bad_events_left=0.0,
        burn_by_window={HOUR: burn_1h},
        period_burn=0.0,
        projection_window=HOUR,
        minutes_to_exhaustion=None,
        exhaustion_at=None,
    )


@pytest.mark.parametrize(
    ("remaining", "burn", "labels", "now", "verdict", "exception", "reason"),
    [
        pytest.param(0.4, 1.0, set(), NOW, "allow", None, None, id="within budget: allow"),
        pytest.param(
            -0.12,
            1.0,
            set(),
            NOW,
            "deny",
            None,
            "has -12.0% of its error budget left",
            id="budget spent: deny",
        ),
        pytest.param(
            0.4,
            12.0,
            set(),
            NOW,
            "deny",
            None,
            "burns at 12.00x over 1h (above 10x)",
            id="fast burn: deny",
        ),
        pytest.param(0.4, 10.0, set(), NOW, "allow", None, None, id="burn at the limit: allow"),
        pytest.param(
            -0.12,
            12.0,
            {"rollback"},
            NOW,
            "allow",
            "rollback",
            "has -12.0%",
            id="rollback: allowed as an exception",
        ),
        pytest.param(
            -0.12,
            1.0,
            {"feature"},
            NOW,
            "deny",
            None,
            "has -12.0%",
            id="other labels: still denied",
        ),
        pytest.param(
            0.9,
            0.0,
            set(),
            datetime(2026, 12, 24, tzinfo=UTC),
            "deny",
            None,
            "freeze window",
            id="freeze window: deny",
        ),
        pytest.param(
            0.9,
            0.0,
            {"security"},
            datetime(2026, 12, 24, tzinfo=UTC),
            "allow",
            "security",
            "(Holidays)",
            id="security fix in a freeze: exception",
        ),
        pytest.param(
            0.9,
            0.0,
            set(),
            datetime(2027, 1, 4, tzinfo=UTC),
            "allow",
            None,
            None,
            id="freeze over at its end: allow",
        ),
    ],
)
def test_decisions(remaining, burn, labels, now, verdict, exception, reason) -> None:
    decision = decide("checkout", [POLICY], {"availability": status(remaining, burn)}, labels, now)
    assert decision.verdict == verdict
    assert decision.exception == exception
    if reason is None:
        assert decision.reasons == ()
    else:
        assert any(reason in r for r in decision.reasons), decision.reasons
    assert decision.evidence["availability"]["budget_remaining"] == remaining


def test_policies_apply_to_their_services_or_to_all() -> None:
    everyone = BudgetPolicySpec(name="default")
    assert policies_for("checkout", [POLICY, everyone]) == [POLICY, everyone]
    assert policies_for("search", [POLICY, everyone]) == [everyone]


def test_a_service_no_policy_governs_is_allowed_without_reasons() -> None:
    decision = decide("search", [], {}, set(), NOW)
    assert (decision.verdict, decision.reasons) == ("allow", ())
