"""The incident KPIs of KPIS.md, pure: plain records in, figures out, each with the records it
counted and those it left out and why.

Periods are half-open `[start, end)` on UTC instants. An incident belongs to the period that
holds its anchor: its impact start, or its declaration when no impact start is known; for
postmortem timeliness, its resolution. The instants are the effective ones (detected from the
first linked group or the declaration, acknowledged from the groups, impact end defaulting to
mitigated: `incidents.model.effective`). Durations are in minutes on UTC instants.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from itertools import pairwise

from ninefold.changes.dora import Period
from ninefold.incidents.model import RECURRENCE_WINDOW, Instants, Severity, anchor
from ninefold.reports.figures import Durations, Left, Ratio, durations, ratio


@dataclass(frozen=True)
class IncidentRecord:
    id: int
    severity: Severity
    services: tuple[str, ...]
    category: str | None
    instants: Instants
    """Effective instants."""
    reviewed_at: datetime | None = None
    """When its postmortem reached "reviewed", if it did."""
    deadline: datetime | None = None
    """When its postmortem is due reviewed: the severity's business days after resolution in
    the owning team's calendar (the caller knows the calendar)."""


def in_period(incidents: Iterable[IncidentRecord], period: Period) -> list[IncidentRecord]:
    return [i for i in incidents if period.holds(anchor(i.instants))]


def _minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


Span = tuple[str, str]
"""(from instant, to instant) by field name of `Instants`."""


def _spanned(incidents: Sequence[IncidentRecord], period: Period, span: Span) -> Durations:
    first, last = span
    values, left = [], []
    for incident in in_period(incidents, period):
        start, end = getattr(incident.instants, first), getattr(incident.instants, last)
        if start is None or end is None:
            missing = first if start is None else last
            left.append(Left(incident.id, f"no {missing.replace('_', ' ')}"))
            continue
        values.append((incident.id, _minutes(start, end)))
    return durations(values, left)


def time_to_detect(incidents: Sequence[IncidentRecord], period: Period) -> Durations:
    return _spanned(incidents, period, ("impact_start", "detected"))


def time_to_acknowledge(incidents: Sequence[IncidentRecord], period: Period) -> Durations:
    return _spanned(incidents, period, ("detected", "acknowledged"))


def time_to_mitigate(incidents: Sequence[IncidentRecord], period: Period) -> Durations:
    return _spanned(incidents, period, ("impact_start", "mitigated"))


def time_to_recover(incidents: Sequence[IncidentRecord], period: Period) -> Durations:
    return _spanned(incidents, period, ("impact_start", "resolved"))


def by_severity(
    incidents: Sequence[IncidentRecord],
    period: Period,
    kpi: Callable[[Sequence[IncidentRecord], Period], Durations],
) -> dict[Severity, Durations]:
    """A duration KPI per severity (MTTR by severity), every severity present."""
    return {s: kpi([i for i in incidents if i.severity is s], period) for s in Severity}


@dataclass(frozen=True)
class Impact:
    minutes: float
    counted: tuple[int, ...]
    left_out: tuple[Left, ...]


def customer_impact(incidents: Iterable[IncidentRecord], period: Period) -> Impact:
    """Σ of the overlap of [impact start, impact end) with the period, over the incidents
    whose impact overlaps it (not by anchor: an impact across the boundary counts in both
    periods for its part in each)."""
    total, counted, left = 0.0, [], []
    for incident in incidents:
        start, end = incident.instants.impact_start, incident.instants.impact_end
        if start is None or end is None:
            if start is None or period.holds(start):
                missing = "impact start" if start is None else "impact end"
                left.append(Left(incident.id, f"no {missing}"))
            continue
        overlap = _minutes(max(start, period.start), min(end, period.end))
        if overlap > 0:
            total += overlap
            counted.append(incident.id)
    return Impact(total, tuple(counted), tuple(left))


@dataclass(frozen=True)
class Rate:
    counts: dict[Severity, int]
    per_week: dict[Severity, float]
    counted: tuple[int, ...]


def incident_rate(incidents: Sequence[IncidentRecord], period: Period) -> Rate:
    """Incidents per severity anchored in the period, and per week of it."""
    mine = in_period(incidents, period)
    counts = {s: sum(1 for i in mine if i.severity is s) for s in Severity}
    weeks = period.days / 7
    return Rate(
        counts,
        {s: n / weeks for s, n in counts.items()},
        tuple(i.id for i in mine),
    )


