"""The KPI table, pure: every KPI of the catalogue for a period and the one before it, from
loaded records narrowed to a selection of services, with the trend and the target.

A selection is a set of services (a service, a team's, a tier's) or everything. Incidents
count when they touch one of the services, alert groups and their pages when of one, deploys
when of one; action items when their team is the selected team, else when their incident
counts. Shifts are not narrowed (schedules belong to no service): pages per shift and per
on-call hour of a selection divide its pages by all the on-call time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ninefold.capacity import model as capacity_model
from ninefold.changes import dora
from ninefold.changes.dora import Period
from ninefold.dr import model as dr_model
from ninefold.errors import Invalid
from ninefold.incidents.model import Severity
from ninefold.reports import incident_kpis as ik
from ninefold.reports import paging_kpis as pk
from ninefold.reports.catalogue import CATALOGUE, Kpi, Target
from ninefold.reports.figures import Durations, Left, Ratio, Ref
from ninefold.runbooks import model as rb
from ninefold.toil import model as toil_model


@dataclass(frozen=True)
class Loaded:
    incidents: Sequence[ik.IncidentRecord] = ()
    items: Sequence[ik.ItemRecord] = ()
    groups: Sequence[pk.GroupRecord] = ()
    pages: Sequence[pk.PageRecord] = ()
    shifts: Sequence[pk.ShiftRecord] = ()
    deploys: Sequence[dora.Deploy] = ()
    dora_incidents: Sequence[dora.Incident] = ()
    depends_on: dict[str, list[str]] = field(default_factory=dict)
    everyone: Sequence[ik.IncidentRecord] | None = None
    """The incidents recurrence may look back to, kept whole when `incidents` is narrowed
    (an incident repeats one of any service it has, selected or not); None: `incidents`."""
    links: dora.Links | None = None
    """The incident links of DORA, made over every deploy that matters before `deploys` is
    narrowed (an incident of another team's service may be linked to a selected deploy);
    None: made over `deploys`."""
    runbooks: dict[datetime, tuple[rb.Kept, ...]] = field(default_factory=dict)
    """The runbooks as they stood at each period's end (`runbook_instant`), by that end."""
    paged_rules: dict[datetime, tuple[rb.PagedRule, ...]] = field(default_factory=dict)
    """The alert rules that paged in the 90 days before each period's end, by that end."""
    now: datetime | None = None
    """When the table is read: a period not over yet has its runbooks read now."""
    toil: Sequence[toil_model.Entry] = ()
    runs: Sequence[toil_model.Run] = ()
    teams: dict[str, int] = field(default_factory=dict)
    """Each team's members, for the toil ratio's capacity; narrowed to the selection's teams."""
    service_teams: dict[str, str] = field(default_factory=dict)
    """Each service's owning team: a selection of services reads its teams' toil."""
    drills: Sequence[dr_model.Drill] = ()
    capacity: Sequence[capacity_model.Reading] = ()
    monitored: dict[str, tuple[int, bool]] = field(default_factory=dict)
    """Each service's tier and whether it has an SLO, burn-rate pages and a dashboard, as the
    configuration says now (it keeps no history)."""
    """Each resource's series, read when the table is (files and Prometheus keep no copy here)."""
    memo: dict[tuple[str, Period], Any] = field(default_factory=dict, compare=False, repr=False)
    """Figures several KPIs share, per period (the DORA figures)."""

    def narrowed(self, services: set[str] | None, team: str | None = None) -> Loaded:
        if services is None:
            return self
        incidents = [i for i in self.incidents if services & set(i.services)]
        ids = {i.id for i in incidents}
        groups = [g for g in self.groups if g.service in services]
        group_ids = {g.id for g in groups}
        items = [
            i for i in self.items if (i.team == team if team is not None else i.incident_id in ids)
        ]
        return replace(
            self,
            incidents=incidents,
            items=items,
            groups=groups,
            pages=[p for p in self.pages if p.group_id in group_ids],
            deploys=[d for d in self.deploys if d.service in services],
            runbooks={
                end: tuple(r for r in kept if r.service in services)
                for end, kept in self.runbooks.items()
            },
            paged_rules={
                end: tuple(r for r in rules if r.service in services)
                for end, rules in self.paged_rules.items()
            },
            drills=[d for d in self.drills if services & set(d.services)],
            capacity=[r for r in self.capacity if r.service in services],
            monitored={k: v for k, v in self.monitored.items() if k in services},
            **self._toil_of(
                {team} if team is not None else {self.service_teams.get(s) for s in services}
            ),
            everyone=self.recurrence_pool,
            links=self.dora_links,
            memo={},
        )

    def _toil_of(self, teams: set[str | None]) -> dict[str, Any]:
        return {
            "toil": [e for e in self.toil if e.team in teams],
            "runs": [r for r in self.runs if r.team in teams],
            "teams": {name: n for name, n in self.teams.items() if name in teams},
        }

    @property
    def recurrence_pool(self) -> Sequence[ik.IncidentRecord]:
        return self.incidents if self.everyone is None else self.everyone

    @property
    def dora_links(self) -> dora.Links:
        if self.links is not None:
            return self.links
        return dora.incident_links(self.deploys, self.dora_incidents, self.depends_on)

    def dora_figures(self, period: Period) -> dora.Figures:
        key = ("dora", period)
        if key not in self.memo:
            self.memo[key] = dora.figures(
                period, self.deploys, self.dora_incidents, self.depends_on, links=self.dora_links
            )
        found: dora.Figures = self.memo[key]
        return found


def of_severity(loaded: Loaded, severity: Severity | None) -> Loaded:
    """The incident figures of one severity: its incidents, and their action items."""
    if severity is None:
        return loaded
    incidents = [i for i in loaded.incidents if i.severity is severity]
    ids = {i.id for i in incidents}
    items = [i for i in loaded.items if i.incident_id in ids]
    return replace(loaded, incidents=incidents, items=items, everyone=loaded.recurrence_pool)


@dataclass(frozen=True)
class Figure:
    value: float | None
    counted: tuple[Ref, ...] = ()
    left_out: tuple[Left, ...] = ()
    details: dict[str, float | None] = field(default_factory=dict)
    """What the value is made of: a duration's count, mean, P50 and P90; a ratio's numerator
    and denominator; counts per severity."""
    hits: tuple[Ref, ...] = ()
    """A ratio's records of the numerator (those of `counted` that recur, were on time...)."""


def _summary(found: Durations) -> dict[str, float | None]:
    return {"count": found.count, "mean": found.mean, "p50": found.p50, "p90": found.p90}


Figurer = Callable[["Loaded", Period], "Figure"]


@dataclass(frozen=True)
class Row:
    kpi: Kpi
    target: Target
    value: float | None
    previous: float | None
    change: float | None
    meets: bool | None
    counted: tuple[Ref, ...]
    left_out: tuple[Left, ...]
    details: dict[str, float | None]
    hits: tuple[Ref, ...]
    history: tuple[float | None, ...]
    """The figure over consecutive equal periods ending with this one, oldest first."""


def periods_ending(period: Period, count: int) -> list[Period]:
    """`count` consecutive equal periods ending with `period`, oldest first."""
    found = [period]
    while len(found) < count:
        found.insert(0, found[0].previous())
    return found


def _durations(kpi: Callable[[Sequence[ik.IncidentRecord], Period], Durations]) -> Figurer:
    def figure(loaded: Loaded, period: Period) -> Figure:
        found = kpi(loaded.incidents, period)
        return Figure(found.mean, found.counted, found.left_out, _summary(found))

    return figure


def _of_ratio(found: Ratio) -> Figure:
    parts = {"numerator": found.numerator, "denominator": found.denominator}
    return Figure(found.value, found.counted, found.left_out, dict(parts), found.hits)


def _customer_impact(loaded: Loaded, period: Period) -> Figure:
    found = ik.customer_impact(loaded.incidents, period)
    return Figure(found.minutes, found.counted, found.left_out)


def _incident_rate(loaded: Loaded, period: Period) -> Figure:
    found = ik.incident_rate(loaded.incidents, period)
    counts: dict[str, float | None] = {str(s): n for s, n in found.counts.items()}
    return Figure(sum(found.per_week.values()), found.counted, (), counts)


def _mtta(pick: Callable[[Durations], float | None]) -> Figurer:
    def figure(loaded: Loaded, period: Period) -> Figure:
        found = pk.mtta(loaded.groups, period).durations
        return Figure(pick(found), found.counted, found.left_out, _summary(found))

    return figure


def _pages(load: Callable[..., pk.Load]) -> Figurer:
    def figure(loaded: Loaded, period: Period) -> Figure:
        sent = tuple(f"{p.group_id}:{p.user}" for p in loaded.pages if period.holds(p.sent_at))
        return Figure(load(loaded.pages, loaded.shifts, period).per, sent)

    return figure


def _dora(pick: Callable[[dora.Figures], float | None]) -> Figurer:
    def figure(loaded: Loaded, period: Period) -> Figure:
        found = loaded.dora_figures(period)
        mine = tuple(d.id for d in loaded.deploys if period.holds(d.finished_at))
        return Figure(pick(found), mine)

    return figure


def runbook_instant(period: Period, now: datetime | None) -> datetime:
    """Where the runbook KPIs of a period are read: its end, or now while it runs."""
    return period.end if now is None else min(period.end, now)


def _runbook_coverage(loaded: Loaded, period: Period) -> Figure:
    end = period.end
    found = rb.coverage(loaded.paged_rules.get(end, ()), loaded.runbooks.get(end, ()))
    counted = [f"{r.alertname}/{r.service or '-'}" for r in (*found.covered, *found.uncovered)]
    hits = [f"{r.alertname}/{r.service or '-'}" for r in found.covered]
    parts = {"top_20": found.top_value, "tier_0_1": found.critical_value}
    ratio = _of_ratio(Ratio(len(hits), len(counted), tuple(counted), tuple(hits)))
    return replace(ratio, details={**ratio.details, **parts})


def _runbook_freshness(loaded: Loaded, period: Period) -> Figure:
    kept = loaded.runbooks.get(period.end, ())
    found = rb.freshness(kept, runbook_instant(period, loaded.now).date())
    return _of_ratio(Ratio(len(found.fresh), len(kept), tuple(r.name for r in kept), found.fresh))


def _first_day_from(instant: datetime) -> date:
    """The first day whose midnight (UTC) is at or after `instant`."""
    day = instant.astimezone(UTC).date()
    midnight = datetime.combine(day, time(), UTC)
    return day if midnight == instant else day + timedelta(days=1)


def _toil_ratio(loaded: Loaded, period: Period) -> Figure:
    """The selection's teams together: their toil hours over their capacity (KPIS.md). A
    day's toil belongs to the period holding its midnight (UTC); capacity counts the period's
    length in weeks."""
    start, end = _first_day_from(period.start), _first_day_from(period.end)
    weeks = (period.end - period.start) / timedelta(weeks=1)
    found = {
        team: toil_model.toil_ratio(loaded.toil, team, members, start, end)
        for team, members in sorted(loaded.teams.items())
    }
    capacities = {
        team: members * toil_model.HOURS_PER_WEEK * weeks for team, members in loaded.teams.items()
    }
    toil, capacity = sum(r.toil_hours for r in found.values()), sum(capacities.values())
    counted = tuple(ref for r in found.values() for ref in r.entries)
    details: dict[str, float | None] = {"toil_hours": toil, "capacity_hours": capacity}
    details |= {
        f"team:{team}": r.toil_hours / capacities[team] if capacities[team] else None
        for team, r in found.items()
    }
    return Figure(toil / capacity if capacity else None, counted, (), details)


def _automation_savings(loaded: Loaded, period: Period) -> Figure:
    """Hours automation saved in the period, per month of 30 days."""
    runs = [r for r in loaded.runs if period.holds(r.at)]
    days = (period.end - period.start).total_seconds() / 86400
    hours = sum(r.hours_saved for r in runs)
    counted = tuple(f"{r.automation}@{r.at:%Y-%m-%dT%H:%M}" for r in runs)
    return Figure(hours * 30 / days, counted, (), {"hours": hours, "runs": len(runs)})


def _dr_readiness(loaded: Loaded, period: Period) -> Figure:
    """DR tests run in the period (a run day belongs to the period holding its midnight, UTC)
    that met both targets, over those tests; `tier:N` details per tier."""
    start, end = _first_day_from(period.start), _first_day_from(period.end)
    ran = [d for d in loaded.drills if start <= d.ran_on < end]
    found = dr_model.readiness_by_tier(ran, start, end)
    passed = tuple(d.id for d in ran if d.passed)
    figure = _of_ratio(Ratio(len(passed), len(ran), tuple(d.id for d in ran), passed))
    figure.details.update({f"tier:{r.tier}": r.value for r in found})
    return figure


def _monitoring_coverage(loaded: Loaded, period: Period) -> Figure:
    """Tier-0/1 services with an SLO, a burn-rate page and a dashboard link, over tier-0/1
    services. The configuration keeps no history: only a period reaching the moment the
    table is read has the figure."""
    if loaded.now is not None and period.end < loaded.now:
        return Figure(None)
    critical = {name: ok for name, (tier, ok) in sorted(loaded.monitored.items()) if tier <= 1}
    hits = tuple(name for name, ok in critical.items() if ok)
    return _of_ratio(Ratio(len(hits), len(critical), tuple(critical), hits))


def _capacity_headroom(loaded: Loaded, period: Period) -> Figure:
    """The tightest resource's (limit - P95) / limit over its points in the period; each
    resource's in `details`."""
    start, end = period.start.timestamp(), period.end.timestamp()
    found: dict[str, float] = {}
    left = []
    for reading in loaded.capacity:
        if reading.series is None:
            left.append(Left(reading.resource, reading.problem))
            continue
        times = reading.series.times
        inside = reading.series.values[(times >= start) & (times < end)]
        if len(inside) == 0:
            left.append(Left(reading.resource, "no points in the period"))
            continue
        found[reading.resource] = capacity_model.headroom(inside, reading.limit)
    value = min(found.values()) if found else None
    details: dict[str, float | None] = {f"resource:{k}": v for k, v in found.items()}
    return Figure(value, tuple(found), tuple(left), details)


def _forecast_accuracy(loaded: Loaded, period: Period) -> Figure:
    """The mean error (MAPE, or sMAPE near zero) of each resource's forecast of the last season
    before the period's end, held out of its fit; the seasonal-naive forecast's alongside."""
    found: dict[str, capacity_model.Accuracy] = {}
    left = []
    for reading in loaded.capacity:
        series = reading.until(period.end.timestamp())
        if series is None:
            left.append(Left(reading.resource, reading.problem))
            continue
        try:
            found[reading.resource] = capacity_model.backtest(series, reading.season)
        except Invalid as exc:
            left.append(Left(reading.resource, exc.message))
    if not found:
        return Figure(None, (), tuple(left))
    details: dict[str, float | None] = {f"resource:{k}": a.model for k, a in found.items()}
    details["seasonal_naive"] = sum(a.naive for a in found.values()) / len(found)
    value = sum(a.model for a in found.values()) / len(found)
    return Figure(value, tuple(found), tuple(left), details)


FIGURES: dict[str, Figurer] = {
    "mttd": _durations(ik.time_to_detect),
    "time_to_acknowledge": _durations(ik.time_to_acknowledge),
    "time_to_mitigate": _durations(ik.time_to_mitigate),
    "mttr": _durations(ik.time_to_recover),
    "customer_impact": _customer_impact,
    "incident_rate": _incident_rate,
    "recurrence_rate": lambda loaded, period: _of_ratio(
        ik.recurrence_rate(loaded.incidents, period, loaded.recurrence_pool)
    ),
    "postmortem_timeliness": lambda loaded, period: _of_ratio(
        ik.postmortem_timeliness(loaded.incidents, period)
    ),
    "action_item_closure": lambda loaded, period: _of_ratio(
        ik.action_item_closure(loaded.items, period)
    ),
    "mtta_p50": _mtta(lambda d: d.p50),
    "mtta_p90": _mtta(lambda d: d.p90),
    "pages_per_shift": _pages(pk.pages_per_shift),
    "pages_per_on_call_hour": _pages(pk.pages_per_on_call_hour),
    "actionable_ratio": lambda loaded, period: _of_ratio(
        pk.actionable_ratio(loaded.groups, period)
    ),
    "noise_ratio": lambda loaded, period: _of_ratio(pk.noise_ratio(loaded.groups, period)),
    "deployment_frequency": _dora(lambda f: f.per_week),
    "change_failure_rate": _dora(lambda f: f.change_failure_rate),
    "rollback_rate": _dora(lambda f: f.rollback_rate),
    "runbook_coverage": _runbook_coverage,
    "runbook_freshness": _runbook_freshness,
    "toil_ratio": _toil_ratio,
    "automation_savings": _automation_savings,
    "dr_readiness": _dr_readiness,
    "monitoring_coverage": _monitoring_coverage,
    "capacity_headroom": _capacity_headroom,
    "forecast_accuracy": _forecast_accuracy,
}


def change(value: float | None, previous: float | None) -> float | None:
    """The relative change against the period before; None when either is no data or the
    previous is 0 (no finite change)."""
    if value is None or previous is None or previous == 0:
        return None
    return (value - previous) / abs(previous)


def rows(
    loaded: Loaded, period: Period, targets: dict[str, Target] | None = None, history: int = 2
) -> list[Row]:
    """Every KPI of the catalogue for `period`, with its change against the period before and
    its values over `history` periods (at least the two compared)."""
    periods = periods_ending(period, max(history, 2))
    found = []
    for kpi in CATALOGUE:
        before = [FIGURES[kpi.key](loaded, p).value for p in periods[:-1]]
        now = FIGURES[kpi.key](loaded, period)
        target = (targets or {}).get(kpi.key, kpi.target)
        moved = change(now.value, before[-1])
        found.append(
            Row(
                kpi,
                target,
                now.value,
                before[-1],
                moved,
                target.meets(now.value, moved),
                now.counted,
                now.left_out,
                now.details,
                now.hits,
                (*before, now.value),
            )
        )
    return found
