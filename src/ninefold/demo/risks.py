"""The demo's risk reviews: one recent, one long ago, so that the register shows a review
overdue among those on time."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ninefold.auth.model import Principal, Role
from ninefold.errors import NotFound
from ninefold.risks import service
from ninefold.risks.schemas import ReviewIn

REVIEWS = (
    ("single-region-db", 10, "Replica lag under a second; failover runbook rehearsed."),
    ("search-reindex-load", 120, "Batching agreed, not done yet."),
)


def seed_risk_reviews(session: Session, now: datetime) -> None:
    """Only into a register without reviews: running the demo again adds none."""
    admin = Principal("demo", Role.ADMIN, "demo")
    for name, days, note in REVIEWS:
        try:
            if service.reviews(session, name):
                return
        except NotFound:  # a configuration without this risk
            continue
        service.review(session, admin, name, ReviewIn(note=note), now - timedelta(days=days))
