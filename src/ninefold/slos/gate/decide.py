"""The release gate: a policy, the SLO statuses of a service and the change's labels in, a
decision with its evidence out. Pure: the caller fetches the statuses and records the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from ninefold.slos.core.model import prometheus_duration
from ninefold.slos.core.status import SloStatus
from ninefold.slos.gate.schemas import BudgetPolicySpec
from ninefold.slos.spec.durations import parse_duration

Verdict = Literal["allow", "deny"]


@dataclass(frozen=True)
class Decision:
    service: str
    verdict: Verdict
    reasons: tuple[str, ...]
    exception: str | None = None
    evidence: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return self.verdict == "allow"


def policies_for(service: str, policies: list[BudgetPolicySpec]) -> list[BudgetPolicySpec]:
    return [p for p in policies if not p.services or service in p.services]


def decide(
    service: str,
    policies: list[BudgetPolicySpec],
    statuses: dict[str, SloStatus],
    labels: set[str],
    now: datetime,
) -> Decision:
    """Deny when any governing policy's rule is broken, unless a label is an allowed exception.

    Example: budget_remaining_below 0 and an SLO at -12% remaining denies; the same change
    labelled `rollback` under `allow_labels: [rollback]` is allowed, and the decision says
    it went through as an exception, with the reasons it would have been denied for.
    """
    reasons: list[str] = []
    for policy in policies:
        for freeze in policy.freeze_windows:
            if freeze.covers(now):
                reasons.append(
                    f"policy {policy.name}: freeze window {freeze.start.isoformat()} to "
                    f"{freeze.end.isoformat()}" + (f" ({freeze.reason})" if freeze.reason else "")
                )
        limit = policy.deny_when.budget_remaining_below
        for name, found in sorted(statuses.items()):
            if limit is not None and found.budget_remaining < limit:
                reasons.append(
                    f"policy {policy.name}: SLO {name} has {found.budget_remaining:.1%} of its "
                    f"error budget left (below {limit:.0%})"
                )
            for burn_limit in policy.deny_when.burn_rates_above:
                window = parse_duration(burn_limit.window)
                burn = found.burn_by_window.get(window)
                if burn is not None and burn > burn_limit.factor:
                    reasons.append(
                        f"policy {policy.name}: SLO {name} burns at {burn:.2f}x over "
                        f"{prometheus_duration(window)} (above {burn_limit.factor:g}x)"
                    )
    evidence: dict[str, dict[str, float]] = {
        name: {
            "budget_remaining": found.budget_remaining,
            "attainment": found.attainment,
            **{
                f"burn_{prometheus_duration(w)}": b for w, b in sorted(found.burn_by_window.items())
            },
        }
        for name, found in sorted(statuses.items())
    }
    if not reasons:
        return Decision(service, "allow", (), None, evidence)
    allowed = sorted({label for p in policies for label in p.allow_labels} & labels)
    if allowed:
        return Decision(service, "allow", tuple(reasons), allowed[0], evidence)
    return Decision(service, "deny", tuple(reasons), None, evidence)
