"""Driving paging in tests: Alertmanager webhook bodies, and the worker run until idle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

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
    starts_at: str = "2026-11-24T01:59:00Z",
    summary: str = "Checkout fails 12% of requests",
) -> dict[str, object]:
    """A version-4 webhook body carrying one alert, grouped by its name."""
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
                "startsAt": starts_at,
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus.test/graph",
                "fingerprint": f"fp-{name}",
            }
        ],
    }


def run_jobs(engine: Engine, settings: Settings, at: datetime) -> int:
    """Run jobs due at `at` until none is left, those they enqueue included."""
    worker = Worker(make_session_factory(engine), handlers(settings), clock=lambda: at)
    ran = total = worker.run_once()
    while ran:
        ran = worker.run_once()
        total += ran
    return total
