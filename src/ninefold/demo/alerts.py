"""Sample alerts for `ninefold demo`, so a newcomer finds alert groups to click through.

They enter through the same door as real ones: an Alertmanager webhook body (payload version
4), parsed and stored by the intake code, for the example configuration's `prometheus`
integration. The worker then routes and pages them as it would any alert. Nothing is added
when the database already holds alert groups, so restarting the demo does not pile them up.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ninefold.alerts import intake, service
from ninefold.alerts.tables import AlertGroup, Integration

INTEGRATION = "prometheus"
# alertname, service, severity, summary, minutes since it started, minutes since it ended
SAMPLES = [
    ("CheckoutErrorBudgetBurn", "checkout", "critical", "Checkout budget burn at 14x", 12, None),
    ("SearchLatencyHigh", "search", "warning", "Search p99 latency above 800 ms", 35, None),
    ("RedisMemoryHigh", "redis", "warning", "Redis memory above 90%", 240, 180),
    ("DiskAlmostFull", None, "critical", "A build agent's disk is 97% full", 5, None),
]


NEVER = "0001-01-01T00:00:00Z"


def _payload(sample: tuple[Any, ...], now: datetime, *, ended: bool) -> dict[str, Any]:
    name, svc, severity, summary, started, ended_minutes = sample
    labels = {"alertname": name, "severity": severity, **({"service": svc} if svc else {})}
    alert = {
        "status": "resolved" if ended else "firing",
        "labels": labels,
        "annotations": {
            "summary": summary,
            "runbook_url": f"https://runbooks.shop.example/{name.lower()}",
        },
        "startsAt": (now - timedelta(minutes=started)).isoformat(),
        "endsAt": (now - timedelta(minutes=ended_minutes)).isoformat() if ended else NEVER,
        "generatorURL": f"http://prometheus.shop.example/graph?g0.expr={name}",
        "fingerprint": hashlib.sha256(name.encode()).hexdigest()[:16],
    }
    return {
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{name}"}}',
        "truncatedAlerts": 0,
        "status": alert["status"],
        "receiver": "ninefold",
        "groupLabels": {"alertname": name},
        "commonLabels": labels,
        "commonAnnotations": alert["annotations"],
        "externalURL": "http://alertmanager.shop.example",
        "alerts": [alert],
    }


def seed_alerts(session: Session, now: datetime) -> int:
    """Post the sample alerts when there are no alert groups yet; how many groups there are."""
    integration = session.scalar(select(Integration).where(Integration.name == INTEGRATION))
    if integration is None or session.scalar(select(func.count()).select_from(AlertGroup)):
        return 0
    for sample in SAMPLES:
        ends = [False, True] if sample[-1] else [False]
        for ended in ends:
            delivery = intake.notification("alertmanager", _payload(sample, now, ended=ended))
            service.ingest(session, integration, delivery, now)
    return len(SAMPLES)
