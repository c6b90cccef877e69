"""The release gate: a policy, the SLO statuses of a service and the change's labels in, a
decision with its evidence out. Pure: the caller fetches the statuses and records the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from ninefold.changes.freezes import Window, excepted
from ninefold.slos.core.model import prometheus_duration
from ninefold.slos.core.status import SloStatus
from ninefold.slos.gate.schemas import BudgetPolicySpec
from ninefold.slos.spec.durations import parse_duration

Verdict = Literal["allow", "deny"]
SECURITY_LABELS = frozenset({"security", "security-fix"})


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
    frozen_by: Sequence[Window] = (),
) -> Decision:
    """Deny when any governing policy's rule is broken, unless a label is an allowed exception,
    or when a freeze window holds the service, unless the change is a rollback or a security
    fix (labels `rollback`, `security`).

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
    frozen = [f"freeze {w.name} until {w.ends:%Y-%m-%d %H:%M} UTC: {w.reason}" for w in frozen_by]
    if not reasons and not frozen:
        return Decision(service, "allow", (), None, evidence)
    allowed = sorted({label for p in policies for label in p.allow_labels} & labels)
    thawed = excepted(rollback="rollback" in labels, security_fix=bool(SECURITY_LABELS & labels))
    exceptions = [allowed[0] if reasons and allowed else None, thawed if frozen else None]
    blocked = (reasons and not allowed) or (frozen and not thawed)
    every_reason = tuple(frozen + reasons)
    if blocked:
        return Decision(service, "deny", every_reason, None, evidence)
    return Decision(service, "allow", every_reason, ", ".join(e for e in exceptions if e), evidence)
