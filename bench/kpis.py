"""Benchmark (h): the KPI table of every team for a quarter over two years of history, and
the KPI page at that size.

The history: 500 services of 25 teams (200 people, a weekly on-call rotation per team),
seeded, over the two years 2024-12-01 to 2026-12-01: 50,000 incidents (instants, severities,
categories, linked alert groups, postmortems and action items), 2,000,000 pages (first
notifications of an alert group to a person) on about 950,000 alert groups (acknowledgements,
answers, resolutions at the source or by hand, escalation up to four steps) and 1,000,000
production deploys (rollbacks, hotfixes, deploys naming the incident they caused, incidents
naming the deploy) with their commits. `--kpi-scale` multiplies the incidents, pages and
deploys (the catalog stays). It is bulk-loaded straight into the tables of a migrated SQLite
database, with every column the service layer fills in, as benchmark (g) does: going through
the use cases millions of times would measure the loading, not the report.

- The KPI table: `reports.kpis.kpi_table` for the third quarter of 2026 (and, as it always
  does, the quarter before) for each team, each call whole and in a session of its own, as
  `ninefold kpi --team T --from 2026-07-01 --to 2026-10-01` makes it, against one DuckDB
  query computing the same figures for every team and both quarters from the same rows held
  in DuckDB's memory: the least the aggregates can cost. Every figure, and what it is made
  of (counts, means, P50 and P90, numerators and denominators, incidents per severity), of
  every team and both quarters must agree.
- The KPI page: `GET /kpis?team=T&from=...&to=...` through a real `ninefold serve` on
  loopback, logged in through the login form, its server time (the request's wall time on
  loopback).
- The quarterly report: `reporting.make` of the quarterly report of 2026-Q3 for those teams,
  the document built (its KPI table over four quarters, and its sections), not rendered.
- Where the time goes: cProfile over one team's `kpi_table`.
"""

from __future__ import annotations

import cProfile
import io
import json
import math
import os
import pstats
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import httpx
import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine

from bench.changes_dora import Catalog, make_catalog
from bench.measure import Spread
from bench.storm_stack import HOST, ROOT, free_port
from ninefold import migrations
from ninefold.auth import service as auth_service
from ninefold.auth.model import Principal, Role
from ninefold.auth.schemas import UserSpec
from ninefold.catalog import service as catalog
from ninefold.catalog.schemas import ServiceSpec, ServiceUpdate, TeamSpec
from ninefold.changes.dora import Period
from ninefold.changes.dora_report import Selection
from ninefold.db import make_engine, make_session_factory, unit_of_work
from ninefold.oncall import service as schedules
from ninefold.oncall.schemas import LayerSpec, ScheduleSpec
from ninefold.reports import kpis, records, reporting
from ninefold.reports.reporting import Wanted
from ninefold.reports.schemas import KpiTable
from ninefold.settings import Settings

HISTORY_START = datetime(2024, 12, 1, tzinfo=UTC)
HISTORY_END = datetime(2026, 12, 1, tzinfo=UTC)
QUARTER = Period(datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))
NOW = HISTORY_END  # the quarter is over: the table is not partial
INCIDENTS = 50_000
PAGES = 2_000_000
DEPLOYS = 1_000_000
COMMITS_PER_DEPLOY = 2  # on average
ROTATION = 6  # people taking turns on call, a week each, in every team's schedule
MEMBERS = ROTATION + 2  # and a lead and a manager, paged at the third and fourth steps
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "America/Los_Angeles")
ROTATION_START = date(2024, 11, 25)  # a Monday
RULES = (
    "HighErrorRate",
    "HighLatency",
    "SaturationHigh",
    "PodCrashLooping",
    "QueueBacklog",
    "CertificateExpiry",
    "DiskFilling",
    "ErrorBudgetBurn",
)
CATEGORIES = (
    "deploy",
    "config",
    "capacity",
    "dependency",
    "network",
    "database",
    "certificate",
    "hardware",
    "security",
    "data",
)
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
ESCALATE = 5 * 60  # seconds between escalation steps
QUERY_RUNS = 5  # timed DuckDB queries, after one uncounted
PAGE_RUNS = 3  # timed page requests, teams in turn, after one uncounted
PASSWORD = "bench-password"  # a throwaway database's admin
ADMIN = Principal("bench", Role.ADMIN, "config")
US = 1_000_000
MINUTE = 60 * US
HOUR = 60 * MINUTE
DAY = 24 * HOUR
NONE = np.iinfo(np.int64).min  # an instant that is not there

Ints = npt.NDArray[np.int64]


