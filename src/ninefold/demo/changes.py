"""90 days of changes for `ninefold demo`, so the DORA page, the service pages and the SLO
burn-downs have a history to show.

Seeded by the day: the changes of a service on a UTC day are a function of the service and
the day alone, each with an external id, so starting the demo again records nothing twice
and a later start adds only the days in between. They go in through the same use case as CI's
(`changes.service.record`), so rollbacks and hotfixes are recognised as they would be.

They agree with the sample SLO data: just before each sample incident of an SLO, its service
ships a deploy, undone by a rollback (or, every third time, fixed by a hotfix) as the incident
ends. The incidents to come (declared from those alerts) find it by the 24-hour link rule.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from ninefold.auth.model import Principal, Role
from ninefold.changes import service
from ninefold.changes.schemas import ChangeIn, CommitIn
from ninefold.slos.sources.sample import INCIDENT_LENGTH, incident_starts

DAYS = 90
RECORDER = Principal("demo", Role.ADMIN, "demo")
AUTHORS = ("maria", "jonas", "priya", "diego", "amelia", "kenji")
TITLES = (
    "Tune connection pool",
    "Add retry with jitter",
    "Bump dependencies",
    "Faster price lookup",
    "Log request ids",
    "Fix rounding of totals",
    "Cache product images",
    "Remove dead feature flag",
    "Split slow query",
    "Better error messages",
)


@dataclass(frozen=True)
class Cadence:
    """How often a service ships: deploys per working day on average."""

    service: str
    per_day: float
    lead_days: float
    """Typical days from a commit to its deploy."""


CADENCES = (
    Cadence("web", 2.2, 0.6),
    Cadence("api-gateway", 0.6, 2.0),
    Cadence("catalog", 1.4, 1.0),
    Cadence("search", 0.9, 1.5),
    Cadence("recommendations", 0.5, 3.0),
    Cadence("cart", 0.8, 1.2),
    Cadence("checkout", 0.7, 1.8),
    Cadence("payments", 0.3, 4.0),
    Cadence("inventory", 0.4, 2.5),
    Cadence("notifications", 0.3, 3.5),
)


def seed_changes(
    session: Session, now: datetime, slos: Sequence[tuple[str, str]], known: set[str]
) -> int:
    """Record the history of the last 90 days for the services in `known`; how many changes
    are new. `slos` are (service, name) pairs whose sample incidents the history follows."""
    start = (now - timedelta(days=DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
    changes = sorted(
        (c for c in _history(start, now, slos) if c.service in known),
        key=lambda c: c.finished_at or now,
    )
    return sum(service.record(session, RECORDER, c, now, "demo").created for c in changes)


def _history(start: datetime, now: datetime, slos: Sequence[tuple[str, str]]) -> Iterator[ChangeIn]:
    versions: dict[str, int] = {}
    day = start
    while day < now:
        for cadence in CADENCES:
            yield from _day(cadence, day, now, versions)
        day += timedelta(days=1)
    for number, (svc, name) in enumerate(slos):
        for began in incident_starts(svc, name, start, now - INCIDENT_LENGTH):
            yield from _bad_deploy(svc, began, number)


def _day(
    cadence: Cadence, day: datetime, now: datetime, versions: dict[str, int]
) -> Iterator[ChangeIn]:
    rng = random.Random(f"{cadence.service}:{day:%Y-%m-%d}")  # noqa: S311 (sample data)
    weekend = day.weekday() >= 5
    count = sum(rng.random() < cadence.per_day / 3 for _ in range(3)) if not weekend else 0
    for i in range(count):
        finished = day + timedelta(hours=rng.uniform(8.5, 17.5))
        if finished >= now:
            continue
        number = versions.get(cadence.service, 0) + 1
        versions[cadence.service] = number
        failed = rng.random() < 0.04
        yield ChangeIn(
            service=cadence.service,
            version=f"1.{day:%j}.{i}",
            external_id=f"demo:{cadence.service}:{day:%Y-%m-%d}:{i}",
            author=rng.choice(AUTHORS),
            started_at=finished - timedelta(minutes=rng.uniform(4, 15)),
            finished_at=finished,
            outcome="failed" if failed else "success",
            url=f"https://ci.shop.example/{cadence.service}/runs/{day:%j}{i}",
            commits=_commits(rng, finished, cadence.lead_days),
        )


def _commits(rng: random.Random, finished: datetime, lead_days: float) -> list[CommitIn]:
    return [
        CommitIn(
            sha=f"{rng.getrandbits(160):040x}",
            authored_at=finished - timedelta(days=rng.expovariate(1 / lead_days) + 0.02),
            author=rng.choice(AUTHORS),
            title=rng.choice(TITLES),
        )
        for _ in range(rng.randint(1, 5))
    ]


def _bad_deploy(svc: str, began: datetime, number: int) -> Iterator[ChangeIn]:
    """A deploy 20 minutes before a sample incident, undone when it ends."""
    rng = random.Random(f"{svc}:incident:{began.isoformat()}")  # noqa: S311 (sample data)
    shipped = began - timedelta(minutes=20)
    tag = f"{began:%Y%m%d%H%M}"
    yield ChangeIn(
        service=svc,
        version=f"2.{tag}",
        external_id=f"demo:{svc}:incident:{tag}",
        author=rng.choice(AUTHORS),
        finished_at=shipped.astimezone(UTC),
        url=f"https://ci.shop.example/{svc}/runs/{tag}",
        commits=_commits(rng, shipped, 1.0),
    )
    ended = began + INCIDENT_LENGTH
    if (number + began.day) % 3 == 0:
        yield ChangeIn(
            service=svc,
            version=f"2.{tag}.1",
            external_id=f"demo:{svc}:hotfix:{tag}",
            author=rng.choice(AUTHORS),
            finished_at=ended.astimezone(UTC),
            hotfix=True,
            commits=_commits(rng, ended, 0.05),
        )
    else:
        yield ChangeIn(
            service=svc,
            version=f"rollback-{tag}",
            external_id=f"demo:{svc}:rollback:{tag}",
            author=rng.choice(AUTHORS),
            finished_at=ended.astimezone(UTC),
            rollback=True,
            description="Rolled back: the deploy burned the error budget.",
        )
