"""The DORA figures of KPIS.md as pure functions over plain records.

A `Deploy` here is already a deploy in KPIS.md's sense (a successful production deploy that
is not a rollback; `chain.decide` says which are), carrying what later changes and incidents
made of it. Each figure is `None` when it cannot be computed ("no data"), never 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from ninefold.changes.links import DEFAULT_WINDOW, Candidate, Linker
from ninefold.stats import median

DAY = 86_400.0


@dataclass(frozen=True)
class Deploy:
    id: int
    service: str
    finished_at: datetime
    commits: tuple[datetime, ...] = ()
    rolled_back_at: datetime | None = None
    """Finish of the earliest rollback that undid it."""
    hotfixed_at: datetime | None = None
    """Finish of the earliest hotfix that names it."""
    hotfix: bool = False
    fixes_incident: int | None = None
    caused_incidents: tuple[int, ...] = ()


@dataclass(frozen=True)
class Incident:
    """What DORA needs of an incident (the incidents domain supplies them)."""

    id: int
    service: str | None
    impact_start: datetime | None
    resolved_at: datetime | None
    names_deploy: int | None = None


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / DAY

    def holds(self, instant: datetime) -> bool:
        return self.start <= instant < self.end

    def previous(self) -> Period:
        return Period(self.start - (self.end - self.start), self.start)


class Band(StrEnum):
    ON_DEMAND = "on demand"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    FEWER = "fewer than monthly"


class Tier(StrEnum):
    """DORA's 2024 performance clusters."""

    ELITE = "elite"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class Figures:
    deploys: int
    per_day: float
    per_week: float
    band: Band
    lead_time_pairs: int
    lead_time_seconds: float | None
    failed: int
    change_failure_rate: float | None
    rolled_back: int
    rollback_rate: float | None
    recovered: int
    recovery_seconds: float | None
    reworked: int
    rework_rate: float | None
    failed_ids: tuple[int, ...] = field(default=())


def figures(
    period: Period,
    deploys: Sequence[Deploy],
    incidents: Sequence[Incident] = (),
    depends_on: Mapping[str, Iterable[str]] | None = None,
    window: timedelta = DEFAULT_WINDOW,
    links: Links | None = None,
) -> Figures:
    """The six DORA figures of the deploys finished in `period`.

    `deploys` may hold deploys outside the period: the incident link rule looks at them (an
    incident is linked to one deploy, maybe one before the period). `links` are the incident
    links when the caller made them over more deploys than it counts (a team's figures: an
    incident of another team's service may be linked to this team's deploy, or the other way
    round); by default they are made over `deploys`."""
    mine = [d for d in deploys if period.holds(d.finished_at)]
    count = len(mine)
    resolved_by_deploy = (
        links if links is not None else incident_links(deploys, incidents, depends_on or {}, window)
    )
    failed = [d for d in mine if _failed(d, resolved_by_deploy)]
    rolled_back = [d for d in mine if d.rolled_back_at is not None]
    recovery = [
        seconds
        for d in failed
        if (seconds := _recovery_seconds(d, resolved_by_deploy.get(d.id, ()))) is not None
    ]
    pairs = lead_times(mine)
    by_id = {i.id: i for i in incidents}
    reworked = [d for d in mine if _rework(d, by_id)]
    return Figures(
        deploys=count,
        per_day=count / period.days,
        per_week=count / period.days * 7,
        band=band(period, [d.finished_at for d in mine]),
        lead_time_pairs=len(pairs),
        lead_time_seconds=median(pairs),
        failed=len(failed),
        change_failure_rate=_rate(len(failed), count),
        rolled_back=len(rolled_back),
        rollback_rate=_rate(len(rolled_back), count),
        recovered=len(recovery),
        recovery_seconds=median(recovery),
        reworked=len(reworked),
        rework_rate=_rate(len(reworked), count),
        failed_ids=tuple(d.id for d in failed),
    )


def lead_times(deploys: Iterable[Deploy]) -> list[float]:
    """Seconds from each commit authored to its deploy finished, pairs <= 0 left out (a commit
    authored after the deploy finished is kept on the change, not counted here)."""
    return [
        seconds
        for d in deploys
        for authored in d.commits
        if (seconds := (d.finished_at - authored).total_seconds()) > 0
    ]


def weeks(period: Period) -> list[Period]:
    """The period cut into consecutive 7-day windows from its start, the last one shorter."""
    windows = []
    start = period.start
    while start < period.end:
        end = min(start + timedelta(days=7), period.end)
        windows.append(Period(start, end))
        start = end
    return windows


