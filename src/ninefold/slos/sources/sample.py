"""Sample SLI history for the demo (`ninefold demo`, setting `slo_source=sample`): per-minute
counts with daily traffic swings, a low background error rate and a few incidents, so the
SLO pages have something to show before any Prometheus is connected. The pages say the data
is a sample.

Every minute's counts are a function of the SLO and of that minute's absolute time alone, so
a page shows the same history whenever it is drawn, and the incidents stay put as time moves.
"""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta

import numpy as np

from ninefold.slos.core.model import EventsSli, Slo
from ninefold.slos.sources.prometheus import Counts

PEAK, TROUGH = 1200.0, 300.0  # requests a minute
INCIDENT_EVERY = timedelta(days=9)
INCIDENT_LENGTH = timedelta(minutes=40)


def _noise(minutes: np.ndarray, seed: int) -> np.ndarray:
    """A repeatable value in [0, 1) per minute: the fractional part of a scaled sine."""
    value = np.sin(minutes * 12.9898 + seed * 78.233) * 43758.5453
    return value - np.floor(value)


def _seed(service: str, name: str) -> int:
    return zlib.crc32(f"{service}/{name}".encode()) % 10_000


def incident_starts(service: str, name: str, start: datetime, end: datetime) -> list[datetime]:
    """When the sample's incidents of an SLO begin in [start, end): the demo's change history
    puts a deploy just before each, so the burn-down shows which deploy burned the budget."""
    every = int(INCIDENT_EVERY.total_seconds() // 60)
    shift = _seed(service, name) * 37
    minute = int(start.timestamp()) // 60
    first = minute + (-(minute + shift)) % every
    found = []
    while first * 60 < end.timestamp():
        found.append(datetime.fromtimestamp(first * 60, start.tzinfo))
        first += every
    return found


def sample_counts(slo: Slo, start: datetime, end: datetime) -> Counts:
    """Counts for the minutes ending in `(start, end]`."""
    seed = _seed(slo.service, slo.name)
    first = int(start.timestamp()) // 60 + 1
    last = int(end.timestamp()) // 60
    minutes = np.arange(first, last + 1, dtype=np.float64)
    day = (minutes % 1440) / 1440
    traffic = np.round(TROUGH + (PEAK - TROUGH) * (0.5 - 0.5 * np.cos(2 * np.pi * day)))
    # A background error ratio around a third of the budget, and an incident every nine days
    # (at a different hour for each SLO) burning 20 to 80 times the budget, so some SLOs end
    # their period well within budget and others close to spent.
    ratio = slo.budget * 0.6 * _noise(minutes, seed)
    every = INCIDENT_EVERY.total_seconds() / 60
    offset = (minutes + seed * 37) % every
    burn = 20 + seed % 61
    ratio = np.where(offset < INCIDENT_LENGTH.total_seconds() / 60, slo.budget * burn, ratio)
    ratio = np.clip(ratio, 0.0, 1.0)
    if isinstance(slo.sli, EventsSli):
        bad = np.floor(traffic * ratio + _noise(minutes, seed + 1))
        return Counts(minutes * 60, traffic - bad, traffic)
    ones = np.ones_like(minutes)
    return Counts(minutes * 60, ones - ratio, ones)
