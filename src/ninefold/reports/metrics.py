"""The KPIs as Prometheus gauges on `/metrics`, so that Grafana charts them next to
everything else (docs/kpis.md, "Prometheus").

Every KPI of the last 30 days (a rolling window ending at the scrape) is one gauge,
`ninefold_kpi_<key>[_seconds|_ratio]` (durations in seconds, Prometheus' base unit), with the
labels `team`, `service`, `tier` and `severity`; a series sets at most one of them (none: all
services). Cardinality is bounded by the catalog, not by traffic: per KPI, one series for
everything, one per team, one per tier (0-3), one per service of tier 0 or 1, and one per
severity for the incident and action item KPIs, so at most 18 x (1 + teams + 4 + tier-0/1
services) + 9 x 4 series, and as many of `ninefold_kpi_meets_target` (1 or 0) at most. A KPI
without data has no sample (absent, not 0).

The figures are computed at most once a minute per process (`TTL`), from the records loaded
once and narrowed per selection: a scrape every 15 seconds costs one computation a minute.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker

from ninefold.changes.dora import Period
from ninefold.changes.dora_report import Selection, services_of
from ninefold.clock import Clock
from ninefold.incidents.model import Severity
from ninefold.reports import kpis, table, targets
from ninefold.reports.catalogue import CATALOGUE, Kpi, Target
from ninefold.settings import Settings

WINDOW = timedelta(days=30)
TTL = timedelta(seconds=60)
LABELS = ("team", "service", "tier", "severity")
PER_SERVICE_TIERS = (0, 1)
SEVERITY_RECORDS = ("incident", "action item")
"""The KPIs a severity narrows: those of incidents and of their action items."""
BASE_UNITS = {
    "minutes": ("_seconds", 60.0),
    "hours": ("_seconds", 3600.0),
    "ratio": ("_ratio", 1.0),
}
"""Durations in seconds, Prometheus' base unit (the KPI table's minutes x 60)."""


def metric_name(kpi: Kpi) -> str:
    return f"ninefold_kpi_{kpi.key}{BASE_UNITS.get(kpi.unit, ('', 1.0))[0]}"


def in_base_unit(kpi: Kpi, value: float) -> float:
    return value * BASE_UNITS.get(kpi.unit, ("", 1.0))[1]


@dataclass(frozen=True)
class Sample:
    kpi: str
    labels: tuple[str, str, str, str]
    value: float
    meets: bool | None


def samples(
    loaded: table.Loaded,
    owners: dict[str, tuple[str, int]],
    period: Period,
    found_targets: dict[str, Target],
) -> list[Sample]:
    """Every KPI for every selection of the module's docstring."""
    selections: list[tuple[tuple[str, str, str, str], table.Loaded]] = [(("", "", "", ""), loaded)]
    for team in sorted({team for team, _ in owners.values()}):
        mine = {s for s, (owner, _) in owners.items() if owner == team}
        selections.append(((team, "", "", ""), loaded.narrowed(mine, team)))
    for tier in range(4):
        mine = {s for s, (_, level) in owners.items() if level == tier}
        selections.append((("", "", str(tier), ""), loaded.narrowed(mine)))
    for service, (_, tier) in sorted(owners.items()):
        if tier in PER_SERVICE_TIERS:
            selections.append((("", service, "", ""), loaded.narrowed({service})))
    found = []
    for labels, narrowed in selections:
        for row in table.rows(narrowed, period, found_targets):
            if row.value is not None:
                found.append(Sample(row.kpi.key, labels, row.value, row.meets))
    for severity in Severity:
        narrowed = table.of_severity(loaded, severity)
        for row in table.rows(narrowed, period, found_targets):
            if row.kpi.records in SEVERITY_RECORDS and row.value is not None:
                found.append(Sample(row.kpi.key, ("", "", "", str(severity)), row.value, row.meets))
    return found


def families(found: list[Sample]) -> list[Metric]:
    gauges = {
        kpi.key: GaugeMetricFamily(metric_name(kpi), f"{kpi.title}, last 30 days", labels=LABELS)
        for kpi in CATALOGUE
    }
    meets = GaugeMetricFamily(
        "ninefold_kpi_meets_target",
        "1 when the KPI meets its target over the last 30 days, 0 when not",
        labels=("kpi", *LABELS),
    )
    by_key = {kpi.key: kpi for kpi in CATALOGUE}
    for sample in found:
        gauges[sample.kpi].add_metric(sample.labels, in_base_unit(by_key[sample.kpi], sample.value))
        if sample.meets is not None:
            meets.add_metric((sample.kpi, *sample.labels), float(sample.meets))
    return [*gauges.values(), meets]


class KpiCollector(Collector):
    """Computes the samples on a scrape at most once per `TTL` (a lock keeps two scrapes
    from computing them twice)."""

    def __init__(self, factory: sessionmaker[Session], settings: Settings, clock: Clock) -> None:
        self.factory = factory
        self.settings = settings
        self.clock = clock
        self._lock = threading.Lock()
        self._kept: tuple[datetime, list[Sample]] | None = None

    def collect(self) -> Iterator[Metric]:
        yield from families(self._samples())

    def describe(self) -> Iterator[Metric]:
        """What it exports, without computing anything (registering calls it)."""
        return iter(families([]))

    def _samples(self) -> list[Sample]:
        now = self.clock()
        with self._lock:
            if self._kept is None or not self._kept[0] <= now < self._kept[0] + TTL:
                self._kept = (now, self._compute(now))
            return self._kept[1]

    def _compute(self, now: datetime) -> list[Sample]:
        period = Period(now - WINDOW, now)
        with self.factory() as session:
            owners = services_of(session, Selection())
            loaded = kpis.load(session, period, Selection(), now=now, settings=self.settings)
        found = targets.configured(self.settings.config_dir)
        return samples(loaded, owners, period, found)


def collector(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> Collector:
    return KpiCollector(factory, settings, clock)
