"""The count source the settings name (`slo_source`): Prometheus, or the demo's sample data.
The SLO pages read it through their board, postmortems to price an incident's impact."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ninefold.adapters.prometheus import PrometheusClient
from ninefold.settings import Settings
from ninefold.slos.core.model import Slo
from ninefold.slos.sources.prometheus import Counts, prometheus_counts
from ninefold.slos.sources.sample import sample_counts

PROMETHEUS_TIMEOUT = 10.0
CountSource = Callable[[Slo, datetime, datetime], Counts]
"""Counts of an SLO for the steps ending in (start, end]."""


def count_source(settings: Settings) -> tuple[CountSource, str]:
    """The source, and how pages name it."""
    if settings.slo_source == "sample":
        return sample_counts, "sample data (ninefold demo)"
    client = PrometheusClient(settings.prometheus_url, timeout=PROMETHEUS_TIMEOUT)
    return (
        lambda slo, start, end: prometheus_counts(client, slo, start, end),
        f"Prometheus at {settings.prometheus_url}",
    )
