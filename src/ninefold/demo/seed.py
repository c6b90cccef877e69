"""Everything `ninefold demo` adds to the example configuration, in the order it builds on:
live sample alerts first (they are added only to a database without alert groups), then the
paging history, the changes, the incidents that link the history's alert groups and
follow the changes, the runbooks' tests, toil, DR tests and risk reviews."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ninefold.declared import Bundle
from ninefold.demo.alerts import seed_alerts
from ninefold.demo.changes import seed_changes
from ninefold.demo.dr import seed_dr_tests
from ninefold.demo.incidents import seed_incidents
from ninefold.demo.pages import seed_pages
from ninefold.demo.risks import seed_risk_reviews
from ninefold.demo.runbooks import seed_runbook_tests
from ninefold.demo.toil import seed_toil
from ninefold.settings import Settings


def seed(session: Session, settings: Settings, bundle: Bundle, now: datetime) -> None:
    seed_alerts(session, now)
    slos = [(slo.service, slo.name) for slo in bundle.documents.get("slos", [])]
    alerts = {
        (slo.service, slo.name): slo.alerting.name for slo in bundle.documents.get("slos", [])
    }
    seed_pages(session, now, alerts)
    seed_changes(session, now, slos, {spec.name for spec in bundle.specs("services")})
    seed_incidents(session, settings, now, slos)
    seed_runbook_tests(session, now)
    seed_toil(session, now)
    seed_dr_tests(session, now)
    seed_risk_reviews(session, now)
