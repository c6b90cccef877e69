"""What a notification says: the alert, its service and severity, the SLO it burns, how
often it fired lately, where to look (runbook, dashboard, source) and what to do (signed
acknowledge and resolve links). Every transport renders the same `Message`.

An alert storm's group says how many groups it folded so far (counted when the message goes
out) and links their list. A shadow's message says so in its subject and first line, naming
whom they shadow, and has no resolve link.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ninefold.adapters.notify import Message
from ninefold.alerts import groups
from ninefold.auth.service import user_by_id
from ninefold.catalog.service import service_links
from ninefold.conventions import SLO_LABEL_SERVICE, SLO_LABEL_SLO
from ninefold.paging import shadowing, storms
from ninefold.paging.notifications.links import LINK_LIFETIME, Grant, action_url, instance_secret
from ninefold.paging.tables import Notification, Page, Storm
from ninefold.runbooks.service import names_for_alert
from ninefold.weblinks import is_web_url

if TYPE_CHECKING:
    from ninefold.alerts.tables import AlertGroup

RECENT = timedelta(days=7)


class Renderer:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def __call__(self, session: Session, row: Notification, now: datetime) -> Message:
        group = groups.get_row(session, row.group_id)
        user = user_by_id(session, row.user_id)
        alerts = groups.alerts_of(session, group.id)
        first = alerts[0] if alerts else None
        annotations = first.annotations if first else {}
        runbooks, dashboards = service_links(session, group.service) if group.service else ([], [])
        secret = instance_secret(session, now)
        expires = now + LINK_LIFETIME

        page = session.get_one(Page, row.page_id)

        def act(action: str) -> str:
            grant = Grant(group.id, action, user.name, expires, now)  # type: ignore[arg-type]
            return action_url(self.base_url, secret, grant)

        # A shadow's page is for learning: no link to resolve the group in someone else's stead.
        links = [("Acknowledge", act("ack"))]
        if not page.shadow:
            links.append(("Resolve", act("resolve")))
        links.append(("Open in Ninefold", f"{self.base_url}/alerts/{group.id}"))
        storm = storms.storm_of(session, group.id)
        if storm is not None:
            links.append(("Folded groups", f"{self.base_url}/alerts/{group.id}#folded"))
        # The alert's own annotation first, then a runbook of Ninefold's covering the alert,
        # then the service's first runbook link.
        covering = names_for_alert(session, group.labels.get("alertname", ""), group.service)
        ours = f"{self.base_url}/runbooks/{covering[0]}" if covering else None
        runbook = annotations.get("runbook_url") or ours or _first_url(runbooks)
        dashboard = annotations.get("dashboard_url") or _first_url(dashboards)
        links += [(title, url) for title, url in (("Runbook", runbook), ("Dashboard", dashboard))]
        if first and first.generator_url:
            links.append(("Source", first.generator_url))

        firing = sum(1 for alert in alerts if alert.status == "firing")
        fields = [
            ("Service", group.service or "unknown"),
            ("Severity", group.severity or "unknown"),
            ("Groups folded", str(storm.groups)) if storm else ("Alerts firing", str(firing)),
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
        if storm is not None:
            text = _storm_text(storm)
        if page.shadow:
            subject = shadowing.subject(subject, page.reason)
            text = f"{shadowing.preamble(page.reason)}\n\n{text}"
        if user.chat_handle and row.kind in ("slack", "teams"):
            text = f"{user.chat_handle}: {text}"
        return Message(
            subject=subject,
            text=text,
            severity=group.severity or "unknown",
            idempotency_key=row.idempotency_key,
            links=tuple((title, url) for title, url in links if is_web_url(url)),
            fields=tuple(fields),
        )


def recent_count(session: Session, group: AlertGroup, now: datetime) -> int:
    """How often this alert paged lately: its groups opened in the last 7 days."""
    return groups.opened_since(session, group, now - RECENT)


def _storm_text(storm: Storm) -> str:
    folded = "1 of them was" if storm.groups == 1 else f"{storm.groups} of them were"
    return (
        f"Route {storm.route} opens more alert groups than its fold allows. {folded} folded "
        "into this page so far: they page nobody while the storm lasts. Each is listed under "
        "Folded groups, where you can act on it."
    )


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _first_url(links: list[dict[str, str]]) -> str:
    return str(links[0]["url"]) if links else ""
