"""The demo's runbook tests, placed relative to now so that the Runbooks page shows fresh and
stale runbooks on any date: the examples' front matter dates stay as written."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ninefold.auth.model import Principal, Role
from ninefold.runbooks import service

# runbook, who ran it, days ago, what they wrote
TESTS = (
    ("payments-provider-errors", "priya", 20, "Game day: provider sandbox returning 503s."),
    ("checkout-latency", "diego", 40, "Rolled back a slow build in staging by the book."),
    ("redis-memory", "kenji", 10, "Filled a staging replica to 92% and followed the steps."),
    ("postgres-replication-lag", "kenji", 75, "Paused replay on a staging replica."),
)


def seed_runbook_tests(session: Session, now: datetime) -> None:
    """Only into a database without runbook tests: running the demo again adds none."""
    if any(r.last_tested for r in service.list_runbooks(session, now)):
        return
    for name, person, days, note in TESTS:
        actor = Principal(name=person, role=Role.RESPONDER, via="demo")
        service.record_test(session, actor, name, now - timedelta(days=days), "cli", note)