def _us(instant: datetime) -> int:
    return (instant - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def _lognormal_us(rng: np.random.Generator, median_s: float, sigma: float, n: int) -> Ints:
    return (rng.lognormal(math.log(median_s), sigma, n) * US).astype(np.int64)


# --- the world: catalog, people, rotations --------------------------------------------------


@dataclass(frozen=True)
class World:
    cat: Catalog
    depends_on: dict[str, list[str]]
    zones: dict[str, str]  # team -> zone
    holidays: dict[str, list[date]]
    members: dict[str, list[str]]  # team -> people: ROTATION in turn order, then lead, manager
    shifts: dict[str, Ints]  # team -> UTC starts of its weekly turns (turn k: person k % 6)

    @property
    def teams(self) -> list[str]:
        return self.cat.teams

    def zone_of(self, person: str) -> str:
        return self.zones[person.rsplit("-", 1)[0].removeprefix("u-")]


def make_world(seed: int) -> World:
    """The catalog of benchmark (g), each service depending on up to two before it, each team
    in one of five zones with ten holidays a year, eight people and a weekly rotation of six
    of them handing over on Mondays at 09:00 local time."""
    cat = make_catalog(seed)
    rng = np.random.default_rng(seed + 10)
    depends_on: dict[str, list[str]] = {}
    for k, name in enumerate(cat.services):  # on services before it: no cycles
        count = int(rng.choice(3, p=[0.4, 0.4, 0.2])) if k else 0
        others = {int(o) for o in rng.integers(0, k, count)} if k else set()
        depends_on[name] = sorted(cat.services[o] for o in others)
    zones, holidays, members, shifts = {}, {}, {}, {}
    weeks = (HISTORY_END.date() - ROTATION_START).days // 7 + 8
    for k, team in enumerate(cat.teams):
        zones[team] = ZONES[k % len(ZONES)]
        days = rng.choice(730, 20, replace=False)
        holidays[team] = sorted(date(2025, 1, 1) + timedelta(days=int(d)) for d in days)
        members[team] = [f"u-{team}-{m}" for m in range(MEMBERS)]
        zone = ZoneInfo(zones[team])
        starts = [
            datetime.combine(ROTATION_START + timedelta(weeks=w), datetime.min.time(), zone)
            .replace(hour=9)
            .astimezone(UTC)
            for w in range(weeks)
        ]
        shifts[team] = np.array([_us(s) for s in starts], dtype=np.int64)
    return World(cat, depends_on, zones, holidays, members, shifts)


def shift_rows(world: World) -> list[tuple[str, str, int, int]]:
    """(schedule, person, start, end) of every turn of every team."""
    found = []
    for team in world.teams:
        starts = world.shifts[team]
        for k in range(len(starts) - 1):
            person = world.members[team][k % ROTATION]
            found.append((f"oncall-{team}", person, int(starts[k]), int(starts[k + 1])))
    return found


# --- the history ----------------------------------------------------------------------------


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
    weights = rng.lognormal(0.0, 1.0, services - len(quiet))
    counts = np.concatenate([rng.multinomial(count - sum(quiet), weights / weights.sum()), quiet])
    service = np.repeat(np.arange(services, dtype=np.int64), counts)
    start, span = _us(HISTORY_START), _us(HISTORY_END) - _us(HISTORY_START)
    finished = rng.integers(0, span, count, dtype=np.int64)
    order = np.argsort(finished, kind="stable")
    service, finished = service[order], finished[order] + start
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
    lead = _lognormal_us(rng, 20 * 3600, 1.3, len(commit_change))
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
    span = _us(HISTORY_END) - _us(HISTORY_START) - 3 * DAY
    impact = _us(HISTORY_START) + np.sort(rng.integers(0, span, count, dtype=np.int64))
    declared = impact + _lognormal_us(rng, 12 * 60, 1.0, count)
    impact = np.where(rng.random(count) < 0.03, NONE, impact)
    base = np.where(impact == NONE, declared, impact)
    by_hand = rng.random(count) < 0.15
    detected = np.where(
        by_hand & (impact != NONE),
        base + ((declared - base) * rng.uniform(0.2, 0.9, count)).astype(np.int64),
        NONE,
    )
    acknowledged = np.where(
        rng.random(count) < 0.4, declared + _lognormal_us(rng, 180, 0.8, count), NONE
    )
    mitigated = base + _lognormal_us(rng, 50 * 60, 1.0, count)
    resolved = mitigated + _lognormal_us(rng, 90 * 60, 1.0, count)
    mitigated_known = rng.random(count) < 0.96
    resolved = np.where(mitigated_known & (rng.random(count) < 0.97), resolved, NONE)
    mitigated = np.where(mitigated_known, mitigated, NONE)
    impact_end = np.where(
        (rng.random(count) < 0.25) & (mitigated != NONE),
        mitigated + _lognormal_us(rng, 600, 1.0, count),
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
        resolved + _lognormal_us(rng, 4 * 86400, 0.8, count),
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
            made = _us(HISTORY_START) + week * 7 * DAY + int(rng.integers(0, 7 * DAY))
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
class Paging:
    """Alert groups 1..n in order of opening, their pages and events."""

    service: Ints
    rule: Ints
    critical: npt.NDArray[np.bool_]
    opened: Ints
    acked: Ints  # NONE: never
    acked_by: list[str | None]
    resolved: Ints
    at_source: npt.NDArray[np.bool_]
    resolver: list[str]
    incident: dict[int, int]  # group id -> incident id
    page_group: list[int]
    page_step: list[int]
    page_user: list[str]
    page_at: list[int]
    answers: list[tuple[int, int, str]]  # (group id, at, answer)

    @property
    def groups(self) -> int:
        return len(self.opened)

    @property
    def pages(self) -> int:
        return len(self.page_group)


def _draw(rng: np.random.Generator, count: int) -> dict[str, Any]:
    """Each group's chances, relative to its first page (see `make_paging`)."""
    delay = _lognormal_us(rng, 15, 1.0, count)
    flap = rng.random(count) < 0.1
    quiet = rng.random(count) < 0.05
    critical = rng.random(count) < 0.4
    ack = _lognormal_us(rng, 240, 1.2, count)
    acked = np.where(flap, rng.random(count) < 0.1, rng.random(count) < 0.85)
    flap_for = rng.integers(60 * US, 600 * US + 1, count, dtype=np.int64)
    flap_for[rng.random(count) < 0.01] = 600 * US  # exactly ten minutes: still noise
    lasting = _lognormal_us(rng, 40 * 60, 1.0, count)
    resolved = np.where(flap, flap_for - delay, np.where(acked, ack, 0) + lasting)
    acked &= ack <= resolved
    quiet |= resolved < 0  # resolved before anyone was paged
    until = np.where(acked, np.minimum(ack, resolved), resolved)
    steps = 1 + sum((until > k * ESCALATE * US).astype(np.int64) for k in (1, 2, 3))
    pages = np.where(quiet, 0, np.where(critical, np.maximum(steps, 2), steps))
    return {
        "delay": delay,
        "flap": flap,
        "quiet": quiet,
        "critical": critical,
        "ack": ack,
        "acked": acked,
        "resolved": resolved,
        "steps": steps,
        "pages": pages,
        "at_source": flap | (rng.random(count) < 0.5),
    }


def make_paging(pages: int, inc: Incidents, world: World, rng: np.random.Generator) -> Paging:
    """Groups of a service's eight alert rules, a log-normal share per service; six in ten
    incidents with an impact start have one of their first service opened a log-normal 4
    minutes after it. A tenth flap (resolved at the source within 1 to 10 minutes of opening,
    rarely acknowledged) and 5% page nobody (held back). The first page leaves a log-normal
    15 s after opening. Escalation pages the team's on-call person at once (and the next in
    the rotation too, for the 40% critical), the next in the rotation after 5 minutes, the
    lead after 10 and the manager after 15, until someone acknowledges (85%, a log-normal 4
    minutes after the first page) or the group resolves (a log-normal 40 minutes later).
    Half the others resolve at the source too. 45% of the groups are answered "was it
    actionable?" (yes 55%, no 35%, unsure 10%) after resolving, a tenth of those twice.
    Groups are as many as make about `pages` pages."""
    cat = world.cat
    services = len(cat.services)
    owner_index = [cat.teams.index(o) for o in cat.owners]
    linked = [k for k in range(inc.count) if inc.impact_start[k] != NONE and rng.random() < 0.6]
    per_group = float(_draw(np.random.default_rng(0), 100_000)["pages"].mean())
    count = max(len(linked) + 1, round(pages / per_group))
    weights = rng.lognormal(0.0, 1.0, services)
    service = rng.choice(services, count, p=weights / weights.sum()).astype(np.int64)
    span = _us(HISTORY_END) - _us(HISTORY_START) - DAY
    opened = _us(HISTORY_START) + rng.integers(0, span, count, dtype=np.int64)
    soon = _lognormal_us(rng, 240, 1.0, len(linked))
    for slot, k in enumerate(linked):
        service[slot] = inc.services[k][0]
        opened[slot] = inc.impact_start[k] + soon[slot]
    order = np.argsort(opened, kind="stable")
    where = np.empty(count, dtype=np.int64)
    where[order] = np.arange(count)
    incident = {int(where[slot]) + 1: k + 1 for slot, k in enumerate(linked)}
    service, opened = service[order], opened[order]
    rule = rng.integers(0, len(RULES), count).astype(np.int64)
    d = _draw(rng, count)
    first_page = opened + d["delay"]
    acked = np.where(d["acked"], first_page + d["ack"], NONE)
    resolved = first_page + d["resolved"]
    page_group: list[int] = []
    page_step: list[int] = []
    page_user: list[str] = []
    page_at: list[int] = []
    acked_by: list[str | None] = [None] * count
    resolver: list[str] = [""] * count
    team_of = [owner_index[s] for s in service.tolist()]
    first_l, steps_l = first_page.tolist(), d["steps"].tolist()
    quiet_l, critical_l = d["quiet"].tolist(), d["critical"].tolist()
    acked_l, source_l = d["acked"].tolist(), d["at_source"].tolist()
    for g in range(count):
        team = cat.teams[team_of[g]]
        people = world.members[team]
        turn = int(np.searchsorted(world.shifts[team], first_l[g], "right")) - 1
        primary = people[turn % ROTATION]
        secondary = people[(turn + 1) % ROTATION]
        recipients = [[primary], [secondary], [people[ROTATION]], [people[ROTATION + 1]]]
        if critical_l[g]:
            recipients[0].append(secondary)
        paged: list[str] = []
        if not quiet_l[g]:
            for step in range(steps_l[g]):
                for person in recipients[step]:
                    if person in paged:
                        continue
                    paged.append(person)
                    page_group.append(g + 1)
                    page_step.append(step)
                    page_user.append(person)
                    page_at.append(first_l[g] + step * ESCALATE * US)
        if acked_l[g]:
            acked_by[g] = paged[-1] if paged else primary
        resolver[g] = "source:alertmanager" if source_l[g] else (acked_by[g] or primary)
    answers: list[tuple[int, int, str]] = []
    answered = rng.random(count) < 0.45
    twice = rng.random(count) < 0.1
    pick = rng.choice(3, (count, 2), p=[0.55, 0.35, 0.10])
    after = rng.integers(60 * US, HOUR, (count, 2), dtype=np.int64)
    words = ("yes", "no", "unsure")
    resolved_l = resolved.tolist()
    for g in np.flatnonzero(answered).tolist():
        at = int(resolved_l[g] + after[g, 0])
        answers.append((g + 1, at, words[pick[g, 0]]))
        if twice[g]:
            answers.append((g + 1, at + int(after[g, 1]), words[pick[g, 1]]))
    return Paging(
        service=service,
        rule=rule,
        critical=d["critical"],
        opened=opened,
        acked=acked,
        acked_by=acked_by,
        resolved=resolved,
        at_source=d["at_source"],
        resolver=resolver,
        incident=incident,
        page_group=page_group,
        page_step=page_step,
        page_user=page_user,
        page_at=page_at,
        answers=answers,
    )


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


# --- loading --------------------------------------------------------------------------------

CHUNK = 100_000


def _stamps(us: Ints) -> list[str | None]:
    """Instants as SQLAlchemy's SQLite form keeps them (UTC, no zone, always six digits of
    microseconds, which its comparisons rely on); None for NONE."""
    text = np.datetime_as_string(us.astype("datetime64[us]"), unit="us").tolist()
    return [
        None if u == NONE else f"{t[:10]} {t[11:]}" for t, u in zip(text, us.tolist(), strict=True)
    ]


def _stamp(us: int) -> str | None:
    return _stamps(np.array([us], dtype=np.int64))[0]


def write_catalog(engine: Engine, world: World) -> dict[str, int]:
    """Users, teams, services and schedules through their own use cases (they are few);
    the admin `bench` can log in. Returns the user ids by name."""
    now = NOW
    with unit_of_work(make_session_factory(engine)) as session:
        auth_service.create_user(
            session, ADMIN, UserSpec(name="bench", role=Role.ADMIN), now, password=PASSWORD
        )
        for team in world.teams:
            for person in world.members[team]:
                spec = UserSpec(name=person, role=Role.RESPONDER, time_zone=world.zones[team])
                auth_service.create_user(session, ADMIN, spec, now)
            catalog.create_team(
                session,
                ADMIN,
                TeamSpec(
                    name=team,
                    members=world.members[team],
                    time_zone=world.zones[team],
                    holidays=world.holidays[team],
                ),
                now,
            )
        cat = world.cat
        for name, owner, tier in zip(cat.services, cat.owners, cat.tiers, strict=True):
            catalog.create_service(
                session, ADMIN, ServiceSpec(name=name, owner=owner, tier=tier), now
            )
        for name in cat.services:  # once every service exists
            if world.depends_on[name]:
                update = ServiceUpdate(depends_on=world.depends_on[name])
                catalog.update_service(session, ADMIN, name, update, now)
        for team in world.teams:
            layer = LayerSpec(
                name="primary",
                participants=world.members[team][:ROTATION],
                shift_length=1,
                shift_unit="weeks",
                start=ROTATION_START,
            )
            spec = ScheduleSpec(
                name=f"oncall-{team}", team=team, time_zone=world.zones[team], layers=[layer]
            )
            schedules.write(session, spec, "api", now)
        names = ["bench", *(p for team in world.teams for p in world.members[team])]
        return {name: row.id for name, row in auth_service.users_by_name(session, names).items()}


def _bulk(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" * len(columns))
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)
            batch = []
    if batch:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)


TABLES = (
    "changes",
    "change_commits",
    "incidents",
    "incident_groups",
    "postmortems",
    "action_items",
    "alert_groups",
    "alert_group_events",
    "pages",
    "notifications",
)


def load(engine: Engine, h: History, user_ids: dict[str, int]) -> None:
    """Bulk-load the history in one transaction as benchmark (g) does: the plain indexes of
    the tables dropped and built again afterwards from their own definitions, the foreign-key
    checks off while loading (the rows are consistent by construction)."""
    raw = engine.raw_connection()
    try:
        connection: Any = raw.driver_connection
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys = OFF")
        listed = ", ".join(f"'{t}'" for t in TABLES)
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            f"AND tbl_name IN ({listed}) AND sql IS NOT NULL"
        )
        indexes: list[tuple[str, str]] = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        _load_changes(cursor, h)
        _load_incidents(cursor, h)
        _load_paging(cursor, h, user_ids)
        for _, definition in indexes:
            cursor.execute(definition)
        connection.commit()
        cursor.execute("ANALYZE")
        connection.commit()
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        raw.close()


