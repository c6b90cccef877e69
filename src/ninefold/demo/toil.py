"""The demo's toil: what the shop's people logged over the last 120 days, and the runs of the
example automations, placed relative to now (deterministic, like the paging history)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ninefold.auth.model import Principal, Role
from ninefold.catalog import service as catalog
from ninefold.toil import service
from ninefold.toil.schemas import ToilIn

DAYS = 120
# team: (task, category, minutes, chance on a working day)
TASKS = {
    "platform": (
        ("rotate certificates by hand", "certificates", 45, 0.10),
        ("restart a stuck Kafka consumer", "restarts", 30, 0.25),
        ("resize a full disk", "capacity", 60, 0.08),
    ),
    "payments": (
        ("grant dashboard access", "access", 20, 0.30),
        ("reconcile failed refunds", "reconciliation", 90, 0.15),
    ),
    "storefront": (
        ("purge the CDN cache for a product", "cache", 15, 0.20),
        ("reindex search after a catalog import", "reindex", 40, 0.10),
    ),
}
RUNS = {"cert-renewal": 7, "access-requests-bot": 2}
"""Every how many days each example automation runs."""


def seed_toil(session: Session, now: datetime) -> None:
    """Only into a database without toil: running the demo again adds none."""
    if service.entries(session, (now - timedelta(days=DAYS)).date(), now.date()):
        return
    admin = Principal("demo", Role.ADMIN, "demo")
    members = {t.name: t.members for t in catalog.all_teams(session)}
    for day in range(DAYS, 0, -1):
        when = now - timedelta(days=day)
        if when.weekday() >= 5:
            continue
        rng = random.Random(f"toil:{when:%Y-%m-%d}")  # noqa: S311 (sample data)
        for team, tasks in TASKS.items():
            for task, category, minutes, chance in tasks:
                if members.get(team) and rng.random() < chance:
                    body = ToilIn(
                        task=task,
                        duration=f"{minutes}m",
                        category=category,
                        team=team,
                        person=rng.choice(members[team]),
                        day=when.date(),
                    )
                    service.log(session, admin, body, now)
    names = {row.name for row in service.automation_rows(session)}
    for name, every in RUNS.items():
        if name in names:
            for day in range(DAYS, 0, -every):
                at = now - timedelta(days=day)
                service.record_run(session, admin, name, at, f"demo-{at:%Y-%m-%d}")
