"""The DORA table: deploys read from the database, grouped by service, team or tier, and
handed to the pure figures of `dora` for a period and the one before it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ninefold.catalog import service as catalog
from ninefold.changes import dora
from ninefold.changes.chain import Role
from ninefold.changes.links import DEFAULT_WINDOW
from ninefold.changes.schemas import DoraFigures, DoraReport, DoraRow, DoraTiers
from ninefold.changes.tables import Change, ChangeCommit
from ninefold.domains import extensions
from ninefold.errors import Invalid

GroupBy = Literal["all", "service", "team", "tier"]


@dataclass(frozen=True)
class Selection:
    """Which services: all, or those of a team, a tier or one service."""

    team: str | None = None
    service: str | None = None
    tier: int | None = None


INCIDENTS = "changes.dora.incidents"
"""The extension point where the incidents domain hands DORA its incidents:
`(session, start, end) -> list[dora.Incident]`, those whose impact began in [start, end)."""


@dataclass(frozen=True)
class Loaded:
    """What the figures of a period and the one before it are computed from, read once."""

    period: dora.Period
    owners: dict[str, tuple[str, int]]
    deploys: list[dora.Deploy]
    depends_on: dict[str, list[str]]
    incidents: list[dora.Incident] = field(default_factory=list)
    links: dora.Links | None = None
    """The incident links, made over the deploys of the selection's neighbourhood: a group's
    figures count its own deploys, judged on links made over all of them."""


def load(session: Session, period: dora.Period, selection: Selection) -> Loaded:
    owners = services_of(session, selection)
    start, end = period.previous().start - DEFAULT_WINDOW, period.end + DEFAULT_WINDOW
    graph = catalog.dependency_graph(session)
    near = neighbourhood(set(owners), graph)
    linked = load_deploys(session, sorted(near), start, end)
    incidents = [i for source in extensions(INCIDENTS) for i in source(session, start, end)]
    naming = link_candidates(session, sorted(near), start, end)
    links = dora.incident_links([*linked, *naming], incidents, graph)
    deploys = [d for d in linked if d.service in owners]
    return Loaded(period, owners, deploys, graph, incidents, links)


def neighbourhood(services: set[str], graph: dict[str, list[str]]) -> set[str]:
    """The services whose deploys may be linked to an incident that could be linked to a
    deploy of `services`: those, the services depending on them, and what all of those
    depend on (the link rule looks at a service and its direct dependencies)."""
    dependents = {name for name, needs in graph.items() if services & set(needs)}
    near = services | dependents
    return near | {need for name in near for need in graph.get(name, [])}


def report(
    session: Session, period: dora.Period, selection: Selection, group_by: GroupBy = "all"
) -> DoraReport:
    return table(load(session, period, selection), group_by)


def table(loaded: Loaded, group_by: GroupBy = "all") -> DoraReport:
    """A row per group of the loaded services, each with the period before it."""
    key = _grouping(group_by, loaded.owners)
    groups: dict[str, list[dora.Deploy]] = defaultdict(list)
    names = {key(service) for service in loaded.owners} if group_by != "all" else {"all"}
    for deploy in loaded.deploys:
        groups[key(deploy.service)].append(deploy)
    rows = [
        _row(group_by, name, loaded.period, groups.get(name, []), loaded)
        for name in sorted(names, key=_natural)
    ]
    return DoraReport(
        start=loaded.period.start,
        end=loaded.period.end,
        previous_start=loaded.period.previous().start,
        group_by=group_by,
        rows=rows,
    )


def _natural(name: str) -> tuple[int, str]:
    return (int(name), "") if name.isdigit() else (1 << 30, name)


def services_of(session: Session, selection: Selection) -> dict[str, tuple[str, int]]:
    """service -> (owning team, tier), of the selection."""
    if selection.team is not None and catalog.find_team(session, selection.team) is None:
        raise Invalid(f"unknown team {selection.team!r}", field="team")
    if selection.service is not None and catalog.find_service(session, selection.service) is None:
        raise Invalid(f"unknown service {selection.service!r}", field="service")
    return {
        s.name: (s.owner, s.tier)
        for s in catalog.all_services(session, team=selection.team)
        if (selection.service is None or s.name == selection.service)
        and (selection.tier is None or s.tier == selection.tier)
    }


def _grouping(group_by: GroupBy, owners: dict[str, tuple[str, int]]) -> Callable[[str], str]:
    if group_by == "service":
        return lambda service: service
    if group_by == "team":
        return lambda service: owners[service][0]
    if group_by == "tier":
        return lambda service: str(owners[service][1])
    return lambda _service: "all"


def link_candidates(
    session: Session, services: Sequence[str], since: datetime, until: datetime
) -> list[dora.Deploy]:
    """The deploys the incident links must see besides those of `services`: every deploy
    that names an incident it caused, whatever its service (the first one naming an incident
    takes it, and that one may be anyone's). As the link rules read them: id, service,
    finish and the incident named."""
    query = select(Change.id, Change.service, Change.finished_at, Change.caused_incident).where(
        Change.role == Role.DEPLOY.value,
        Change.caused_incident.is_not(None),
        Change.service.not_in(services),
        Change.finished_at >= since,
        Change.finished_at < until,
    )
    return [
        dora.Deploy(id=i, service=name, finished_at=at, caused_incidents=(caused,))
        for i, name, at, caused in session.execute(query)
        if caused is not None
    ]


def load_deploys(
    session: Session, services: Sequence[str], since: datetime, until: datetime
) -> list[dora.Deploy]:
    """The deploys of `services` finished in [since, until), with the finish of the
    rollback that undid each and of the earliest hotfix that names it, and their commits."""
    if not services:
        return []
    rolled = (
        select(Change.undoes_id.label("id"), func.min(Change.finished_at).label("at"))
        .where(Change.role == Role.ROLLBACK.value, Change.service.in_(services))
        .group_by(Change.undoes_id)
        .subquery()
    )
    fixed = (
        select(Change.fixes_deploy_id.label("id"), func.min(Change.finished_at).label("at"))
        .where(Change.role == Role.DEPLOY.value, Change.service.in_(services))
        .group_by(Change.fixes_deploy_id)
        .subquery()
    )
    mine = (
        Change.role == Role.DEPLOY.value,
        Change.service.in_(services),
        Change.finished_at >= since,
        Change.finished_at < until,
    )
    authored: dict[int, list[datetime]] = defaultdict(list)
    commits = select(ChangeCommit.change_id, ChangeCommit.authored_at).join(
        Change, Change.id == ChangeCommit.change_id
    )
    for change_id, at in session.execute(commits.where(*mine)):
        authored[change_id].append(at)
    query = (
        select(
            Change.id,
            Change.service,
            Change.finished_at,
            Change.hotfix,
            Change.fixes_incident,
            Change.caused_incident,
            rolled.c.at,
            fixed.c.at,
        )
        .outerjoin(rolled, rolled.c.id == Change.id)
        .outerjoin(fixed, fixed.c.id == Change.id)
        .where(*mine)
    )
    return [
        dora.Deploy(
            id=r[0],
            service=r[1],
            finished_at=r[2],
            commits=tuple(authored.get(r[0], ())),
            rolled_back_at=r[6],
            hotfixed_at=r[7],
            hotfix=r[3],
            fixes_incident=r[4],
            caused_incidents=() if r[5] is None else (r[5],),
        )
        for r in session.execute(query)
    ]


def _row(
    group_by: GroupBy, name: str, period: dora.Period, deploys: list[dora.Deploy], loaded: Loaded
) -> DoraRow:
    incidents, depends_on, links = loaded.incidents, loaded.depends_on, loaded.links
    now = dora.figures(period, deploys, incidents, depends_on, links=links)
    before = dora.figures(period.previous(), deploys, incidents, depends_on, links=links)
    return DoraRow(
        group=group_by,
        name=name,
        current=_figures(now),
        previous=_figures(before),
        tiers=DoraTiers(
            deployment_frequency=dora.BAND_TIERS[now.band],
            lead_time=dora.lead_time_tier(now.lead_time_seconds),
            change_failure_rate=dora.failure_tier(now.change_failure_rate),
            recovery_time=dora.recovery_tier(now.recovery_seconds),
        ),
        failed_deploys=list(now.failed_ids),
    )


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 60


def _figures(f: dora.Figures) -> DoraFigures:
    return DoraFigures(
        deploys=f.deploys,
        deploys_per_day=f.per_day,
        deploys_per_week=f.per_week,
        frequency_band=f.band,
        lead_time_minutes=_minutes(f.lead_time_seconds),
        lead_time_pairs=f.lead_time_pairs,
        change_failure_rate=f.change_failure_rate,
        failed=f.failed,
        rollback_rate=f.rollback_rate,
        rolled_back=f.rolled_back,
        recovery_minutes=_minutes(f.recovery_seconds),
        recovered=f.recovered,
        rework_rate=f.rework_rate,
        reworked=f.reworked,
    )


@dataclass(frozen=True)
class Series:
    """What the DORA page charts: each week's figures, and every lead-time pair."""

    weeks: list[tuple[dora.Period, dora.Figures]]
    lead_times: list[float]


def series(loaded: Loaded) -> Series:
    period = loaded.period
    weeks = [
        (
            week,
            dora.figures(
                week, loaded.deploys, loaded.incidents, loaded.depends_on, links=loaded.links
            ),
        )
        for week in dora.weeks(period)
    ]
    in_period = [d for d in loaded.deploys if period.holds(d.finished_at)]
    return Series(weeks, dora.lead_times(in_period))