def _load_changes(cursor: Any, h: History) -> None:
    d, cat = h.deploys, h.world.cat
    finished = _stamps(d.finished)
    started = _stamps(d.finished - 10 * MINUTE)
    recorded = _stamps(d.finished + 2 * US)
    counts = np.bincount(d.commit_change, minlength=len(d.role)).tolist()
    service = d.service.tolist()
    columns = (
        "id", "service", "kind", "environment", "production", "version", "external_id",
        "content_hash", "author", "description", "url", "started_at", "finished_at", "outcome",
        "rollback", "reverts_id", "hotfix", "hotfix_of_id", "fixes_incident", "caused_incident",
        "freeze", "source", "recorded_by", "recorded_at", "commit_count", "role", "undoes_id",
        "fixes_deploy_id",
    )  # fmt: skip
    _bulk(
        cursor,
        "changes",
        columns,
        (
            (
                k + 1,
                cat.services[service[k]],
                "deploy",
                "production",
                True,
                d.version[k],
                f"ci-{k + 1}",
                f"{k + 1:064x}",
                f"dev-{k % 2000:04d}",
                "",
                "",
                started[k],
                finished[k],
                "success",
                d.rollback[k],
                d.reverts[k],
                d.hotfix[k],
                None,
                None,
                d.caused_incident[k],
                None,
                "api",
                "bench",
                recorded[k],
                counts[k],
                d.role[k],
                d.undoes[k],
                d.fixes_deploy[k],
            )
            for k in range(len(d.role))
        ),
    )
    authored = _stamps(d.commit_authored)
    change = d.commit_change.tolist()
    firsts = np.cumsum(counts) - np.array(counts)
    position = (np.arange(len(change)) - np.repeat(firsts, counts)).tolist()
    _bulk(
        cursor,
        "change_commits",
        ("id", "change_id", "position", "sha", "authored_at", "author", "title"),
        (
            (
                k + 1,
                change[k] + 1,
                position[k],
                f"{k + 1:040x}",
                authored[k],
                f"dev-{change[k] % 2000:04d}",
                f"commit {position[k]} of change {change[k] + 1}",
            )
            for k in range(len(change))
        ),
    )


def _load_incidents(cursor: Any, h: History) -> None:
    i, cat = h.incidents, h.world.cat
    stamps = {
        name: _stamps(getattr(i, name))
        for name in (
            "declared",
            "impact_start",
            "detected",
            "acknowledged",
            "mitigated",
            "resolved",
            "impact_end",
            "reviewed",
        )
    }
    status = [
        "resolved" if r != NONE else ("monitoring" if m != NONE else "investigating")
        for r, m in zip(i.resolved.tolist(), i.mitigated.tolist(), strict=True)
    ]
    columns = (
        "id", "title", "severity", "status", "services", "summary", "category",
        "caused_by_change", "declared_at", "declared_by", "declared_via", "impact_start",
        "detected_at", "acknowledged_at", "mitigated_at", "resolved_at", "impact_end",
        "reopened", "external_id", "provider", "updated_at",
    )  # fmt: skip
    severity = i.severity.tolist()
    _bulk(
        cursor,
        "incidents",
        columns,
        (
            (
                k + 1,
                f"Incident {k + 1}",
                SEVERITIES[severity[k]],
                status[k],
                json.dumps([cat.services[s] for s in i.services[k]]),
                "",
                i.category[k],
                i.caused_by_change[k],
                stamps["declared"][k],
                "bench",
                "hand",
                stamps["impact_start"][k],
                stamps["detected"][k],
                stamps["acknowledged"][k],
                stamps["mitigated"][k],
                stamps["resolved"][k],
                stamps["impact_end"][k],
                0,
                None,
                None,
                stamps["resolved"][k] or stamps["declared"][k],
            )
            for k in range(i.count)
        ),
    )
    p = h.paging
    opened = _stamps(p.opened)
    _bulk(
        cursor,
        "incident_groups",
        ("group_id", "incident_id", "linked_at", "linked_by"),
        ((g, k, opened[g - 1], "bench") for g, k in sorted(p.incident.items())),
    )
    pm = np.flatnonzero(i.postmortem).tolist()
    _bulk(
        cursor,
        "postmortems",
        (
            "incident_id",
            "state",
            "title",
            "sections",
            "reviewers",
            "budget",
            "created_at",
            "updated_at",
            "in_review_at",
            "reviewed_at",
            "reviewed_by",
            "published_at",
        ),
        (
            (
                k + 1,
                "reviewed" if stamps["reviewed"][k] else "draft",
                f"Postmortem of incident {k + 1}",
                "{}",
                "[]",
                "[]",
                _stamp(int(i.resolved[k]) + HOUR),
                stamps["reviewed"][k] or _stamp(int(i.resolved[k]) + HOUR),
                stamps["reviewed"][k],
                stamps["reviewed"][k],
                "bench" if stamps["reviewed"][k] else None,
                None,
            )
            for k in pm
        ),
    )
    items = h.items
    created = _stamps(items.created)
    _bulk(
        cursor,
        "action_items",
        (
            "id",
            "incident_id",
            "kind",
            "title",
            "owner",
            "team",
            "priority",
            "due",
            "status",
            "url",
            "created_at",
            "created_by",
            "closed_on",
            "reminded_for",
        ),
        (
            (
                k + 1,
                items.incident[k],
                "prevent",
                f"Action item {k + 1}",
                None,
                items.team[k],
                "medium",
                items.due[k].isoformat(),
                "open" if items.closed_on[k] is None else "done",
                "",
                created[k],
                "bench",
                None if items.closed_on[k] is None else items.closed_on[k].isoformat(),
                None,
            )
            for k in range(len(items.due))
        ),
    )


