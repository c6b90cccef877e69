"""Production readiness: rules evaluated on what is true of a service now, and levels (a
rubric) each a set of rules. A service reaches a level when every rule of it and of every
level below passes, as Cortex, OpsLevel and Port scorecards count it. Pure: the facts are
gathered elsewhere (`facts.py`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

ON_CALL_DAYS = 14
"""The days ahead a schedule must cover without a gap."""
LOOKBACK_DAYS = 90
"""The days back postmortem deadlines are looked at."""


@dataclass(frozen=True)
class Facts:
    """What is true of one service now, read from the live records."""

    service: str
    tier: int
    owner: str
    owner_members: int
    schedules: dict[str, int] = field(default_factory=dict)
    """The owning team's schedules, each with the hours of coverage gap in the days ahead."""
    slos: dict[str, bool] = field(default_factory=dict)
    """The service's SLOs, each with whether its burn-rate page is on."""
    uncovered_rules: tuple[str, ...] = ()
    """Its alert rules that paged in the last 90 days without a runbook."""
    dashboards: int = 0
    dr_due: date | None = None
    dr_overdue: bool = False
    dr_last_pass: date | None = None
    late_postmortems: tuple[int, ...] = ()
    overdue_sev1_items: tuple[int, ...] = ()


@dataclass(frozen=True)
class Result:
    passed: bool
    why: str


def _owner(f: Facts) -> Result:
    if f.owner_members == 0:
        return Result(False, f"its owning team {f.owner} has no members")
    return Result(True, f"owned by {f.owner} ({f.owner_members} members)")


def _on_call(f: Facts) -> Result:
    if not f.schedules:
        return Result(False, f"team {f.owner} has no on-call schedule")
    whole = sorted(name for name, gap in f.schedules.items() if gap == 0)
    if whole:
        return Result(True, f"{whole[0]} covers the next {ON_CALL_DAYS} days without a gap")
    name, gap = min(f.schedules.items(), key=lambda kv: kv[1])
    return Result(False, f"{name} leaves {gap} h uncovered in the next {ON_CALL_DAYS} days")


def _slo(f: Facts) -> Result:
    if not f.slos:
        return Result(False, "no SLO in slos/")
    return Result(True, "SLOs: " + ", ".join(sorted(f.slos)))


def _burn_rate_alerts(f: Facts) -> Result:
    if not f.slos:
        return Result(False, "no SLO, so no burn-rate alert")
    silent = sorted(name for name, pages in f.slos.items() if not pages)
    if silent:
        return Result(False, "burn-rate page turned off for " + ", ".join(silent))
    return Result(True, "every SLO pages on a fast burn")


def _runbooks(f: Facts) -> Result:
    if f.uncovered_rules:
        return Result(False, "paged without a runbook: " + ", ".join(f.uncovered_rules))
    return Result(True, f"every alert that paged in {LOOKBACK_DAYS} days has a runbook")


def _dashboard(f: Facts) -> Result:
    if f.dashboards == 0:
        return Result(False, "no dashboard link in the catalog")
    return Result(True, f"{f.dashboards} dashboard link(s)")


def _dr_test(f: Facts) -> Result:
    if f.dr_due is None and not f.dr_overdue:
        return Result(True, f"tier {f.tier} requires no DR test")
    if f.dr_last_pass is None:
        return Result(False, "never passed a DR test")
    if f.dr_overdue:
        return Result(False, f"last passing DR test {f.dr_last_pass}, was due again by {f.dr_due}")
    return Result(True, f"passed a DR test on {f.dr_last_pass}, next due by {f.dr_due}")


def _postmortems(f: Facts) -> Result:
    if f.late_postmortems:
        late = ", ".join(f"#{n}" for n in f.late_postmortems)
        return Result(False, f"postmortems not reviewed by their deadline: incidents {late}")
    return Result(True, f"postmortems due in the last {LOOKBACK_DAYS} days were on time")


