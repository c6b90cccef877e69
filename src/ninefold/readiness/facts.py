"""The facts readiness rules judge, read from the live records of every domain at once: the
catalog, the on-call schedules, the SLO files of the configuration directory, the alerts
that paged, the runbooks, the DR tests and the incidents."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from ninefold.catalog import service as catalog
from ninefold.dr import service as dr
from ninefold.incidents import standing
from ninefold.incidents.model import Severity
from ninefold.oncall import service as schedules
from ninefold.readiness.model import LOOKBACK_DAYS, ON_CALL_DAYS, Facts
from ninefold.runbooks import coverage
from ninefold.slos.spec.loader import DEFAULT_PERIOD, SLO_DIRECTORY, load


def _gap_hours(session: Session, now: datetime) -> dict[str, dict[str, int]]:
    """Per team, each of its schedules with the hours (rounded up) left uncovered ahead."""
    end = now + timedelta(days=ON_CALL_DAYS)
    found: dict[str, dict[str, int]] = {}
    for row in schedules.all_rows(session):
        team = schedules.spec_of(row).team
        if team is None:
            continue
        gaps = schedules.model(session, row, now, end).gaps(now, end)
        seconds = sum((g.end - g.start).total_seconds() for g in gaps)
        found.setdefault(team, {})[row.name] = int(-(-seconds // 3600))
    return found


def _slos(config_dir: Path) -> dict[str, dict[str, bool]]:
    """Per service, its SLOs with whether each pages on a fast burn."""
    if not (config_dir / SLO_DIRECTORY).is_dir():
        return {}
    found: dict[str, dict[str, bool]] = {}
    # The SLO files alone: their services are judged against the catalog in the database, so
    # the rest of the configuration directory need not be read as `loader.read` would.
    for slo in load([config_dir / SLO_DIRECTORY], period=DEFAULT_PERIOD).slos:
        pages = slo.alerting.page.enabled and bool(slo.alerting.conditions)
        found.setdefault(slo.service, {})[slo.name] = pages
    return found


def monitored(session: Session, config_dir: Path) -> dict[str, tuple[int, bool]]:
    """Per service, its tier and whether it is monitored as KPIS.md's monitoring coverage
    counts it: an SLO, each SLO paging on a fast burn, and a dashboard link."""
    slos = _slos(config_dir)
    return {
        s.name: (
            s.tier,
            bool(slos.get(s.name)) and all(slos[s.name].values()) and bool(s.dashboards),
        )
        for s in catalog.all_services(session)
    }


def gather(session: Session, config_dir: Path, now: datetime) -> list[Facts]:
    """The facts of every service, by name."""
    today = now.date()
    members = {t.name: len(t.members) for t in catalog.all_teams(session)}
    gaps = _gap_hours(session, now)
    slos = _slos(config_dir)
    uncovered: dict[str, list[str]] = {}
    for rule in coverage.coverage(session, now).uncovered:
        if rule.service is not None:
            uncovered.setdefault(rule.service, []).append(rule.alertname)
    drs = {s.service: s for s in dr.service_standing(session, today)}
    late = standing.late_postmortems(session, now - timedelta(days=LOOKBACK_DAYS), now)
    items = standing.overdue_items(session, today, Severity.SEV1)
    found = []
    for service in catalog.all_services(session):
        name = service.name
        found.append(
            Facts(
                service=name,
                tier=service.tier,
                owner=service.owner,
                owner_members=members.get(service.owner, 0),
                schedules=gaps.get(service.owner, {}),
                slos=slos.get(name, {}),
                uncovered_rules=tuple(uncovered.get(name, ())),
                dashboards=len(service.dashboards),
                dr_due=drs[name].due,
                dr_overdue=drs[name].overdue,
                dr_last_pass=drs[name].last_pass,
                late_postmortems=tuple(late.get(name, ())),
                overdue_sev1_items=tuple(items.get(name, ())),
            )
        )
    return sorted(found, key=lambda f: f.service)
