"""DR tests judged against their targets, the intervals tiers must test within, and DR
readiness (KPIS.md): pure functions of the records, the clock's day given."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

KINDS = ("tabletop", "failover", "restore", "full")


@dataclass(frozen=True)
class TierPolicy:
    """What a tier's services must show: recovery within `rto`, data lost at most `rpo`, a
    passing test at least every `test_every` (None: no test required)."""

    tier: int
    rto: timedelta
    rpo: timedelta
    test_every: timedelta | None


DEFAULT_POLICIES = (
    TierPolicy(0, timedelta(hours=1), timedelta(minutes=15), timedelta(days=90)),
    TierPolicy(1, timedelta(hours=4), timedelta(hours=1), timedelta(days=180)),
    TierPolicy(2, timedelta(hours=24), timedelta(hours=24), timedelta(days=365)),
    TierPolicy(3, timedelta(hours=72), timedelta(hours=24), None),
)


@dataclass(frozen=True)
class Drill:
    id: int
    tier: int
    services: tuple[str, ...]
    ran_on: date
    rto_target: timedelta
    rpo_target: timedelta
    rto_measured: timedelta
    rpo_measured: timedelta

    @property
    def rto_met(self) -> bool:
        """Back in service within the target (equal meets it)."""
        return self.rto_measured <= self.rto_target

    @property
    def rpo_met(self) -> bool:
        return self.rpo_measured <= self.rpo_target

    @property
    def passed(self) -> bool:
        return self.rto_met and self.rpo_met


def tier_of(service_tiers: Iterable[int]) -> int:
    """A test of several services is held to the most critical one's tier."""
    return min(service_tiers)


@dataclass(frozen=True)
class Readiness:
    tier: int
    tests: int
    passed: int

    @property
    def value(self) -> float | None:
        return self.passed / self.tests if self.tests else None


def readiness_by_tier(tests: Iterable[Drill], start: date, end: date) -> list[Readiness]:
    """Tests run in [start, end) that met both targets over tests run, per tier that ran any."""
    found: dict[int, list[Drill]] = {}
    for test in tests:
        if start <= test.ran_on < end:
            found.setdefault(test.tier, []).append(test)
    return [
        Readiness(tier, len(runs), sum(t.passed for t in runs))
        for tier, runs in sorted(found.items())
    ]


@dataclass(frozen=True)
class ServiceStatus:
    """Where a service stands against its tier's interval: `due` is the day its next passing
    test is due by (None: its tier requires none); overdue from the day after."""

    service: str
    tier: int
    last_test: date | None
    last_pass: date | None
    due: date | None
    overdue: bool


def service_status(
    service: str, tier: int, policy: TierPolicy, tests: Iterable[Drill], today: date
) -> ServiceStatus:
    mine = [t for t in tests if service in t.services and t.ran_on <= today]
    last_test = max((t.ran_on for t in mine), default=None)
    last_pass = max((t.ran_on for t in mine if t.passed), default=None)
    if policy.test_every is None:
        return ServiceStatus(service, tier, last_test, last_pass, None, overdue=False)
    due = last_pass + policy.test_every if last_pass is not None else today
    overdue = last_pass is None or today > due
    return ServiceStatus(service, tier, last_test, last_pass, due, overdue)


def policy_of(policies: Iterable[TierPolicy], tier: int) -> TierPolicy:
    """The declared policy of `tier`, else the built-in one."""
    declared = {p.tier: p for p in policies}
    return declared.get(tier) or next(p for p in DEFAULT_POLICIES if p.tier == tier)
