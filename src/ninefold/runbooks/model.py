"""Runbook freshness and coverage as KPIS.md defines them. Pure.

A runbook covers an alert rule when it names the rule's alert and is for the rule's service
(a rule of no service is covered by a runbook of any service naming its alert). An alert rule
is an alert name on a service: `HighErrorRate` of checkout and of payments are two rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

TOP = 20
"""The top-N of "runbook coverage of the top 20 paging alerts" (KPIS.md)."""


@dataclass(frozen=True)
class Kept:
    """What freshness and coverage need of a runbook."""

    name: str
    service: str
    alerts: tuple[str, ...]
    review_days: int
    last_tested: date | None
    last_reviewed: date | None

    @property
    def last_checked(self) -> date | None:
        found = [d for d in (self.last_tested, self.last_reviewed) if d is not None]
        return max(found) if found else None

    def due(self) -> date | None:
        """The last day it is fresh; None when never tested nor reviewed."""
        last = self.last_checked
        return None if last is None else last + timedelta(days=self.review_days)

    def fresh(self, on: date) -> bool:
        due = self.due()
        return due is not None and on <= due

    def covers(self, alertname: str, service: str | None) -> bool:
        return covers(self.alerts, self.service, alertname, service)


def covers(alerts: Iterable[str], for_service: str, alertname: str, service: str | None) -> bool:
    """Whether a runbook of `for_service` naming `alerts` covers an alert rule (see above)."""
    return alertname in alerts and service in (None, for_service)


def latest(declared: date | None, recorded: Iterable[datetime]) -> date | None:
    """A runbook's last test: the front matter's date or the latest recorded test (UTC)."""
    found = [d for d in (declared, *(t.date() for t in recorded)) if d is not None]
    return max(found) if found else None


@dataclass(frozen=True)
class Freshness:
    fresh: tuple[str, ...]
    stale: tuple[str, ...]

    @property
    def value(self) -> float | None:
        total = len(self.fresh) + len(self.stale)
        return len(self.fresh) / total if total else None


def freshness(runbooks: Sequence[Kept], on: date) -> Freshness:
    return Freshness(
        tuple(r.name for r in runbooks if r.fresh(on)),
        tuple(r.name for r in runbooks if not r.fresh(on)),
    )


@dataclass(frozen=True)
class PagedRule:
    alertname: str
    service: str | None
    tier: int | None
    pages: int


@dataclass(frozen=True)
class Coverage:
    covered: tuple[PagedRule, ...]
    uncovered: tuple[PagedRule, ...]
    top: tuple[PagedRule, ...]
    """The `TOP` rules with the most pages, ties by name."""

    @property
    def rules(self) -> int:
        return len(self.covered) + len(self.uncovered)

    @property
    def value(self) -> float | None:
        return _share(self.covered, self.rules)

    @property
    def top_value(self) -> float | None:
        return _share([r for r in self.top if r in self.covered], len(self.top))

    @property
    def critical_value(self) -> float | None:
        critical = [r for r in (*self.covered, *self.uncovered) if r.tier in (0, 1)]
        return _share([r for r in critical if r in self.covered], len(critical))


def _share(part: Sequence[PagedRule], whole: int) -> float | None:
    return len(part) / whole if whole else None


def coverage(rules: Sequence[PagedRule], runbooks: Sequence[Kept]) -> Coverage:
    """Which paging rules have a runbook; the uncovered ones worst (most pages) first."""
    ordered = sorted(rules, key=lambda r: (-r.pages, r.alertname, r.service or ""))
    covered = [r for r in ordered if any(b.covers(r.alertname, r.service) for b in runbooks)]
    return Coverage(
        tuple(covered),
        tuple(r for r in ordered if r not in covered),
        tuple(ordered[:TOP]),
    )