def _load_paging(cursor: Any, h: History, user_ids: dict[str, int]) -> None:
    p, cat = h.paging, h.world.cat
    cursor.execute(
        "INSERT INTO integrations (id, name, kind, description, key, service, group_by, "
        "secret_env, heartbeat_seconds, last_ping_at, heartbeat_armed, heartbeat_checks, "
        "managed_by, created_at, updated_at) VALUES (1, 'alertmanager', 'alertmanager', '', "
        "'bench-key', NULL, '[]', NULL, NULL, NULL, 0, 0, 'api', ?, ?)",
        (_stamp(_us(HISTORY_START)), _stamp(_us(HISTORY_START))),
    )
    opened, acked, resolved = _stamps(p.opened), _stamps(p.acked), _stamps(p.resolved)
    service, rule = p.service.tolist(), p.rule.tolist()
    critical = p.critical.tolist()

    def groups() -> Iterator[tuple[Any, ...]]:
        for g in range(p.groups):
            name, svc = RULES[rule[g]], cat.services[service[g]]
            level = "critical" if critical[g] else "warning"
            labels = json.dumps({"alertname": name, "service": svc, "severity": level})
            yield (
                g + 1, 1, f"{name}|{svc}", None, name, svc, level, labels, "resolved",
                opened[g], acked[g], p.acked_by[g], resolved[g], p.resolver[g], 0, False, None,
            )  # fmt: skip

    _bulk(
        cursor,
        "alert_groups",
        (
            "id",
            "integration_id",
            "group_key",
            "open_key",
            "title",
            "service",
            "severity",
            "labels",
            "state",
            "created_at",
            "acknowledged_at",
            "acknowledged_by",
            "resolved_at",
            "resolved_by",
            "truncated_alerts",
            "flapping",
            "flapping_since",
        ),
        groups(),
    )
    paged_at = _stamps(np.array(p.page_at, dtype=np.int64))

    def events() -> Iterator[tuple[Any, ...]]:
        number = 0
        by_group: dict[int, list[int]] = defaultdict(list)
        for k, g in enumerate(p.page_group):
            by_group[g].append(k)
        answers: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for g, at, word in p.answers:
            answers[g].append((at, word))
        for g in range(1, p.groups + 1):
            entries: list[tuple[str, str, str, str]] = [(opened[g - 1] or "", "opened", "", "{}")]
            for k in by_group.get(g, ()):
                detail = json.dumps({"user": p.page_user[k], "step": p.page_step[k]})
                entries.append((paged_at[k] or "", "paged", "", detail))
            if acked[g - 1] is not None:
                entries.append((acked[g - 1] or "", "acknowledged", p.acked_by[g - 1] or "", "{}"))
            entries.append((resolved[g - 1] or "", "resolved", p.resolver[g - 1], "{}"))
            for at, word in answers.get(g, ()):
                detail = json.dumps({"answer": word})
                entries.append((_stamp(at) or "", "actionable", "bench", detail))
            entries.sort()
            for at_text, kind, actor, detail in entries:
                number += 1
                yield (number, g, at_text, kind, actor, detail)

    _bulk(
        cursor, "alert_group_events", ("id", "group_id", "at", "kind", "actor", "detail"), events()
    )
    zones = {person: h.world.zone_of(person) for person in user_ids if person.startswith("u-")}

    def page_rows() -> Iterator[tuple[Any, ...]]:
        for k in range(p.pages):
            person = p.page_user[k]
            yield (
                k + 1, p.page_group[k], p.page_step[k] + 1, p.page_step[k],
                f"policy-{person.rsplit('-', 1)[0]}", user_ids[person], person, "on call",
                paged_at[k], zones[person], "", "working",
            )  # fmt: skip

    _bulk(
        cursor,
        "pages",
        (
            "id",
            "group_id",
            "sequence",
            "step",
            "policy",
            "user_id",
            "user_name",
            "reason",
            "paged_at",
            "time_zone",
            "local_time",
            "period",
        ),
        page_rows(),
    )
    rng = np.random.default_rng(len(p.page_at))
    first = (rng.uniform(0.5, 3.0, p.pages) * US).astype(np.int64)
    second = (rng.uniform(5, 20, p.pages) * US).astype(np.int64)
    sms = (rng.random(p.pages) < 0.3).tolist()
    at = np.array(p.page_at, dtype=np.int64)
    sent_first, sent_second = _stamps(at + first), _stamps(at + second)

    def notifications() -> Iterator[tuple[Any, ...]]:
        number = 0
        for k in range(p.pages):
            person = p.page_user[k]
            methods = [("email", sent_first[k])] + ([("sms", sent_second[k])] if sms[k] else [])
            for kind, sent in methods:
                number += 1
                yield (
                    number, k + 1, p.page_group[k], user_ids[person], kind, kind,
                    f"{person}@example.com" if kind == "email" else "+10000000000",
                    f"page-{k + 1}-{kind}", paged_at[k], "sent", 1, sent, "",
                )  # fmt: skip

    _bulk(
        cursor,
        "notifications",
        (
            "id",
            "page_id",
            "group_id",
            "user_id",
            "contact",
            "kind",
            "address",
            "idempotency_key",
            "due_at",
            "status",
            "attempts",
            "sent_at",
            "error",
        ),
        notifications(),
    )


def check_shifts(engine: Engine, world: World) -> list[str]:
    """Ninefold's own shifts around the quarters (`records.shift_records`) against the turns
    the benchmark laid out: the DuckDB query reads the latter."""
    start, end = QUARTER.previous().start, QUARTER.end
    with make_session_factory(engine)() as session:
        theirs = records.shift_records(session, start, end)
    since, until = _us(start - records.SHIFT_MARGIN), _us(end + records.SHIFT_MARGIN)
    found = {(s.schedule, s.user, _us(s.start), _us(s.end)) for s in theirs}
    inside = {(s, u, a, b) for s, u, a, b in found if a > since and b < until}
    mine = {(s, u, a, b) for s, u, a, b in shift_rows(world) if a > since and b < until}
    return [] if inside == mine else [f"shifts differ: {len(inside ^ mine)} of {len(mine)}"]


# --- the same figures in DuckDB ---------------------------------------------------------------


def duckdb_copy(engine: Engine, world: World) -> duckdb.DuckDBPyConnection:
    """The rows the KPI table reads, read back from the SQLite database into DuckDB tables
    (not timed), instants as SQLite keeps them cast to TIMESTAMP; the on-call turns as laid
    out (checked against Ninefold's own by `check_shifts`), and each team's calendar of
    business days from its zone and holidays."""
    path = engine.url.database
    assert path is not None
    source = sqlite3.connect(path)
    db = duckdb.connect()
    db.execute("SET TimeZone = 'UTC'")

    def copy(name: str, query: str, casts: dict[str, str]) -> None:
        cursor = source.execute(query)
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
        values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
        staged = {c: np.array(v, dtype=object) for c, v in zip(columns, values, strict=True)}
        db.register("staged", staged)
        shown = ", ".join(f'CAST("{c}" AS {casts.get(c, "VARCHAR")}) AS "{c}"' for c in columns)
        db.execute(f"CREATE TABLE {name} AS SELECT {shown} FROM staged")
        db.unregister("staged")

    ts, big = "TIMESTAMP", "BIGINT"
    copy(
        "svc",
        "SELECT s.name AS service, t.name AS team, t.time_zone AS zone FROM services s "
        "JOIN teams t ON t.id = s.owner_team_id",
        {},
    )
    copy(
        "deps",
        "SELECT a.name AS service, b.name AS depends_on FROM service_dependencies d "
        "JOIN services a ON a.id = d.service_id JOIN services b ON b.id = d.depends_on_id",
        {},
    )
    copy(
        "inc",
        "SELECT id, severity, category, services, caused_by_change, declared_at, impact_start, "
        "detected_at, acknowledged_at, mitigated_at, resolved_at, impact_end FROM incidents",
        {
            "id": big,
            "caused_by_change": big,
            **dict.fromkeys(
                (
                    "declared_at",
                    "impact_start",
                    "detected_at",
                    "acknowledged_at",
                    "mitigated_at",
                    "resolved_at",
                    "impact_end",
                ),
                ts,
            ),
        },
    )
    db.execute(
        "CREATE TABLE parsed AS SELECT * REPLACE "
        "(CAST(from_json(services, '[\"VARCHAR\"]') AS VARCHAR[]) AS services) FROM inc; "
        "DROP TABLE inc; "
        "CREATE TABLE inc AS SELECT *, services[1] AS first_service FROM parsed; "
        "DROP TABLE parsed; "
        "CREATE TABLE inc_services AS SELECT id, unnest(services) AS service FROM inc"
    )
    copy(
        "inc_groups",
        "SELECT incident_id, group_id FROM incident_groups",
        {"incident_id": big, "group_id": big},
    )
    copy(
        "pm",
        "SELECT incident_id, reviewed_at FROM postmortems",
        {"incident_id": big, "reviewed_at": ts},
    )
    copy(
        "items",
        "SELECT id, team, due, closed_on FROM action_items",
        {"id": big, "due": "DATE", "closed_on": "DATE"},
    )
    copy(
        "grp",
        "SELECT id, service, created_at, acknowledged_at, resolved_at, resolved_by "
        "FROM alert_groups",
        {"id": big, "created_at": ts, "acknowledged_at": ts, "resolved_at": ts},
    )
    copy(
        "gev",
        "SELECT id, group_id, kind, at AS event_at, json_extract(detail, '$.answer') AS answer "
        "FROM alert_group_events WHERE kind IN ('acknowledged', 'actionable')",
        {"id": big, "group_id": big, "event_at": ts},
    )
    copy(
        "notif",
        "SELECT n.group_id, u.name AS person, n.sent_at FROM notifications n "
        "JOIN users u ON u.id = n.user_id",
        {"group_id": big, "sent_at": ts},
    )
    copy(
        "changes",
        "SELECT id, service, finished_at, role, undoes_id, fixes_deploy_id, hotfix, "
        "caused_incident FROM changes",
        {
            "id": big,
            "finished_at": ts,
            "undoes_id": big,
            "fixes_deploy_id": big,
            "hotfix": "BOOLEAN",
            "caused_incident": big,
        },
    )
    source.close()
    shifts = shift_rows(world)
    db.register(
        "staged",
        {
            "schedule": np.array([s[0] for s in shifts], dtype=object),
            "person": np.array([s[1] for s in shifts], dtype=object),
            "start_us": np.array([s[2] for s in shifts], dtype=np.int64),
            "end_us": np.array([s[3] for s in shifts], dtype=np.int64),
        },
    )
    db.execute(
        "CREATE TABLE shifts AS SELECT CAST(schedule AS VARCHAR) AS schedule, "
        "CAST(person AS VARCHAR) AS person, make_timestamp(start_us) AS start_at, "
        "make_timestamp(end_us) AS end_at FROM staged"
    )
    db.unregister("staged")
    teams, days, business = [], [], []
    first, last = date(2024, 6, 1), date(2027, 6, 1)
    for team in world.teams:
        off = set(world.holidays[team])
        day = first
        while day < last:
            teams.append(team)
            days.append(day)
            business.append(day.weekday() < 5 and day not in off)
            day += timedelta(days=1)
    db.register(
        "staged",
        {
            "team": np.array(teams, dtype=object),
            "day": np.array([d.isoformat() for d in days], dtype=object),
            "business": np.array(business, dtype=bool),
        },
    )
    db.execute(
        "CREATE TABLE calendar AS SELECT CAST(team AS VARCHAR) AS team, CAST(day AS DATE) AS day, "
        "business, sum(CAST(business AS INTEGER)) OVER (PARTITION BY team ORDER BY day) AS n "
        "FROM staged"
    )
    db.unregister("staged")
    return db


