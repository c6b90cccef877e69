"""Benchmark (h)'s history, drawn with NumPy from one seed: the production deploys with their
commits, the incidents, the action items of their postmortems, and the paging (`paging`).

Deploys and incidents are drawn together because they name each other: an incident the
deploy that caused it, or a deploy the incident it caused. The history is held as columns,
in the order of the ids the rows get, so that `load` writes it as it stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np
import numpy.typing as npt

from bench.changes_dora import spread_over_services
from bench.kpis.paging import Paging, make_paging
from bench.kpis.world import (
    CATEGORIES,
    DAY,
    HISTORY_END,
    HISTORY_START,
    HOUR,
    NONE,
    Ints,
    World,
    lognormal_us,
    make_world,
    to_us,
)

INCIDENTS = 50_000
PAGES = 2_000_000
DEPLOYS = 1_000_000
COMMITS_PER_DEPLOY = 2  # on average


@dataclass
class Deploys:
    """The changes, ids 1..n in order of finish: production deploys and rollbacks."""

    service: Ints
    finished: Ints
    rollback: list[bool]
    role: list[str]
    undoes: list[int | None]
    reverts: list[int | None]
    hotfix: list[bool]
    fixes_deploy: list[int | None]
    version: list[str]
    caused_incident: list[int | None]
    commit_change: Ints
    commit_authored: Ints

    def last_before(self, service: int, instant: int, window: int) -> int | None:
        """The id of the last deploy (not rollback) of `service` finished in
        [instant - window, instant)."""
        finished = self.by_service_finished[service]
        at = int(np.searchsorted(finished, instant, "left")) - 1
        if at < 0 or finished[at] < instant - window:
            return None
        return int(self.by_service_ids[service][at])

    by_service_ids: list[Ints] = field(default_factory=list)
    by_service_finished: list[Ints] = field(default_factory=list)


def make_deploys(count: int, services: int, rng: np.random.Generator) -> Deploys:
    """Each service a log-normal share of the deploys (the eight quiet services of the last
    two teams a few a month or year), at random instants of the two years. Of each service's
    changes in order, 3% roll the last deploy back (half naming it), 3% of the others are
    hotfixes of the deploy before."""
    quiet = [round(count * 1.2e-4)] * 4 + [round(count * 1.6e-5)] * 4
    service, finished = spread_over_services(
        rng, count, services, quiet, HISTORY_START, HISTORY_END
    )
    action, pick = rng.random(count).tolist(), rng.random(count).tolist()
    rollback, hotfix = [False] * count, [False] * count
    role = ["deploy"] * count
    undoes: list[int | None] = [None] * count
    reverts: list[int | None] = [None] * count
    fixes: list[int | None] = [None] * count
    version = [""] * count
    last, before, undone = [0] * services, [0] * services, [False] * services
    number, live = [0] * services, [0] * services
    for index, s in enumerate(service.tolist()):
        change_id = index + 1
        u = action[index]
        if u < 0.03 and last[s] and not undone[s]:
            role[index], rollback[index], undoes[index] = "rollback", True, last[s]
            reverts[index] = last[s] if pick[index] < 0.5 else None
            version[index] = f"1.{before[s]}.0"
            live[s], undone[s] = before[s], True
            continue
        if u < 0.06 and last[s] and not undone[s]:
            hotfix[index], fixes[index] = True, last[s]
        number[s] += 1
        version[index] = f"1.{number[s]}.0"
        before[s], live[s] = live[s], number[s]
        last[s], undone[s] = change_id, False
    commits = rng.poisson(COMMITS_PER_DEPLOY, count)
    commit_change = np.repeat(np.arange(count, dtype=np.int64), commits)
    lead = lognormal_us(rng, 20 * 3600, 1.3, len(commit_change))
    found = Deploys(
        service=service,
        finished=finished,
        rollback=rollback,
        role=role,
        undoes=undoes,
        reverts=reverts,
        hotfix=hotfix,
        fixes_deploy=fixes,
        version=version,
        caused_incident=[None] * count,
        commit_change=commit_change,
        commit_authored=finished[commit_change] - lead,
    )
    is_deploy = np.array([r == "deploy" for r in role])
    ids = np.arange(1, count + 1, dtype=np.int64)
    for s in range(services):
        mine = (service == s) & is_deploy
        found.by_service_ids.append(ids[mine])
        found.by_service_finished.append(finished[mine])
    return found


@dataclass
class Incidents:
    """Incidents 1..n; instants in microseconds, NONE where not known."""

    services: list[list[int]]
    severity: Ints  # index into SEVERITIES
    category: list[str | None]
    declared: Ints
    impact_start: Ints
    detected: Ints  # set by hand
    acknowledged: Ints  # the incident's own
    mitigated: Ints
    resolved: Ints
    impact_end: Ints  # set by hand
    caused_by_change: list[int | None]
    reviewed: Ints  # NONE: no postmortem reviewed
    postmortem: npt.NDArray[np.bool_]

    @property
    def count(self) -> int:
        return len(self.severity)


def make_incidents(
    count: int, services: int, deploys: Deploys, rng: np.random.Generator
) -> Incidents:
    """3% SEV1, 12% SEV2, 35% SEV3, half SEV4; a category (one of ten) for nine in ten; one
    service, or two or three for one in five. Impact start unknown for 3%; declared a
    log-normal 12 minutes after impact; detected set by hand for 15%, acknowledged on the
    incident for 40%; mitigated for 96%, resolved for 97% of those, impact end written down
    for a quarter. 3% name the deploy before them that caused them, the deploy names the
    incident for 3% more. Every significant incident resolved has a postmortem, and three
    in ten of the others; three in four of them reviewed, a log-normal 4 days after
    resolution."""
    weights = rng.lognormal(0.0, 1.0, services)
    first = rng.choice(services, count, p=weights / weights.sum())
    extra = rng.choice(3, count, p=[0.8, 0.15, 0.05])
    chosen: list[list[int]] = []
    others = rng.integers(0, services, (count, 2)).tolist()
    for k, f in enumerate(first.tolist()):
        mine = [f]
        for o in others[k][: int(extra[k])]:
            if o not in mine:
                mine.append(o)
        chosen.append(mine)
    severity = rng.choice(4, count, p=[0.03, 0.12, 0.35, 0.50]).astype(np.int64)
    kinds = rng.integers(0, len(CATEGORIES), count).tolist()
    has_category = (rng.random(count) < 0.9).tolist()
    category = [CATEGORIES[c] if h else None for c, h in zip(kinds, has_category, strict=True)]
    span = to_us(HISTORY_END) - to_us(HISTORY_START) - 3 * DAY
    impact = to_us(HISTORY_START) + np.sort(rng.integers(0, span, count, dtype=np.int64))
    declared = impact + lognormal_us(rng, 12 * 60, 1.0, count)
    impact = np.where(rng.random(count) < 0.03, NONE, impact)
    base = np.where(impact == NONE, declared, impact)
    by_hand = rng.random(count) < 0.15
    detected = np.where(
        by_hand & (impact != NONE),
        base + ((declared - base) * rng.uniform(0.2, 0.9, count)).astype(np.int64),
        NONE,
    )
    acknowledged = np.where(
        rng.random(count) < 0.4, declared + lognormal_us(rng, 180, 0.8, count), NONE
    )
    mitigated = base + lognormal_us(rng, 50 * 60, 1.0, count)
    resolved = mitigated + lognormal_us(rng, 90 * 60, 1.0, count)
    mitigated_known = rng.random(count) < 0.96
    resolved = np.where(mitigated_known & (rng.random(count) < 0.97), resolved, NONE)
    mitigated = np.where(mitigated_known, mitigated, NONE)
    impact_end = np.where(
        (rng.random(count) < 0.25) & (mitigated != NONE),
        mitigated + lognormal_us(rng, 600, 1.0, count),
        NONE,
    )
    caused: list[int | None] = [None] * count
    naming = rng.random(count)
    for k in range(count):
        if impact[k] == NONE or naming[k] >= 0.06:
            continue
        deploy = deploys.last_before(chosen[k][0], int(impact[k]), DAY)
        if deploy is None:
            continue
        if naming[k] < 0.03:
            caused[k] = deploy
        elif deploys.caused_incident[deploy - 1] is None:
            deploys.caused_incident[deploy - 1] = k + 1
    significant = severity < 2
    postmortem = (resolved != NONE) & (significant | (rng.random(count) < 0.3))
    reviewed = np.where(
        postmortem & (rng.random(count) < 0.75),
        resolved + lognormal_us(rng, 4 * 86400, 0.8, count),
        NONE,
    )
    return Incidents(
        services=chosen,
        severity=severity,
        category=category,
        declared=declared,
        impact_start=impact,
        detected=detected,
        acknowledged=acknowledged,
        mitigated=mitigated,
        resolved=resolved,
        impact_end=impact_end,
        caused_by_change=caused,
        reviewed=reviewed,
        postmortem=postmortem,
    )


@dataclass
class Items:
    incident: list[int | None]
    team: list[str]
    due: list[date]
    closed_on: list[date | None]
    created: Ints


def make_items(inc: Incidents, world: World, rng: np.random.Generator) -> Items:
    """A Poisson 2.5 action items per postmortem, due 7 to 45 days after resolution; seven
    in ten closed, some late; and one standalone item per team a week."""
    cat = world.cat
    owner = dict(zip(cat.services, cat.owners, strict=True))
    incident: list[int | None] = []
    team: list[str] = []
    due: list[date] = []
    created: list[int] = []
    per = rng.poisson(2.5, inc.count)
    for k in np.flatnonzero(inc.postmortem).tolist():
        for _ in range(int(per[k])):
            made = int(inc.resolved[k]) + HOUR
            incident.append(k + 1)
            team.append(owner[cat.services[inc.services[k][0]]])
            created.append(made)
            due.append(_day(made + int(rng.integers(7, 46)) * DAY))
    for name in cat.teams:
        for week in range(104):
            made = to_us(HISTORY_START) + week * 7 * DAY + int(rng.integers(0, 7 * DAY))
            incident.append(None)
            team.append(name)
            created.append(made)
            due.append(_day(made + int(rng.integers(7, 46)) * DAY))
    n = len(due)
    closed = rng.random(n) < 0.7
    slip = np.clip(rng.normal(-5, 8, n), -30, 30).astype(int).tolist()
    closed_on: list[date | None] = [
        max(d + timedelta(days=s), _day(c)) if k else None
        for d, s, k, c in zip(due, slip, closed.tolist(), created, strict=True)
    ]
    return Items(incident, team, due, closed_on, np.array(created, dtype=np.int64))


def _day(us: int) -> date:
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)).date()


@dataclass
class History:
    world: World
    deploys: Deploys
    incidents: Incidents
    items: Items
    paging: Paging

    def counts(self) -> dict[str, int]:
        d, i, p = self.deploys, self.incidents, self.paging
        return {
            "services": len(self.world.cat.services),
            "teams": len(self.world.teams),
            "people": sum(len(m) for m in self.world.members.values()),
            "changes": len(d.role),
            "deploys": sum(1 for r in d.role if r == "deploy"),
            "rollbacks": sum(1 for r in d.role if r == "rollback"),
            "hotfixes": sum(d.hotfix),
            "commits": len(d.commit_change),
            "incidents": i.count,
            "postmortems": int(i.postmortem.sum()),
            "action_items": len(self.items.due),
            "alert_groups": p.groups,
            "pages": p.pages,
            "answers": len(p.answers),
        }


def make_history(scale: float, seed: int) -> History:
    world = make_world(seed)
    rng = np.random.default_rng(seed + 11)
    services = len(world.cat.services)
    deploys = make_deploys(round(DEPLOYS * scale), services, rng)
    incidents = make_incidents(round(INCIDENTS * scale), services, deploys, rng)
    items = make_items(incidents, world, rng)
    paging = make_paging(round(PAGES * scale), incidents, world, rng)
    return History(world, deploys, incidents, items, paging)