def _action_items(f: Facts) -> Result:
    if f.overdue_sev1_items:
        late = ", ".join(f"#{n}" for n in f.overdue_sev1_items)
        return Result(False, f"overdue action items of SEV1 incidents: {late}")
    return Result(True, "no overdue action item of a SEV1 incident")


@dataclass(frozen=True)
class Rule:
    key: str
    title: str
    fix: str
    """What to do when it fails: the checklist of a new service says it."""
    check: Callable[[Facts], Result]


RULES = (
    Rule("owner", "An owning team with members", "Set owner: in services.yaml to a team with "
         "members.", _owner),
    Rule("on_call", f"On call: no coverage gap in the next {ON_CALL_DAYS} days",
         "Give the owning team a schedule whose rotations cover every hour.", _on_call),
    Rule("slo", "At least one SLO", "Add an SLO for the service under slos/.", _slo),
    Rule("burn_rate_alerts", "Every SLO pages on a fast burn",
         "Keep alerting.page_alert on in each SLO.", _burn_rate_alerts),
    Rule("runbooks", "A runbook for every alert that paged",
         "Write a runbook under runbooks/ naming the alerts it covers.", _runbooks),
    Rule("dashboard", "A dashboard link", "Add a dashboards: link in services.yaml.", _dashboard),
    Rule("dr_test", "A passing DR test within the tier's interval",
         "Run a DR test and record it (ninefold dr record).", _dr_test),
    Rule("postmortems_on_time", "Postmortems reviewed on time",
         "Review postmortems by their deadline.", _postmortems),
    Rule("no_overdue_sev1_action_items", "No overdue action item of a SEV1 incident",
         "Close or reschedule the SEV1 incidents' action items.", _action_items),
)  # fmt: skip
BY_KEY = {rule.key: rule for rule in RULES}


@dataclass(frozen=True)
class Level:
    name: str
    rules: tuple[str, ...]
    required_for_tiers: tuple[int, ...] = ()


DEFAULT_LEVELS = (
    Level("bronze", ("owner", "dashboard", "slo"), (2,)),
    Level("silver", ("on_call", "burn_rate_alerts", "runbooks"), (1,)),
    Level("gold", ("dr_test", "postmortems_on_time", "no_overdue_sev1_action_items"), (0,)),
)


@dataclass(frozen=True)
class Checked:
    rule: Rule
    level: str
    result: Result


@dataclass(frozen=True)
class Scorecard:
    service: str
    tier: int
    level: str | None
    """The highest level whose rules, and those of every level below, all pass."""
    required: str | None
    """The level the service's tier requires (None: none)."""
    checks: tuple[Checked, ...]
    levels: tuple[str, ...]
    """Every level, lowest first."""

    @property
    def meets_required(self) -> bool:
        return self.required is None or at_least(self.level, self.required, self.levels)

    @property
    def failing(self) -> tuple[Checked, ...]:
        return tuple(c for c in self.checks if not c.result.passed)


def at_least(level: str | None, wanted: str, order: Sequence[str]) -> bool:
    if level is None:
        return False
    return order.index(level) >= order.index(wanted)


def required_level(levels: Sequence[Level], tier: int) -> str | None:
    """The highest level that names the tier: a tier required at gold is required at the
    levels below it too."""
    named = [level.name for level in levels if tier in level.required_for_tiers]
    return named[-1] if named else None


def scorecard(facts: Facts, levels: Sequence[Level]) -> Scorecard:
    """Every rule of every level evaluated, the level reached and the one required."""
    checks = tuple(
        Checked(BY_KEY[key], level.name, BY_KEY[key].check(facts))
        for level in levels
        for key in level.rules
    )
    reached = None
    for level in levels:
        if not all(c.result.passed for c in checks if c.level == level.name):
            break
        reached = level.name
    required = required_level(levels, facts.tier)
    names = tuple(level.name for level in levels)
    return Scorecard(facts.service, facts.tier, reached, required, checks, names)