# Every figure of the KPI table, per team and per quarter (the one asked and the one before),
# as KPIS.md defines them and docs/kpis.md settles what it leaves open. Durations in minutes.
KPI_SQL = """
WITH periods AS (
    SELECT 'current' AS period, $start::TIMESTAMP AS p_start, $end::TIMESTAMP AS p_end
    UNION ALL
    SELECT 'previous', $previous::TIMESTAMP, $start::TIMESTAMP
),
teams AS (SELECT DISTINCT team FROM svc),
grid AS (SELECT * FROM teams, periods),
-- incidents, with the instants KPIs compute with
linked AS (
    SELECT ig.incident_id AS id, min(g.created_at) AS opened, min(g.acknowledged_at) AS acked
    FROM inc_groups ig JOIN grp g ON g.id = ig.group_id GROUP BY ALL
),
eff AS (
    SELECT i.id, i.severity, i.category, i.services, i.first_service, i.impact_start,
        coalesce(i.detected_at, least(l.opened, i.declared_at)) AS detected,
        least(l.acked, i.acknowledged_at) AS acknowledged,
        i.mitigated_at AS mitigated, i.resolved_at AS resolved,
        coalesce(i.impact_end, i.mitigated_at) AS impact_end,
        coalesce(i.impact_start, i.declared_at) AS anchor
    FROM inc i LEFT JOIN linked l ON l.id = i.id
),
inc_team AS (SELECT DISTINCT i.id, s.team FROM inc_services i JOIN svc s USING (service)),
anchored AS (
    SELECT p.period, t.team, e.*
    FROM eff e JOIN inc_team t USING (id)
    JOIN periods p ON e.anchor >= p.p_start AND e.anchor < p.p_end
),
spans AS (
    SELECT period, team, severity,
        (epoch_us(detected) - epoch_us(impact_start)) / 60e6 AS ttd,
        (epoch_us(acknowledged) - epoch_us(detected)) / 60e6 AS tta,
        (epoch_us(mitigated) - epoch_us(impact_start)) / 60e6 AS ttm,
        (epoch_us(resolved) - epoch_us(impact_start)) / 60e6 AS ttr
    FROM anchored
),
incident_figures AS (
    SELECT period, team,
        count(ttd) AS ttd_count, avg(ttd) AS ttd_mean,
        quantile_cont(ttd, 0.5) AS ttd_p50, quantile_cont(ttd, 0.9) AS ttd_p90,
        count(tta) AS tta_count, avg(tta) AS tta_mean,
        quantile_cont(tta, 0.5) AS tta_p50, quantile_cont(tta, 0.9) AS tta_p90,
        count(ttm) AS ttm_count, avg(ttm) AS ttm_mean,
        quantile_cont(ttm, 0.5) AS ttm_p50, quantile_cont(ttm, 0.9) AS ttm_p90,
        count(ttr) AS ttr_count, avg(ttr) AS ttr_mean,
        quantile_cont(ttr, 0.5) AS ttr_p50, quantile_cont(ttr, 0.9) AS ttr_p90,
        count(*) FILTER (WHERE severity = 'SEV1') AS sev1,
        count(*) FILTER (WHERE severity = 'SEV2') AS sev2,
        count(*) FILTER (WHERE severity = 'SEV3') AS sev3,
        count(*) FILTER (WHERE severity = 'SEV4') AS sev4
    FROM spans GROUP BY ALL
),
impact AS (
    SELECT period, team, sum(minutes) AS minutes
    FROM (
        SELECT p.period, t.team, (epoch_us(least(e.impact_end, p.p_end))
            - epoch_us(greatest(e.impact_start, p.p_start))) / 60e6 AS minutes
        FROM eff e JOIN inc_team t USING (id) CROSS JOIN periods p
        WHERE e.impact_start IS NOT NULL AND e.impact_end IS NOT NULL
    )
    WHERE minutes > 0 GROUP BY ALL
),
recurring AS (
    SELECT a.period, a.team, a.id, bool_or(o.id IS NOT NULL) AS recurs
    FROM anchored a
    LEFT JOIN eff o ON o.category = a.category AND o.id <> a.id
        AND o.impact_start >= a.impact_start - INTERVAL 90 DAY
        AND o.impact_start < a.impact_start
        AND list_has_any(o.services, a.services)
    WHERE a.severity IN ('SEV1', 'SEV2')
    GROUP BY ALL
),
recurrence AS (
    SELECT period, team, count(*) FILTER (WHERE recurs) AS recurrence_num,
        count(*) AS recurrence_den
    FROM recurring GROUP BY ALL
),
due AS (
    SELECT e.id, e.resolved, pm.reviewed_at,
        timezone(s.zone, CAST(c1.day + 1 AS TIMESTAMP)) AS deadline
    FROM eff e
    JOIN svc s ON s.service = e.first_service
    JOIN calendar c0 ON c0.team = s.team
        AND c0.day = CAST(timezone(s.zone, CAST(e.resolved AS TIMESTAMPTZ)) AS DATE)
    JOIN calendar c1 ON c1.team = s.team AND c1.business AND c1.n = c0.n + 5
    LEFT JOIN pm ON pm.incident_id = e.id
    WHERE e.severity IN ('SEV1', 'SEV2') AND e.resolved IS NOT NULL
),
timeliness AS (
    SELECT p.period, t.team,
        count(*) FILTER (WHERE CAST(d.reviewed_at AS TIMESTAMPTZ) < d.deadline) AS pm_num,
        count(*) AS pm_den
    FROM due d JOIN inc_team t USING (id)
    JOIN periods p ON d.resolved >= p.p_start AND d.resolved < p.p_end
    GROUP BY ALL
),
closure AS (
    SELECT p.period, i.team,
        count(*) FILTER (WHERE i.closed_on IS NOT NULL AND i.closed_on <= i.due) AS items_num,
        count(*) AS items_den
    FROM items i JOIN periods p
        ON CAST(i.due AS TIMESTAMP) >= p.p_start AND CAST(i.due AS TIMESTAMP) < p.p_end
    GROUP BY ALL
),
-- paging: a page is a person's first sent notification of a group
pages AS (
    SELECT n.group_id, n.person, min(n.sent_at) AS sent_at, s.team
    FROM notif n JOIN grp g ON g.id = n.group_id JOIN svc s ON s.service = g.service
    WHERE n.sent_at IS NOT NULL GROUP BY ALL
),
facts AS (
    SELECT group_id,
        min(event_at) FILTER (WHERE kind = 'acknowledged') AS acked,
        last(answer ORDER BY event_at, id) FILTER (WHERE kind = 'actionable') AS answer
    FROM gev GROUP BY group_id
),
first_pages AS (SELECT group_id, min(sent_at) AS first_page FROM pages GROUP BY ALL),
paged AS (
    SELECT g.id, s.team, g.created_at, g.resolved_at, g.resolved_by, f.acked, f.answer,
        fp.first_page, (epoch_us(f.acked) - epoch_us(fp.first_page)) / 60e6 AS ack
    FROM grp g JOIN svc s ON s.service = g.service
    JOIN first_pages fp ON fp.group_id = g.id
    LEFT JOIN facts f ON f.group_id = g.id
),
group_figures AS (
    SELECT p.period, g.team,
        count(g.ack) AS ack_count, avg(g.ack) AS ack_mean,
        quantile_cont(g.ack, 0.5) AS ack_p50, quantile_cont(g.ack, 0.9) AS ack_p90,
        count(*) FILTER (WHERE g.resolved_at IS NOT NULL AND g.answer = 'yes') AS actionable_num,
        count(*) FILTER (WHERE g.resolved_at IS NOT NULL AND g.answer IN ('yes', 'no'))
            AS actionable_den,
        count(*) FILTER (WHERE g.answer = 'no' OR (g.resolved_by LIKE 'source:%'
            AND g.acked IS NULL AND g.resolved_at IS NOT NULL
            AND g.resolved_at - g.created_at <= INTERVAL 10 MINUTE)) AS noise_num,
        count(*) AS noise_den
    FROM paged g JOIN periods p ON g.first_page >= p.p_start AND g.first_page < p.p_end
    GROUP BY ALL
),
ordered AS (
    SELECT person, start_at, end_at, max(end_at) OVER (PARTITION BY person ORDER BY start_at
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_end
    FROM shifts
),
islands AS (
    SELECT *, sum(CASE WHEN before_end IS NULL OR start_at > before_end THEN 1 ELSE 0 END)
        OVER (PARTITION BY person ORDER BY start_at) AS island
    FROM ordered
),
on_call AS (
    SELECT person, island, min(start_at) AS s, max(end_at) AS e FROM islands GROUP BY ALL
),
hours AS (
    SELECT p.period, sum(greatest(epoch_us(least(o.e, p.p_end))
        - epoch_us(greatest(o.s, p.p_start)), 0)) / 3600e6 AS hours
    FROM on_call o CROSS JOIN periods p GROUP BY ALL
),
on_call_pages AS (
    SELECT p.period, pg.team, count(*) AS on_call_pages
    FROM pages pg JOIN periods p ON pg.sent_at >= p.p_start AND pg.sent_at < p.p_end
    WHERE EXISTS (SELECT 1 FROM on_call o WHERE o.person = pg.person
        AND pg.sent_at >= o.s AND pg.sent_at < o.e)
    GROUP BY ALL
),
turns AS (
    SELECT p.period, count(*) AS shifts FROM shifts s JOIN periods p
        ON s.start_at >= p.p_start AND s.start_at < p.p_end GROUP BY ALL
),
shift_pages AS (
    SELECT p.period, pg.team, count(*) AS shift_pages
    FROM shifts s JOIN periods p ON s.start_at >= p.p_start AND s.start_at < p.p_end
    JOIN pages pg ON pg.person = s.person AND pg.sent_at >= s.start_at AND pg.sent_at < s.end_at
    GROUP BY ALL
),
-- deploys: an incident's cause is the deploy it names, else the first deploy naming it,
-- else the last deploy of its first service or a direct dependency in the 24 hours before
deploys AS (SELECT id, service, finished_at, caused_incident FROM changes WHERE role = 'deploy'),
near AS (
    SELECT service, service AS near FROM svc UNION SELECT service, depends_on FROM deps
),
named AS (
    SELECT caused_incident AS incident, first(id ORDER BY finished_at, id) AS deploy
    FROM deploys WHERE caused_incident IS NOT NULL GROUP BY ALL
),
ruled AS (
    SELECT i.id AS incident, last(d.id ORDER BY d.finished_at, d.id) AS deploy
    FROM inc i JOIN near n ON n.service = i.first_service
    JOIN deploys d ON d.service = n.near AND d.finished_at < i.impact_start
        AND d.finished_at >= i.impact_start - INTERVAL 24 HOUR
    GROUP BY ALL
),
causes AS (
    SELECT DISTINCT coalesce(i.caused_by_change, n.deploy, r.deploy) AS deploy
    FROM inc i LEFT JOIN named n ON n.incident = i.id LEFT JOIN ruled r ON r.incident = i.id
),
rolled AS (SELECT DISTINCT undoes_id AS id FROM changes WHERE role = 'rollback'),
fixed AS (SELECT DISTINCT fixes_deploy_id AS id FROM changes WHERE role = 'deploy'),
dora AS (
    SELECT p.period, s.team, count(*) AS deploys,
        count(*) FILTER (WHERE r.id IS NOT NULL OR f.id IS NOT NULL
            OR d.caused_incident IS NOT NULL OR c.deploy IS NOT NULL) AS failed,
        count(*) FILTER (WHERE r.id IS NOT NULL) AS rolled_back
    FROM deploys d JOIN svc s USING (service)
    JOIN periods p ON d.finished_at >= p.p_start AND d.finished_at < p.p_end
    LEFT JOIN rolled r ON r.id = d.id LEFT JOIN fixed f ON f.id = d.id
    LEFT JOIN causes c ON c.deploy = d.id
    GROUP BY ALL
)
SELECT g.team, g.period,
    (epoch_us(g.p_end) - epoch_us(g.p_start)) / 86400e6 AS days,
    coalesce(i.ttd_count, 0) AS ttd_count, i.ttd_mean, i.ttd_p50, i.ttd_p90,
    coalesce(i.tta_count, 0) AS tta_count, i.tta_mean, i.tta_p50, i.tta_p90,
    coalesce(i.ttm_count, 0) AS ttm_count, i.ttm_mean, i.ttm_p50, i.ttm_p90,
    coalesce(i.ttr_count, 0) AS ttr_count, i.ttr_mean, i.ttr_p50, i.ttr_p90,
    coalesce(m.minutes, 0.0) AS impact_minutes,
    coalesce(i.sev1, 0) AS sev1, coalesce(i.sev2, 0) AS sev2,
    coalesce(i.sev3, 0) AS sev3, coalesce(i.sev4, 0) AS sev4,
    coalesce(r.recurrence_num, 0) AS recurrence_num,
    coalesce(r.recurrence_den, 0) AS recurrence_den,
    coalesce(t.pm_num, 0) AS pm_num, coalesce(t.pm_den, 0) AS pm_den,
    coalesce(c.items_num, 0) AS items_num, coalesce(c.items_den, 0) AS items_den,
    coalesce(a.ack_count, 0) AS ack_count, a.ack_mean, a.ack_p50, a.ack_p90,
    coalesce(sp.shift_pages, 0) AS shift_pages, coalesce(tu.shifts, 0) AS shifts,
    coalesce(op.on_call_pages, 0) AS on_call_pages, coalesce(h.hours, 0.0) AS on_call_hours,
    coalesce(a.actionable_num, 0) AS actionable_num,
    coalesce(a.actionable_den, 0) AS actionable_den,
    coalesce(a.noise_num, 0) AS noise_num, coalesce(a.noise_den, 0) AS noise_den,
    coalesce(d.deploys, 0) AS deploys, coalesce(d.failed, 0) AS failed,
    coalesce(d.rolled_back, 0) AS rolled_back
FROM grid g
LEFT JOIN incident_figures i USING (team, period)
LEFT JOIN impact m USING (team, period)
LEFT JOIN recurrence r USING (team, period)
LEFT JOIN timeliness t USING (team, period)
LEFT JOIN closure c USING (team, period)
LEFT JOIN group_figures a USING (team, period)
LEFT JOIN shift_pages sp USING (team, period)
LEFT JOIN turns tu USING (period)
LEFT JOIN on_call_pages op USING (team, period)
LEFT JOIN hours h USING (period)
LEFT JOIN dora d USING (team, period)
ORDER BY g.team, g.period
"""


