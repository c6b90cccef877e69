"""How much error budget an incident burned: for each SLO of the impacted services, the bad
events of the impact window against the budget of the SLO's period ending with it.

"This incident used 23% of checkout's 30-day budget": bad events in [impact start, impact
end), over (1 - objective) x the events of [impact end - period, impact end). The SRE
workbook's error budget policy asks for a postmortem when one incident uses more than 20%.
Counts come from the configured source (Prometheus, or the demo's sample) per minute; a
step counts in the window when it ends inside it. SLOs budgeted by time slices, and
composites read as their components, are listed with the reason they are not priced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from ninefold.errors import NinefoldError
from ninefold.settings import Settings
from ninefold.slos.core.model import Slo
from ninefold.slos.sources.configured import CountSource, count_source
from ninefold.slos.sources.prometheus import Counts
from ninefold.slos.spec.loader import read
from ninefold.slos.web.board import DEFAULT_PERIOD

POLICY_SHARE = 0.20
"""One incident using more than this share of a budget requires a postmortem."""


@dataclass(frozen=True)
class Burn:
    service: str
    slo: str
    objective: float
    period: timedelta
    bad: float | None = None
    allowance: float | None = None
    """Bad events the period's budget allows."""
    share: float | None = None
    """bad / allowance; None when it cannot be computed (see `why`)."""
    why: str = ""

    @property
    def requires_postmortem(self) -> bool:
        return self.share is not None and self.share > POLICY_SHARE


def burn_of(slo: Slo, counts: Counts, start: datetime, end: datetime) -> Burn:
    """The burn of [start, end) from `counts` covering at least the period ending at `end`."""
    base = Burn(slo.service, slo.name, slo.objective, slo.period)
    if slo.budgeting != "Occurrences":
        return Burn(**{**base.__dict__, "why": f"{slo.budgeting} budgeting: not priced"})
    if slo.components:
        return Burn(**{**base.__dict__, "why": "a composite: see its components"})
    stamps = counts.timestamps
    bad = counts.total - counts.good
    period = (stamps > (end - slo.period).timestamp()) & (stamps <= end.timestamp())
    inside = (stamps > start.timestamp()) & (stamps <= end.timestamp())
    allowance = float(slo.budget * np.sum(counts.total[period]))
    spent = float(np.sum(bad[inside]))
    if allowance <= 0:
        return Burn(**{**base.__dict__, "bad": spent, "why": "no events in the period"})
    return Burn(
        **{**base.__dict__, "bad": spent, "allowance": allowance, "share": spent / allowance}
    )


def burns(
    source: CountSource,
    slos: Sequence[Slo],
    services: Sequence[str],
    start: datetime,
    end: datetime,
) -> list[Burn]:
    found = []
    for slo in slos:
        if slo.service not in services:
            continue
        try:
            counts = source(slo, end - slo.period, end)
        except NinefoldError as exc:
            found.append(Burn(slo.service, slo.name, slo.objective, slo.period, why=exc.message))
            continue
        found.append(burn_of(slo, counts, start, end))
    return found


@dataclass(frozen=True)
class Pricer:
    """The SLOs of a configuration directory and where their counts come from, read once:
    `pricer(services, start, end)` gives the burns of the SLOs of `services`."""

    source: CountSource
    slos: Sequence[Slo]

    @classmethod
    def of(cls, settings: Settings) -> Pricer:
        config = Path(settings.config_dir)
        slos = read([config], DEFAULT_PERIOD)[0].slos if (config / "slos").is_dir() else []
        return cls(count_source(settings)[0], slos)

    def __call__(self, services: Sequence[str], start: datetime, end: datetime) -> list[Burn]:
        return burns(self.source, self.slos, services, start, end)
