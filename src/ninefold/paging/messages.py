"""What a notification says: the alert, its service and severity, the SLO it burns, how
often it fired lately, where to look (runbook, dashboard, source) and what to do (signed
acknowledge and resolve links). Every transport renders the same `Message`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ninefold.adapters.notify import Message
from ninefold.alerts.tables import Alert, AlertGroup
from ninefold.auth.tables import User
from ninefold.catalog.tables import Service
from ninefold.conventions import SLO_LABEL_SERVICE, SLO_LABEL_SLO
from ninefold.paging.links import LINK_LIFETIME, Grant, action_url, instance_secret
from ninefold.paging.tables import Notification

RECENT = timedelta(days=7)


class Renderer:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def __call__(self, session: Session, row: Notification, now: datetime) -> Message:
        group = session.get_one(AlertGroup, row.group_id)
        user = session.get_one(User, row.user_id)
        alerts = list(
            session.scalars(
                select(Alert).where(Alert.group_id == group.id).order_by(Alert.starts_at, Alert.id)
            )
        )
        first = alerts[0] if alerts else None
        annotations = first.annotations if first else {}
        service = (
            session.scalar(select(Service).where(Service.name == group.service))
            if group.service
            else None
        )
        secret = instance_secret(session, now)
        expires = now + LINK_LIFETIME

        def act(action: str) -> str:
            grant = Grant(group.id, action, user.name, expires)  # type: ignore[arg-type]
            return action_url(self.base_url, secret, grant)

        links = [("Acknowledge", act("ack")), ("Resolve", act("resolve"))]
        links.append(("Open in Ninefold", f"{self.base_url}/alerts/{group.id}"))
        runbook = annotations.get("runbook_url") or _first_url(service, "runbooks")
        dashboard = annotations.get("dashboard_url") or _first_url(service, "dashboards")
        links += [(title, url) for title, url in (("Runbook", runbook), ("Dashboard", dashboard))]
        if first and first.generator_url:
            links.append(("Source", first.generator_url))

        firing = sum(1 for alert in alerts if alert.status == "firing")
        fields = [
            ("Service", group.service or "unknown"),
            ("Severity", group.severity or "unknown"),
            ("Alerts firing", str(firing)),
            ("Fired in the last 7 days", _times(recent_count(session, group, now))),
        ]
        slo = group.labels.get(SLO_LABEL_SLO)
        if slo:
            fields.append(("SLO", f"{group.labels.get(SLO_LABEL_SERVICE, group.service)}/{slo}"))
            if annotations.get("description"):
                fields.append(("SLO burn", annotations["description"]))
        severity = (group.severity or "alert").upper()
        subject = f"[{severity}] {group.title}" + (f" ({group.service})" if group.service else "")
        text = annotations.get("summary") or group.title
        if annotations.get("description") and not slo:
            text += "\n" + annotations["description"]
        if user.chat_handle and row.kind in ("slack", "teams"):
            text = f"{user.chat_handle}: {text}"
        return Message(
            subject=subject,
            text=text,
            severity=group.severity or "unknown",
            idempotency_key=row.idempotency_key,
            links=tuple((title, url) for title, url in links if url),
            fields=tuple(fields),
        )


def recent_count(session: Session, group: AlertGroup, now: datetime) -> int:
    """Groups with the same key from the same source opened in the last 7 days, this one
    included: how often this alert paged lately."""
    return (
        session.scalar(
            select(func.count()).where(
                AlertGroup.integration_id == group.integration_id,
                AlertGroup.group_key == group.group_key,
                AlertGroup.created_at > now - RECENT,
            )
        )
        or 0
    )


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _first_url(service: Service | None, kind: str) -> str:
    links = getattr(service, kind, None) or []
    return str(links[0]["url"]) if links else ""
