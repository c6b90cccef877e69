"""Alerting policies to replay in a backtest: the six approaches of the SRE workbook chapter
"Alerting on SLOs", each scaled from the SLO period, and a policy from an SLO's own alerting
conditions. Pure data: the replay itself is in `ninefold.slos.backtest.replay`.

A policy is a set of rules, each naming a severity. A rule fires when the burn rate over every
one of its windows exceeds its factor (`and`), and has done so for its hold (Prometheus' `for`);
the rules of one severity are joined by `or`, so a policy raises at most one alert at a time
per severity, as the chapter's single `expr` per severity does.

The chapter's numbers are for a 99.9% SLO over 30 days. The factors and the one long window
below are written as shares of the budget (`burn_factor`), so they scale with the period; the
budget itself (`1 - objective`) only enters at replay time, as the threshold `factor x budget`
on the error ratio. For 30 days they are exactly the chapter's:

1. `target-error-rate`: ratio over 10m >= budget. Fast, but low precision.
2. `increased-window`: ratio over 36h > budget. Better precision; resets 36 hours late.
3. `incremented-duration`: ratio over 1m > budget for 1h. Slow; a flapping error rate never
   fires it (poor recall).
4. `single-burn-rate`: ratio over 1h > 36 x budget. Resets about 58 minutes late.
5. `multiple-burn-rates`: page at 14.4x over 1h or 6x over 6h, ticket at 1x over 3d. Resets
   as late as its longest window.
6. `multiwindow-multi-burn-rate`: `model.default_conditions`, each long window paired with a
   short one (1/12 of it) that must burn too, so the alert resets soon after the errors stop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ninefold.slos.core.budget import burn_factor
from ninefold.slos.core.model import Severity, Slo, default_conditions

TARGET_ERROR_RATE = "target-error-rate"
INCREASED_WINDOW = "increased-window"
INCREMENTED_DURATION = "incremented-duration"
SINGLE_BURN_RATE = "single-burn-rate"
MULTIPLE_BURN_RATES = "multiple-burn-rates"
MULTIWINDOW = "multiwindow-multi-burn-rate"

WORKBOOK_POLICY_NAMES = (
    TARGET_ERROR_RATE,
    INCREASED_WINDOW,
    INCREMENTED_DURATION,
    SINGLE_BURN_RATE,
    MULTIPLE_BURN_RATES,
    MULTIWINDOW,
)

SEVERITIES: tuple[Severity, ...] = ("page", "ticket")


@dataclass(frozen=True)
class Rule:
    """Fire when the burn rate over each of `windows` exceeds `factor` (reaches it when
    `inclusive`), without a break for at least `hold`.

    Example: `Rule("page", 14.4, (1h, 5m))` on a 99.9% SLO fires while more than
    14.4 x 0.001 = 1.44% of the requests failed over the last hour and over the last 5 minutes.
    """

    severity: Severity
    factor: float
    windows: tuple[timedelta, ...]
    hold: timedelta = timedelta(0)
    inclusive: bool = False

    def __post_init__(self) -> None:
        if not self.windows or any(w <= timedelta(0) for w in self.windows):
            raise ValueError(f"rule windows must be positive durations (got {self.windows})")
        if self.factor <= 0:
            raise ValueError(f"rule factor must be positive (got {self.factor})")
        if self.hold < timedelta(0):
            raise ValueError(f"rule hold must not be negative (got {self.hold})")


@dataclass(frozen=True)
class Policy:
    name: str
    rules: tuple[Rule, ...]
    description: str = ""

    @property
    def severities(self) -> tuple[Severity, ...]:
        """The severities the policy alerts with, pages first."""
        return tuple(s for s in SEVERITIES if any(r.severity == s for r in self.rules))

    @property
    def windows(self) -> frozenset[timedelta]:
        return frozenset(w for rule in self.rules for w in rule.windows)


def workbook_policies(period: timedelta) -> tuple[Policy, ...]:
    """The six approaches of the chapter, in its order, for an SLO over `period`.

    Approach 2 widens the window until burning at exactly the budget rate must last 5% of the
    period before it alerts: 0.05 x 720 h = 36 h on 30 days (33.6 h on 28 days). Approach 4
    alerts when 5% of the budget goes in one hour: 0.05 x 720 h / 1 h = 36 (the chapter's
    `ratio_rate1h > 36 * 0.001`); for a full outage it fires after 0.036 h = 2.16 minutes and,
    once the errors stop, keeps firing until fewer than 2.16 bad minutes are left in the hour,
    about 58 minutes later. Approach 5 pages at 2% of the budget in 1 hour (14.4 on 30 days)
    or 5% in 6 hours (6) and tickets at 10% in 3 days (1), each over its long window alone.
    Approach 3 follows the chapter's rule, the 1-minute ratio held for an hour; a single good
    minute restarts the hour.
    """
    hour = timedelta(hours=1)
    minute = timedelta(minutes=1)
    conditions = default_conditions(period)
    return (
        Policy(
            TARGET_ERROR_RATE,
            (Rule("page", 1.0, (10 * minute,), inclusive=True),),
            "error ratio over 10 minutes at or above the budget",
        ),
        Policy(
            INCREASED_WINDOW,
            (Rule("page", 1.0, (period * 0.05,)),),
            "error ratio above the budget over a window of 5% of the period (36h on 30 days)",
        ),
        Policy(
            INCREMENTED_DURATION,
            (Rule("page", 1.0, (minute,), hold=hour),),
            "error ratio over 1 minute above the budget, without a break for 1 hour",
        ),
        Policy(
            SINGLE_BURN_RATE,
            (Rule("page", burn_factor(0.05, period, hour), (hour,)),),
            "5% of the budget spent in 1 hour (burn rate 36 on 30 days)",
        ),
        Policy(
            MULTIPLE_BURN_RATES,
            (
                Rule("page", burn_factor(0.02, period, hour), (hour,)),
                Rule("page", burn_factor(0.05, period, 6 * hour), (6 * hour,)),
                Rule("ticket", burn_factor(0.10, period, 72 * hour), (72 * hour,)),
            ),
            "page at 2% of the budget in 1h or 5% in 6h, ticket at 10% in 3d; long windows only",
        ),
        Policy(
            MULTIWINDOW,
            tuple(Rule(c.severity, c.factor, (c.long, c.short)) for c in conditions),
            "the workbook's multiwindow, multi-burn-rate alerts (Ninefold's default rules)",
        ),
    )


def slo_policy(slo: Slo) -> Policy:
    """The alerts Ninefold generates for `slo`, from its alerting conditions, as a policy
    named after the SLO."""
    return Policy(
        f"{slo.service}/{slo.name}",
        tuple(Rule(c.severity, c.factor, (c.long, c.short)) for c in slo.alerting.conditions),
        f"the alerting conditions of SLO {slo.service}/{slo.name}",
    )
