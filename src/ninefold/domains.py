"""Every domain of Ninefold, in dependency order: a domain may use those before it, never
those after it (tests/test_architecture.py holds the code to that). The edges (app, cli,
tables, jobs, web pages, config) read this list; see `ninefold.domain`."""

from __future__ import annotations

from typing import Any

from ninefold import (
    alerts,
    auth,
    capacity,
    catalog,
    changes,
    dr,
    incidents,
    oncall,
    paging,
    readiness,
    reports,
    risks,
    runbooks,
    slos,
    toil,
    worker,
)
from ninefold.domain import Domain, load

DOMAINS: tuple[Domain, ...] = (
    auth.DOMAIN,
    catalog.DOMAIN,
    worker.DOMAIN,
    changes.DOMAIN,
    slos.DOMAIN,
    alerts.DOMAIN,
    runbooks.DOMAIN,
    oncall.DOMAIN,
    paging.DOMAIN,
    incidents.DOMAIN,
    toil.DOMAIN,
    dr.DOMAIN,
    readiness.DOMAIN,
    capacity.DOMAIN,
    risks.DOMAIN,
    reports.DOMAIN,
)


def extensions(point: str) -> list[Any]:
    """The callables every domain hands to `point`, in domain order."""
    return [load(e.ref) for d in DOMAINS for e in d.extensions if e.point == point]
