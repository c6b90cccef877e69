"""Heartbeats: a dead man's switch. Silence for longer than the interval raises an alert.

Each heartbeat has at most one pending check job. A ping arms one when none is pending; the
check, when due, either finds a ping within the interval and re-arms for the new deadline,
or raises the alert. The next ping resolves it. Both paths lock the integration's row, so a
ping racing a check cannot be lost.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ninefold.alerts import service
from ninefold.alerts.model import FIRING, RESOLVED, Delivery, Incoming, Status
from ninefold.alerts.schemas import IngestResult
from ninefold.alerts.tables import Integration
from ninefold.conventions import JOB_HEARTBEAT_CHECK
from ninefold.worker import queue

MISSED = "HeartbeatMissed"


def ping(session: Session, integration: Integration, now: datetime) -> IngestResult:
    integration.last_ping_at = now
    result = IngestResult(accepted=0, duplicates=0, groups=[])
    if service.open_alert(session, integration, _fingerprint(integration)) is not None:
        result = service.ingest(session, integration, _delivery(integration, RESOLVED, now), now)
    if not integration.heartbeat_armed:
        _arm(session, integration, now + _interval(integration), now)
    return result


def check(session: Session, integration: Integration, now: datetime) -> None:
    """The job: raise the alert if no ping came within the interval, else wait for the next."""
    integration.heartbeat_armed = False
    last = integration.last_ping_at
    deadline = (last or now) + _interval(integration)
    if last is not None and now < deadline:
        _arm(session, integration, deadline, now)
        return
    service.ingest(session, integration, _delivery(integration, FIRING, now), now)


def _interval(integration: Integration) -> timedelta:
    return timedelta(seconds=integration.heartbeat_seconds or 0)


def _arm(session: Session, integration: Integration, due: datetime, now: datetime) -> None:
    integration.heartbeat_checks += 1
    integration.heartbeat_armed = True
    queue.enqueue(
        session,
        JOB_HEARTBEAT_CHECK,
        {"integration_id": integration.id},
        due,
        now=now,
        dedup_key=f"{JOB_HEARTBEAT_CHECK}:{integration.id}:{integration.heartbeat_checks}",
    )


def _fingerprint(integration: Integration) -> str:
    return f"heartbeat:{integration.id}"


def _delivery(integration: Integration, status: Status, now: datetime) -> Delivery:
    labels = {"alertname": MISSED, "heartbeat": integration.name, "severity": "critical"}
    if integration.service:
        labels["service"] = integration.service
    minutes = (integration.heartbeat_seconds or 0) // 60
    summary = f"No heartbeat from {integration.name} for {minutes} minutes"
    alert = Incoming(
        fingerprint=_fingerprint(integration),
        status=status,
        labels=labels,
        annotations={"summary": summary},
        starts_at=now,
        ends_at=now if status == RESOLVED else None,
        generator_url="",
        raw={"heartbeat": integration.name, "status": status, "at": now.isoformat()},
        start_given=False,
    )
    return Delivery([alert], None, 0, {})
