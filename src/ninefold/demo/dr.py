"""The demo's DR tests: a year of rehearsals placed relative to now, some passing, some
missing their targets, so that the DR page shows readiness by tier and overdue services."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ninefold.auth.model import Principal, Role
from ninefold.dr import service
from ninefold.dr.schemas import DrTestIn

# days ago, scenario, kind, services, measured RTO, measured RPO, follow-ups
TESTS = (
    (200, "Edge region lost: route around it", "tabletop", ["api-gateway"], "20m", "0s", ()),
    (150, "Kafka cluster rebuilt from scratch", "full", ["kafka"], "3h", "10m",
     ("Keep broker images prebuilt",)),
    (100, "Restore the orders database from the nightly backup", "restore", ["postgres"],
     "50m", "10m", ("Speed up the base backup restore", "Ship WAL every minute")),
    (60, "Cart and inventory fail over to the standby zone", "failover", ["cart", "inventory"],
     "1h30m", "20m", ()),
    (40, "Checkout and payments fail over to the standby zone", "failover",
     ["checkout", "payments"], "25m", "0s", ()),
    (30, "Rebuild the search index from the catalog", "restore", ["search"], "3h", "2h", ()),
    (20, "Restore the orders database from the nightly backup", "restore", ["postgres"],
     "28m", "5m", ()),
)  # fmt: skip


def seed_dr_tests(session: Session, now: datetime) -> None:
    """Only into a database without DR tests: running the demo again adds none."""
    if service.recorded(session):
        return
    admin = Principal("demo", Role.ADMIN, "demo")
    for days, scenario, kind, services, rto, rpo, follow_ups in TESTS:
        body = DrTestIn.model_validate(
            {
                "scenario": scenario,
                "kind": kind,
                "services": services,
                "ran_on": (now - timedelta(days=days)).date(),
                "rto_measured": rto,
                "rpo_measured": rpo,
                "evidence": [f"https://wiki.example.com/dr/{days}"],
                "follow_ups": [{"kind": "prevent", "title": title} for title in follow_ups],
            }
        )
        service.record(session, admin, body, now)