def band(period: Period, finished: Sequence[datetime]) -> Band:
    """Deployment frequency band: the median, over the period's 7-day windows (the last one
    shorter), of the distinct UTC dates with a deploy; then deploy days per UTC month."""
    days = {instant.date() for instant in finished}
    weekly = [len({f.date() for f in finished if w.holds(f)}) for w in weeks(period)]
    per_week = median(weekly) or 0.0
    if per_week >= 3:
        return Band.ON_DEMAND
    if per_week >= 1:
        return Band.WEEKLY
    monthly = [sum(1 for d in days if (d.year, d.month) == m) for m in _months(period)]
    if (median(monthly) or 0.0) >= 1:
        return Band.MONTHLY
    return Band.FEWER


def _months(period: Period) -> list[tuple[int, int]]:
    last = (period.end - timedelta(microseconds=1)).date()
    months = []
    year, month = period.start.year, period.start.month
    while date(year, month, 1) <= last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


Links = Mapping[int, tuple[datetime | None, ...]]
"""deploy id -> resolved instants of the incidents it caused."""


def incident_links(
    deploys: Sequence[Deploy],
    incidents: Sequence[Incident],
    depends_on: Mapping[str, Iterable[str]],
    window: timedelta = DEFAULT_WINDOW,
) -> dict[int, tuple[datetime | None, ...]]:
    """Each incident linked to the deploy that caused it (KPIS.md's rules), by deploy."""
    linker = Linker(
        (Candidate(d.id, d.service, d.finished_at, d.caused_incidents) for d in deploys),
        depends_on,
        window,
    )
    linked: dict[int, list[datetime | None]] = {}
    for incident in incidents:
        cause = linker.cause(
            incident.id, incident.service, incident.impact_start, incident.names_deploy
        )
        if cause is not None:
            linked.setdefault(cause.deploy, []).append(incident.resolved_at)
    return {deploy: tuple(resolved) for deploy, resolved in linked.items()}


def _failed(deploy: Deploy, linked: Links) -> bool:
    return (
        deploy.rolled_back_at is not None
        or deploy.hotfixed_at is not None
        or bool(deploy.caused_incidents)
        or deploy.id in linked
    )


def _recovery_seconds(deploy: Deploy, resolved: Iterable[datetime | None]) -> float | None:
    """Linked incident resolved (the earliest), else the rollback, else the hotfix."""
    known = [instant for instant in resolved if instant is not None]
    recovered = min(known) if known else (deploy.rolled_back_at or deploy.hotfixed_at)
    if recovered is None or recovered < deploy.finished_at:
        return None
    return (recovered - deploy.finished_at).total_seconds()


def _rework(deploy: Deploy, incidents: Mapping[int, Incident]) -> bool:
    """A hotfix, or a deploy that fixes an incident still open at its finish. An incident
    Ninefold has no record of is taken as open: the deploy says it fixes it."""
    if deploy.hotfix:
        return True
    if deploy.fixes_incident is None:
        return False
    incident = incidents.get(deploy.fixes_incident)
    return (
        incident is None
        or incident.resolved_at is None
        or incident.resolved_at > deploy.finished_at
    )


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- DORA's 2024 clusters, one figure at a time (docs/changes.md, "DORA tiers") -----------

HOUR = 3600.0
BAND_TIERS = {
    Band.ON_DEMAND: Tier.ELITE,
    Band.WEEKLY: Tier.HIGH,
    Band.MONTHLY: Tier.MEDIUM,
    Band.FEWER: Tier.LOW,
}


def _by_bounds(value: float | None, bounds: Sequence[tuple[float, Tier]]) -> Tier | None:
    if value is None:
        return None
    for bound, tier in bounds:
        if value < bound:
            return tier
    return Tier.LOW


def lead_time_tier(seconds: float | None) -> Tier | None:
    """Under a day elite, a week high, a month (30 days) medium, else low."""
    return _by_bounds(seconds, ((DAY, Tier.ELITE), (7 * DAY, Tier.HIGH), (30 * DAY, Tier.MEDIUM)))


def recovery_tier(seconds: float | None) -> Tier | None:
    """Under an hour elite, a day high, a week medium, else low."""
    return _by_bounds(seconds, ((HOUR, Tier.ELITE), (DAY, Tier.HIGH), (7 * DAY, Tier.MEDIUM)))


def failure_tier(rate: float | None) -> Tier | None:
    """The cluster whose typical rate is nearest (2024: elite 5%, medium 10%, high 20%,
    low 40%), ties to the better one: up to 7.5% elite, 15% medium, 30% high, else low."""
    if rate is None:
        return None
    for bound, tier in ((0.075, Tier.ELITE), (0.15, Tier.MEDIUM), (0.30, Tier.HIGH)):
        if rate <= bound:
            return tier
    return Tier.LOW
