"""The world benchmark (h)'s history happens in, and its writing into Ninefold.

Its two years and the quarter reported on, the units every instant is counted in
(microseconds since the epoch, NONE where an instant is not there), the catalog of
benchmark (g) with dependencies, time zones and holidays, and each team's people and weekly
on-call rotation. Every other module of the package reads these; `write_catalog` writes them
through Ninefold's own use cases, as they are few (the history itself is bulk-loaded by
`load`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine

from bench.changes_dora import Catalog, make_catalog
from ninefold.auth import service as auth_service
from ninefold.auth.model import Principal, Role
from ninefold.auth.schemas import UserSpec
from ninefold.catalog import service as catalog
from ninefold.catalog.schemas import ServiceSpec, ServiceUpdate, TeamSpec
from ninefold.changes.dora import Period
from ninefold.db import make_session_factory, unit_of_work
from ninefold.oncall import service as schedules
from ninefold.oncall.schemas import LayerSpec, ScheduleSpec

HISTORY_START = datetime(2024, 12, 1, tzinfo=UTC)
HISTORY_END = datetime(2026, 12, 1, tzinfo=UTC)
QUARTER = Period(datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))
NOW = HISTORY_END  # the quarter is over: the table is not partial
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
PASSWORD = "bench-password"  # a throwaway database's admin
ADMIN = Principal("bench", Role.ADMIN, "config")
US = 1_000_000
MINUTE = 60 * US
HOUR = 60 * MINUTE
DAY = 24 * HOUR
NONE = np.iinfo(np.int64).min  # an instant that is not there
Ints = npt.NDArray[np.int64]


def to_us(instant: datetime) -> int:
    """Microseconds since the epoch: the history is drawn in them, as NumPy integers."""
    return (instant - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def lognormal_us(rng: np.random.Generator, median_s: float, sigma: float, n: int) -> Ints:
    """`n` log-normal durations of median `median_s` seconds, in microseconds: the history's
    delays and lengths (to declare, acknowledge, mitigate, resolve, review)."""
    return (rng.lognormal(math.log(median_s), sigma, n) * US).astype(np.int64)


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
        shifts[team] = np.array([to_us(s) for s in starts], dtype=np.int64)
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