def time_duckdb(db: duckdb.DuckDBPyConnection) -> tuple[list[float], list[dict[str, Any]]]:
    def naive(instant: datetime) -> datetime:
        return instant.astimezone(UTC).replace(tzinfo=None)

    parameters = {
        "start": naive(QUARTER.start),
        "end": naive(QUARTER.end),
        "previous": naive(QUARTER.previous().start),
    }
    seconds: list[float] = []
    rows: list[dict[str, Any]] = []
    for run in range(QUERY_RUNS + 1):
        start = time.perf_counter()
        cursor = db.execute(KPI_SQL, parameters)
        found = cursor.fetchall()
        elapsed = time.perf_counter() - start
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in found]
        if run:
            seconds.append(elapsed)
    return seconds, rows


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def expected(row: dict[str, Any]) -> dict[str, tuple[float | None, dict[str, float | None]]]:
    """DuckDB's row as the KPI table's rows: key -> (value, details)."""
    weeks = row["days"] / 7

    def durations(prefix: str) -> dict[str, float | None]:
        return {
            "count": row[f"{prefix}_count"],
            "mean": row[f"{prefix}_mean"],
            "p50": row[f"{prefix}_p50"],
            "p90": row[f"{prefix}_p90"],
        }

    def parts(prefix: str) -> tuple[float | None, dict[str, float | None]]:
        num, den = row[f"{prefix}_num"], row[f"{prefix}_den"]
        return _ratio(num, den), {"numerator": num, "denominator": den}

    severities = {s: row[s.lower()] for s in SEVERITIES}
    ack = durations("ack")
    days = row["days"]
    return {
        "mttd": (row["ttd_mean"], durations("ttd")),
        "time_to_acknowledge": (row["tta_mean"], durations("tta")),
        "time_to_mitigate": (row["ttm_mean"], durations("ttm")),
        "mttr": (row["ttr_mean"], durations("ttr")),
        "customer_impact": (row["impact_minutes"], {}),
        "incident_rate": (sum(severities.values()) / weeks, dict(severities)),
        "recurrence_rate": parts("recurrence"),
        "postmortem_timeliness": parts("pm"),
        "action_item_closure": parts("items"),
        "mtta_p50": (row["ack_p50"], ack),
        "mtta_p90": (row["ack_p90"], ack),
        "pages_per_shift": (_ratio(row["shift_pages"], row["shifts"]), {}),
        "pages_per_on_call_hour": (
            row["on_call_pages"] / row["on_call_hours"] if row["on_call_hours"] else None,
            {},
        ),
        "actionable_ratio": parts("actionable"),
        "noise_ratio": parts("noise"),
        "deployment_frequency": (row["deploys"] / days * 7, {}),
        "change_failure_rate": (_ratio(row["failed"], row["deploys"]), {}),
        "rollback_rate": (_ratio(row["rolled_back"], row["deploys"]), {}),
    }


