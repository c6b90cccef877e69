"""Runbook coverage read from the database: the rules that paged come from the paging domain,
above this one, through the extension point below."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ninefold.domains import extensions
from ninefold.runbooks import model, service
from ninefold.runbooks.schemas import CoverageOut, UncoveredRule

PAGED_RULES = "runbooks.coverage.paged_rules"
"""Where the paging domain hands the rules that paged:
`(session, since, until) -> list[model.PagedRule]`."""

WINDOW = timedelta(days=90)
"""KPIS.md: the rules that paged in the last 90 days."""


def paged_rules(session: Session, since: datetime, until: datetime) -> list[model.PagedRule]:
    return [r for source in extensions(PAGED_RULES) for r in source(session, since, until)]


def coverage(session: Session, until: datetime, days: int = WINDOW.days) -> CoverageOut:
    since = until - timedelta(days=days)
    found = model.coverage(paged_rules(session, since, until), service.kept(session))
    return CoverageOut(
        since=since,
        until=until,
        rules=found.rules,
        covered=len(found.covered),
        coverage=found.value,
        top=model.TOP,
        top_coverage=found.top_value,
        critical_coverage=found.critical_value,
        uncovered=[
            UncoveredRule(alertname=r.alertname, service=r.service, tier=r.tier, pages=r.pages)
            for r in found.uncovered
        ],
    )
