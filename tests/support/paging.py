"""Driving paging in tests: Alertmanager webhook bodies, and the worker run until idle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from ninefold.clock import Clock
from ninefold.db import make_session_factory
from ninefold.jobs import handlers
from ninefold.settings import Settings
from ninefold.worker.runner import Worker


def alertmanager_body(
    name: str = "CheckoutErrors",
    status: str = "firing",
    *,
    service: str = "checkout",
    severity: str = "critical",
    starts_at: datetime,
    summary: str = "Checkout fails 12% of requests",
) -> dict[str, object]:
    """A version-4 webhook body carrying one alert, grouped by its name, that started firing
    at `starts_at` (Alertmanager sends when the rule's condition began, before its `for`)."""
    return {
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{name}"}}',
        "status": status,
        "receiver": "ninefold",
        "groupLabels": {"alertname": name},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.test",
        "truncatedAlerts": 0,
        "alerts": [
            {
                "status": status,
                "labels": {"alertname": name, "service": service, "severity": severity},
                "annotations": {
                    "summary": summary,
                    "runbook_url": "https://runbooks.test/checkout",
                },
                "startsAt": starts_at.isoformat().replace("+00:00", "Z"),
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus.test/graph",
                "fingerprint": f"fp-{name}",
            }
        ],
    }


def run_jobs(engine: Engine, settings: Settings, clock: Clock) -> int:
    """Run the jobs due at the clock's time until none is left, those they enqueue included."""
    worker = Worker(make_session_factory(engine), handlers(settings, clock), clock=clock)
    ran = total = worker.run_once()
    while ran:
        ran = worker.run_once()
        total += ran
    return total