def _same(ours: float | None, theirs: float | None) -> bool:
    if ours is None or theirs is None:
        return ours is None and theirs is None
    return math.isclose(float(ours), float(theirs), rel_tol=1e-9, abs_tol=1e-9)


def disagreements(found: dict[str, KpiTable], rows: list[dict[str, Any]]) -> tuple[int, list[str]]:
    """Figures compared, and every one on which Ninefold and DuckDB differ: each KPI's value
    for both quarters, and what the quarter's value is made of."""
    duck = {(r["team"], r["period"]): expected(r) for r in rows}
    compared, problems = 0, []
    for team, table in sorted(found.items()):
        current, previous = duck.get((team, "current")), duck.get((team, "previous"))
        if current is None or previous is None:
            problems.append(f"{team}: no row from DuckDB")
            continue
        for kpi in table.rows:
            checks = [("value", kpi.value, current[kpi.key][0])]
            checks.append(("previous", kpi.previous, previous[kpi.key][0]))
            checks += [
                (f"details.{name}", kpi.details.get(name), value)
                for name, value in current[kpi.key][1].items()
            ]
            for what, ours, theirs in checks:
                compared += 1
                if not _same(ours, theirs):
                    problems.append(f"{team} {kpi.key} {what}: Ninefold {ours}, DuckDB {theirs}")
    return compared, problems


# --- Ninefold --------------------------------------------------------------------------------


def kpi_tables(
    engine: Engine, teams: Sequence[str]
) -> tuple[dict[str, float], dict[str, KpiTable]]:
    """`kpi_table` of the quarter for each team, each call whole in a session of its own."""
    factory = make_session_factory(engine)
    seconds: dict[str, float] = {}
    found: dict[str, KpiTable] = {}
    for team in teams:
        with factory() as session:
            start = time.perf_counter()
            found[team] = kpis.kpi_table(session, QUARTER, Selection(team=team), NOW, {})
            seconds[team] = time.perf_counter() - start
            session.rollback()
        print(f"(h)   {team}: {seconds[team]:.1f} s", flush=True)
    return seconds, found


PHASES = (
    ("records.incident_records", "incident_records"),
    ("  postmortems.review_of (per incident)", "review_of"),
    ("records.item_records", "item_records"),
    ("records.paging_records", "paging_records"),
    ("  groups.opened_between", "opened_between"),
    ("  groups.first_acks_and_answers", "first_acks_and_answers"),
    ("  escalation.first_notifications", "first_notifications"),
    ("records.shift_records", "shift_records"),
    ("dora_report.load_deploys", "load_deploys"),
    ("dora_feed.incidents", "incidents"),
    ("Loaded.narrowed", "narrowed"),
    ("table.rows (the figures, both quarters)", "rows"),
    ("  dora.figures (x6)", "figures"),
    ("    dora._incident_links", "_incident_links"),
    ("  paging_kpis.pages_per_shift (x2)", "pages_per_shift"),
    ("  incident_kpis.recurrence_rate (x2)", "recurrence_rate"),
)


@dataclass(frozen=True)
class Profile:
    team: str
    total_s: float
    phases: list[tuple[str, float]]
    top: str  # the profile's top functions by own time, as pstats prints them


def profile(engine: Engine, team: str) -> Profile:
    """cProfile over one team's `kpi_table` (slower than unprofiled: only the shares count)."""
    factory = make_session_factory(engine)
    profiler = cProfile.Profile()
    with factory() as session:
        profiler.enable()
        kpis.kpi_table(session, QUARTER, Selection(team=team), NOW, {})
        profiler.disable()
        session.rollback()
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = max(entry[3] for entry in raw.values())
    phases = []
    for label, name in PHASES:
        module = {"incidents": "dora_feed", "rows": "table", "figures": "dora"}.get(name)
        cumulative = sum(
            entry[3]
            for (path, _, function), entry in raw.items()
            if function == name and (module is None or path.endswith(f"{module}.py"))
        )
        phases.append((label, cumulative))
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    text = out.getvalue()
    top = text[text.find("   ncalls") :] if "   ncalls" in text else text
    return Profile(team, total, phases, re.sub(r"/[^ ]*/site-packages/", "", top))


@contextmanager
def serving_alone(env: dict[str, str], log: Path, base: str) -> Iterator[subprocess.Popen[bytes]]:
    """`ninefold serve --no-worker`: the page's time alone, with no worker running the
    history's jobs (overdue action items' reminders) beside it on the two cores."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "ninefold", "serve", "--no-worker"],
            env=env,
            stdout=out,
            stderr=out,
            cwd=ROOT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"ninefold exited: {log.read_text()[-2000:]}")
                try:
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("ninefold serve did not answer /readyz within 60 s")
                time.sleep(0.1)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def login(base: str) -> Iterator[httpx.Client]:
    """A client logged in through the login form, as a person's browser is."""
    with httpx.Client(base_url=base, timeout=3600, follow_redirects=False) as http:
        form = http.get("/login")
        token = http.cookies.get("ninefold_login_csrf")
        if form.status_code != 200 or token is None:
            raise RuntimeError(f"no login form: {form.status_code}")
        answer = http.post(
            "/login",
            data={"username": "bench", "password": PASSWORD, "next": "/", "csrf_token": token},
        )
        if answer.status_code != 303 or "ninefold_session" not in http.cookies:
            raise RuntimeError(f"could not log in: {answer.status_code} {answer.text[:300]}")
        yield http


@dataclass(frozen=True)
class Timed:
    """One whole call or request for one team: seconds, and its size or why it failed."""

    team: str
    seconds: float
    size: int = 0
    error: str | None = None


def kpi_page(url: str, teams: Sequence[str], work: Path) -> list[Timed]:
    """`GET /kpis` of the quarter for each of `teams` in turn through a real `ninefold serve
    --no-worker` on a loopback port, logged in. No uncounted request: at a minute or more
    each, a warm-up would change nothing (the database was just read whole)."""
    port = free_port()
    base = f"http://{HOST}:{port}"
    env = {
        **os.environ,
        "NINEFOLD_DATA_DIR": str(work),
        "NINEFOLD_DATABASE_URL": url,
        "NINEFOLD_PORT": str(port),
        "NINEFOLD_PUBLIC_URL": base,
    }
    found = []
    query = {"from": f"{QUARTER.start:%Y-%m-%d}", "to": f"{QUARTER.end:%Y-%m-%d}"}
    with serving_alone(env, work / "serve.log", base):
        for team in teams:
            with login(base) as http:  # a connection of its own: a 500 may close one
                start = time.perf_counter()
                try:
                    answer = http.get("/kpis", params={**query, "team": team})
                    elapsed = time.perf_counter() - start
                    size, error = len(answer.content), None
                    if answer.status_code != 200:
                        error = f"{answer.status_code}: {_served_error(work / 'serve.log')}"
                except httpx.TransportError as exc:
                    elapsed = time.perf_counter() - start
                    size, error = 0, f"{type(exc).__name__}: {exc}"
            found.append(Timed(team, elapsed, size, error))
            print(f"(h)   GET /kpis?team={team}: {elapsed:.1f} s, {error or 'ok'}", flush=True)
    return found