@dataclass(frozen=True)
class Between:
    mean_hours: float | None
    gaps: int
    counted: tuple[int, ...]
    left_out: tuple[Left, ...]


def mtbi(incidents: Sequence[IncidentRecord], period: Period, service: str) -> Between:
    """Mean gap between the impact starts of consecutive significant incidents of `service`
    whose impact starts in the period; needs two (else no data)."""
    starts, left = [], []
    for incident in incidents:
        if not incident.severity.significant or service not in incident.services:
            continue
        start = incident.instants.impact_start
        if start is None:
            if period.holds(incident.instants.declared):
                left.append(Left(incident.id, "no impact start"))
            continue
        if period.holds(start):
            starts.append((start, incident.id))
    starts.sort()
    gaps = [(b[0] - a[0]).total_seconds() / 3600 for a, b in pairwise(starts)]
    return Between(
        sum(gaps) / len(gaps) if gaps else None,
        len(gaps),
        tuple(i for _, i in starts),
        tuple(left),
    )


class Recurrences:
    """Which earlier incidents each incident repeats (any severity; a service in common, the
    same category, an impact start in [own - 90 x 24 h, own)), over `everyone` indexed once
    by service and category: a quarter of a large catalog holds thousands of incidents."""

    def __init__(self, everyone: Iterable[IncidentRecord]) -> None:
        index: dict[tuple[str, str], list[tuple[datetime, int]]] = defaultdict(list)
        for other in everyone:
            start = other.instants.impact_start
            if other.category is None or start is None:
                continue
            for service in set(other.services):
                index[(service, other.category)].append((start, other.id))
        self.index = {key: sorted(found) for key, found in index.items()}

    def of(self, incident: IncidentRecord) -> list[int]:
        own = incident.instants.impact_start
        if incident.category is None or own is None:
            return []
        found: set[int] = set()
        for service in set(incident.services):
            earlier = self.index.get((service, incident.category), [])
            at = bisect_left(earlier, (own - RECURRENCE_WINDOW, -1))
            while at < len(earlier) and earlier[at][0] < own:
                if earlier[at][1] != incident.id:
                    found.add(earlier[at][1])
                at += 1
        return sorted(found)


def recurrence_rate(
    incidents: Sequence[IncidentRecord],
    period: Period,
    everyone: Sequence[IncidentRecord] | None = None,
) -> Ratio:
    """Recurring significant incidents / significant incidents, of those anchored in the
    period; earlier incidents outside it count as what they repeat. `everyone`: the
    incidents they may repeat (default: `incidents`); a selection's incident repeats one of
    any service it has, selected or not."""
    significant = [i for i in in_period(incidents, period) if i.severity.significant]
    recurrences = Recurrences(incidents if everyone is None else everyone)
    hits = [i.id for i in significant if recurrences.of(i)]
    return ratio([i.id for i in significant], hits)


def postmortem_timeliness(incidents: Iterable[IncidentRecord], period: Period) -> Ratio:
    """Significant incidents resolved in the period whose postmortem was reviewed before its
    deadline / significant incidents resolved in the period. One without a deadline (its
    team's calendar unknown) is left out, saying so."""
    counted, hits, left = [], [], []
    for incident in incidents:
        resolved = incident.instants.resolved
        if not incident.severity.significant or resolved is None or not period.holds(resolved):
            continue
        if incident.deadline is None:
            left.append(Left(incident.id, "no postmortem deadline"))
            continue
        counted.append(incident.id)
        if incident.reviewed_at is not None and incident.reviewed_at < incident.deadline:
            hits.append(incident.id)
    return ratio(counted, hits, left)


@dataclass(frozen=True)
class ItemRecord:
    id: int
    due: date
    closed_on: date | None
    """The date it was closed (done or won't fix), None while open."""
    incident_id: int | None = None
    team: str | None = None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def action_item_closure(items: Iterable[ItemRecord], period: Period) -> Ratio:
    """Items due in the period (a due date belongs to the period holding its midnight UTC)
    closed on or before their due date / items due in the period; open ones are late."""
    due = [i for i in items if period.holds(_midnight(i.due))]
    hits = [i.id for i in due if i.closed_on is not None and i.closed_on <= i.due]
    return ratio([i.id for i in due], hits)
