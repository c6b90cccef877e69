"""The SLOs the web pages show: the specs of the configuration directory, each with its
status and burn-down from the configured data source.

A page view must not cost a month of Prometheus range queries, so results are kept for
`ttl`, measured on the clock the caller reads `now` from; specs are read again at the same
pace, so an edited spec shows within that time without a restart. A data source that fails
is shown on the SLO, never as a page error.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from ninefold.errors import NinefoldError
from ninefold.slos.core.burndown import BurnDown, burn_down
from ninefold.slos.core.model import Slo
from ninefold.slos.sources.configured import CountSource
from ninefold.slos.sources.report import Report, history_start, report_of
from ninefold.slos.spec.loader import read

DEFAULT_PERIOD = timedelta(days=30)


@dataclass(frozen=True)
class SloView:
    slo: Slo
    report: Report | None = None
    burn: BurnDown | None = None
    error: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return self.slo.service, self.slo.name

    @property
    def budget_remaining(self) -> float | None:
        return self.report.status.budget_remaining if self.report else None


@dataclass(frozen=True)
class Snapshot:
    at: datetime  # the minute the statuses are computed for
    source: str
    taken: datetime
    views: tuple[SloView, ...] = ()
    problems: tuple[str, ...] = ()

    def by_budget(self) -> list[SloView]:
        """Least budget left first; SLOs without a status last, by name."""
        return sorted(
            self.views,
            key=lambda v: (v.budget_remaining is None, v.budget_remaining or 0.0, v.key),
        )

    def find(self, service: str, name: str) -> SloView | None:
        return next((v for v in self.views if v.key == (service, name)), None)


@dataclass
class SloBoard:
    config_dir: Path
    source: CountSource
    source_name: str
    ttl: timedelta = timedelta(seconds=60)
    _snapshot: Snapshot | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self, now: datetime) -> Snapshot:
        """The statuses as of `now`, or those taken less than `ttl` before it."""
        with self._lock:
            kept = self._snapshot
            if kept is None or not kept.taken <= now < kept.taken + self.ttl:
                self._snapshot = kept = self._take(now)
            return kept

    def _take(self, taken: datetime) -> Snapshot:
        now = taken.replace(second=0, microsecond=0)
        if not (self.config_dir / "slos").is_dir():
            return Snapshot(now, self.source_name, taken)
        spec_set, _ = read([self.config_dir], DEFAULT_PERIOD)
        views = tuple(self._view(slo, now) for slo in spec_set.slos)
        problems = tuple(str(p) for p in spec_set.problems)
        return Snapshot(now, self.source_name, taken, views, problems)

    def _view(self, slo: Slo, now: datetime) -> SloView:
        try:
            counts = self.source(slo, history_start(slo, now), now)
        except NinefoldError as exc:
            return SloView(slo, error=exc.message)
        return SloView(
            slo,
            report_of(slo, counts, now),
            burn_down(slo, counts.timestamps, counts.good, counts.total, now),
        )