def _served_error(log: Path) -> str:
    """The last exception line `serve` logged (it may log it just after answering)."""
    for _ in range(20):
        lines = [
            line
            for line in log.read_text(errors="replace").splitlines()
            if re.match(r"^[a-zA-Z_.]+(Error|Exception): ", line)
        ]
        if lines:
            return lines[-1][:300]
        time.sleep(0.1)
    return "see serve.log"


def quarterly_reports(engine: Engine, url: str, work: Path, teams: Sequence[str]) -> list[Timed]:
    """`reporting.make` of the quarterly report of 2026-Q3 for each of `teams`, whole (the
    document built, as `ninefold report quarterly --team T --period 2026-Q3` and the Reports
    page build it; not rendered), each in a session of its own."""
    settings = Settings(data_dir=work, database_url=url, config_dir=work / "no-config")
    wanted = [Wanted("quarterly", Selection(team=team), "2026-Q3") for team in teams]
    factory = make_session_factory(engine)
    found = []
    for team, asked in zip(teams, wanted, strict=True):
        with factory() as session:
            start = time.perf_counter()
            try:
                report = reporting.make(session, settings, asked, NOW)
                error, size = None, len(report.sections)
            except Exception as exc:  # a failure at this size is a finding, not a crash
                error, size = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}", 0
            elapsed = time.perf_counter() - start
            session.rollback()
        found.append(Timed(team, elapsed, size, error))
        print(f"(h)   quarterly report of {team}: {elapsed:.1f} s, {error or 'ok'}", flush=True)
    return found


# --- the whole benchmark --------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    scale: float
    counts: dict[str, int]
    generate_s: float
    load_s: float
    copy_s: float
    duckdb_s: list[float]
    table_s: dict[str, float]
    compared: int
    problems: list[str]
    profile: Profile | None
    page: list[Timed]
    reports: list[Timed]
    version: str

    @property
    def ok(self) -> bool:
        return not self.problems and not any(t.error for t in [*self.page, *self.reports])

    def text(self) -> str:
        n = self.counts
        query = Spread.of(self.duckdb_s)
        per_team = Spread.of(list(self.table_s.values()))
        total = sum(self.table_s.values())
        agree = "all agree" if not self.problems else f"{len(self.problems)} DISAGREE"
        lines = [
            f"(h) the KPI table of each of {n['teams']} teams for {QUARTER.start:%Y-%m-%d} to "
            f"{QUARTER.end:%Y-%m-%d} (and the quarter before) over two years of history, "
            f"scale {self.scale:g}: {n['incidents']:,} incidents ({n['postmortems']:,} "
            f"postmortems, {n['action_items']:,} action items), {n['pages']:,} pages on "
            f"{n['alert_groups']:,} alert groups, {n['changes']:,} changes ({n['deploys']:,} "
            f"deploys, {n['rollbacks']:,} rollbacks) with {n['commits']:,} commits; "
            f"{n['services']} services, {n['people']} people on call in {n['teams']} rotations",
            f"  generated in {self.generate_s:.0f} s, loaded into {self.version} in "
            f"{self.load_s:.0f} s, read into DuckDB in {self.copy_s:.0f} s",
            f"  DuckDB {duckdb.__version__}, one query for every team and both quarters, median "
            f"of {QUERY_RUNS} after a warm-up: {query.show()}",
            f"  kpi_table, one call per team: total {total:.1f} s; per team {per_team.show()}",
            f"  x DuckDB: all teams {total / query.median:,.0f}; one team "
            f"{per_team.median / query.median:,.0f} (the query answers all {n['teams']} teams)",
            f"  {self.compared:,} figures compared with DuckDB's: {agree}",
        ]
        lines += [f"    {problem}" for problem in self.problems[:60]]
        if len(self.problems) > 60:
            lines.append(f"    ... and {len(self.problems) - 60} more")
        for what, timed in (
            ("GET /kpis?team=T (logged in, `ninefold serve` on loopback)", self.page),
            ("the quarterly report of 2026-Q3 for team T (reporting.make)", self.reports),
        ):
            if not timed:
                continue
            spread = Spread.of([t.seconds for t in timed])
            lines.append(
                f"  {what}: {spread.show()}; x DuckDB (all teams) "
                f"{spread.median / query.median:,.0f}"
            )
            lines += [
                f"    {t.team}: {t.seconds:.1f} s, "
                + (f"FAILED: {t.error}" if t.error else f"{t.size:,} (bytes or sections)")
                for t in timed
            ]
        if self.profile is not None:
            p = self.profile
            lines.append(f"  cProfile of kpi_table for {p.team}: {p.total_s:.1f} s profiled")
            lines += [
                f"    {label:<44} {seconds:>7.1f} s {seconds / p.total_s:>5.0%}"
                for label, seconds in p.phases
            ]
            lines += ["    " + line for line in p.top.rstrip().splitlines()]
        return "\n".join(lines)

    def summary(self) -> dict[str, object]:
        return {
            "scale": self.scale,
            "counts": self.counts,
            "period": [QUARTER.start.isoformat(), QUARTER.end.isoformat()],
            "database": self.version,
            "generate_s": self.generate_s,
            "load_s": self.load_s,
            "duckdb_copy_s": self.copy_s,
            "duckdb_s": self.duckdb_s,
            "kpi_table_s": self.table_s,
            "figures_compared": self.compared,
            "disagreements": self.problems,
            "page": [vars(t) for t in self.page],
            "quarterly_report": [vars(t) for t in self.reports],
            "profile": None
            if self.profile is None
            else {
                "team": self.profile.team,
                "total_s": self.profile.total_s,
                "phases": dict(self.profile.phases),
            },
        }


def run(scale: float, seed: int, page_teams: int = PAGE_RUNS, keep: Path | None = None) -> Result:
    """Generate, migrate, load, check the shifts, copy into DuckDB, time the query, time
    `kpi_table` for every team, compare, profile one team, time the page."""
    print(f"(h) generating the history at scale {scale:g} ...", flush=True)
    start = time.perf_counter()
    history = make_history(scale, seed)
    generate_s = time.perf_counter() - start
    teams = history.world.teams
    with tempfile.TemporaryDirectory(prefix="ninefold-bench-kpis-") as tmp:
        work = keep or Path(tmp)
        path = work / "ninefold.db"
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        migrations.upgrade(engine)
        user_ids = write_catalog(engine, history.world)
        version = f"SQLite {sqlite3.sqlite_version}"
        print(f"(h) loading {version} ...", flush=True)
        start = time.perf_counter()
        load(engine, history, user_ids)
        load_s = time.perf_counter() - start
        problems = check_shifts(engine, history.world)
        print("(h) reading into DuckDB and timing the query ...", flush=True)
        start = time.perf_counter()
        duck = duckdb_copy(engine, history.world)
        copy_s = time.perf_counter() - start
        duckdb_s, rows = time_duckdb(duck)
        duck.close()
        print(f"(h) kpi_table for each of {len(teams)} teams ...", flush=True)
        table_s, found = kpi_tables(engine, teams)
        compared, differing = disagreements(found, rows)
        problems += differing
        total, query = sum(table_s.values()), statistics.median(duckdb_s)
        print(
            f"(h) kpi_table: {total:.1f} s for all teams, median "
            f"{statistics.median(table_s.values()):.1f} s; "
            f"DuckDB {query:.3f} s; {compared:,} figures compared, {len(differing)} differ",
            flush=True,
        )
        busiest = max(teams, key=history.world.cat.owners.count)
        print(f"(h) profiling kpi_table for {busiest} ...", flush=True)
        found_profile = profile(engine, busiest)
        ordered = sorted(teams, key=lambda t: table_s[t])
        middle = ordered[len(ordered) // 2 - page_teams // 2 :][:page_teams]
        page, reports = [], []
        if page_teams:
            print("(h) the quarterly report ...", flush=True)
            reports = quarterly_reports(engine, url, work, middle)
        engine.dispose()
        if page_teams:
            print("(h) the KPI page through `ninefold serve` ...", flush=True)
            page = kpi_page(url, middle, work)
    return Result(
        scale,
        history.counts(),
        generate_s,
        load_s,
        copy_s,
        duckdb_s,
        table_s,
        compared,
        problems,
        found_profile,
        page,
        reports,
        version,
    )
