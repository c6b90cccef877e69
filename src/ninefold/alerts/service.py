"""Alert intake: store, deduplicate, group and enqueue paging, in the caller's transaction.

The request that delivers alerts commits all of it before it answers (see `http.get_session`),
so a 2xx means the alerts are stored and their paging job is queued; a failure anywhere
rolls everything back and the answer is an error the source retries.

A group whose alert flaps (see `alerts.flapping`) is held open across the alert's
resolutions, so the alert's next firing joins it instead of opening, and paging, a new one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from ninefold.alerts.flapping import DEFAULT_POLICY, changes_in_window, next_flag
from ninefold.alerts.model import (
    FIRING,
    RESOLVED,
    SERVICE_LABELS,
    SEVERITY_LABELS,
    Delivery,
    Incoming,
    common_labels,
    first_label,
    group_key_of,
)
from ninefold.alerts.schemas import IngestResult
from ninefold.alerts.tables import Alert, AlertGroup, GroupEvent, Integration
from ninefold.alerts.tables import Delivery as DeliveryRow
from ninefold.conventions import JOB_ALERT_GROUP_OPENED, JOB_FLAP_CHECK
from ninefold.db import insert_new
from ninefold.worker import queue

TRIGGERED, ACKNOWLEDGED = "triggered", "acknowledged"
GROUP_RESOLVED = RESOLVED


@dataclass
class _Known:
    """What the database held about a delivery's alerts when it arrived, read in four
    queries for the whole delivery and kept up to date as its alerts are stored, so that a
    request of a thousand alerts does not ask the database the same questions a thousand
    times: the newest firing alert of each fingerprint, every (fingerprint, start) stored,
    the open groups met so far, and each fingerprint's deliveries within the flapping window.
    """

    firing: dict[str, Alert]
    started: set[tuple[str, datetime]]
    groups: dict[str, AlertGroup]
    changes: dict[str, list[datetime]]

    @classmethod
    def read(
        cls, session: Session, integration: Integration, delivery: Delivery, now: datetime
    ) -> _Known:
        prints = sorted({alert.fingerprint for alert in delivery.alerts})
        mine = (Alert.integration_id == integration.id, Alert.fingerprint.in_(prints))
        firing: dict[str, Alert] = {}
        rows = session.scalars(
            select(Alert).where(*mine, Alert.status == FIRING).order_by(Alert.starts_at)
        )
        for row in rows:
            firing[row.fingerprint] = row  # the newest start wins
        stored = session.execute(select(Alert.fingerprint, Alert.starts_at).where(*mine))
        started = {(fingerprint, start) for fingerprint, start in stored}
        return cls(firing, started, {}, _recent(session, integration.id, prints, now))


def ingest(
    session: Session, integration: Integration, delivery: Delivery, now: datetime
) -> IngestResult:
    accepted = duplicates = 0
    groups: set[int] = set()
    known = _Known.read(session, integration, delivery, now)
    for alert in delivery.alerts:
        group = _ingest_one(session, integration, delivery, alert, known, now)
        if group is None:
            duplicates += 1
            continue
        accepted += 1
        groups.add(group.id)
        if delivery.truncated > group.truncated_alerts:
            group.truncated_alerts = delivery.truncated
            log(session, group, now, "truncated", integration, {"left_out": delivery.truncated})
    return IngestResult(accepted=accepted, duplicates=duplicates, groups=sorted(groups))


def open_alert(session: Session, integration: Integration, fingerprint: str) -> Alert | None:
    return session.scalar(
        select(Alert)
        .where(
            Alert.integration_id == integration.id,
            Alert.fingerprint == fingerprint,
            Alert.status == FIRING,
        )
        .order_by(Alert.starts_at.desc())
        .limit(1)
    )


def _ingest_one(
    session: Session,
    integration: Integration,
    delivery: Delivery,
    alert: Incoming,
    known: _Known,
    now: datetime,
) -> AlertGroup | None:
    """Store one alert; the group it changed, or None when it changed nothing."""
    current = known.firing.get(alert.fingerprint)
    starts = alert.starts_at
    if not alert.start_given and current is not None:
        starts = current.starts_at
    stored = insert_new(
        session,
        DeliveryRow,
        {
            "integration_id": integration.id,
            "fingerprint": alert.fingerprint,
            "status": alert.status,
            "starts_at": starts,
            "received_at": now,
            "alert": alert.raw,
            "envelope": delivery.envelope,
        },
        ["integration_id", "fingerprint", "status", "starts_at"],
    )
    if not stored:
        return None
    known.changes.setdefault(alert.fingerprint, []).append(now)
    same = current if current is not None and current.starts_at == starts else None
    if alert.status == FIRING:
        if same is not None:
            same.last_seen = now
            return None
        return _fire(session, integration, delivery, alert, starts, known, now)
    if same is None:
        same = session.scalar(
            select(Alert).where(
                Alert.integration_id == integration.id,
                Alert.fingerprint == alert.fingerprint,
                Alert.starts_at == starts,
            )
        )
    if same is None or same.status == RESOLVED:
        # A resolution of an alert never seen firing (sent before this integration existed,
        # or a repeat): kept as a delivery, nothing to end.
        return None
    if known.firing.get(alert.fingerprint) is same:
        del known.firing[alert.fingerprint]
    return _resolve_alert(session, integration, same, alert, known, now)


def _fire(
    session: Session,
    integration: Integration,
    delivery: Delivery,
    alert: Incoming,
    starts: datetime,
    known: _Known,
    now: datetime,
) -> AlertGroup | None:
    if (alert.fingerprint, starts) in known.started:
        return None  # a late "firing" for an alert already resolved: the end stands
    group = _open_group(session, integration, delivery, alert, known, now)
    row = Alert(
        integration_id=integration.id,
        group_id=group.id,
        fingerprint=alert.fingerprint,
        status=FIRING,
        labels=alert.labels,
        annotations=alert.annotations,
        starts_at=starts,
        generator_url=alert.generator_url,
        first_seen=now,
        last_seen=now,
    )
    session.add(row)
    known.started.add((alert.fingerprint, starts))
    newest = known.firing.get(alert.fingerprint)
    if newest is None or newest.starts_at <= starts:
        known.firing[alert.fingerprint] = row
    # Alerts never leave a group, so what they share only narrows: the labels shared so far
    # and this alert's, rather than every alert of the group read again (a request of 1,000
    # alerts would read half a million).
    group.labels = common_labels([group.labels, alert.labels])
    log(session, group, now, "alert_firing", integration, _about(alert))
    _watch_flapping(session, integration, group, alert, known, now)
    return group


def _resolve_alert(
    session: Session,
    integration: Integration,
    row: Alert,
    alert: Incoming,
    known: _Known,
    now: datetime,
) -> AlertGroup:
    row.status = RESOLVED
    row.ends_at = alert.ends_at or now
    row.last_seen = now
    group = session.get_one(AlertGroup, row.group_id)
    log(session, group, now, "alert_resolved", integration, _about(alert))
    if group.flapping:
        # The flap check may be clearing the flag this moment, seeing this alert still firing:
        # wait for it and look again, or the group would stay open with nothing to close it.
        session.flush()  # a refresh drops the group's changes not yet flushed
        session.refresh(group, with_for_update=True)
    # Before deciding to close: the resolution that makes the alert flap must hold it open.
    _watch_flapping(session, integration, group, alert, known, now)
    if not group.flapping and group.state != GROUP_RESOLVED and not _firing(session, group):
        close(session, group, now, f"source:{integration.name}")
    return group


def close(session: Session, group: AlertGroup, now: datetime, actor: str) -> None:
    group.state = GROUP_RESOLVED
    group.open_key = None
    group.resolved_at = now
    group.resolved_by = actor
    # The flag only ever holds an open group open; a pending flap check finds it off and stops.
    group.flapping = False
    group.flapping_since = None
    session.add(GroupEvent(group_id=group.id, at=now, kind="resolved", actor=actor, detail={}))


def check_flapping(session: Session, group: AlertGroup, now: datetime) -> None:
    """The flap check job: clear the flag once the group's alerts have calmed down, or look
    again later.

    No delivery arrives once the source goes quiet, so only this job can see a flag run out.
    The group's resolutions were held back while it flapped: when none of its alerts fires
    any more, it resolves now, as it would have at its last resolution.
    """
    if not group.flapping:
        return
    fingerprints = select(Alert.fingerprint).where(Alert.group_id == group.id)
    changes = _changes(session, group.integration_id, fingerprints, now)
    if next_flag(DEFAULT_POLICY, changes, flapping=True):
        _schedule_flap_check(session, group, now)
        return
    group.flapping = False
    group.flapping_since = None
    integration = session.get_one(Integration, group.integration_id)
    detail: dict[str, object] = {"changes": changes, "window_minutes": _window_minutes()}
    log(session, group, now, "flapping_stopped", integration, detail)
    if group.state != GROUP_RESOLVED and not _firing(session, group):
        close(session, group, now, f"source:{integration.name}")


def _watch_flapping(
    session: Session,
    integration: Integration,
    group: AlertGroup,
    alert: Incoming,
    known: _Known,
    now: datetime,
) -> None:
    """Flag the group when this change of its alert makes the alert flap.

    Only setting the flag happens here: a delivery speaks for one alert of the group, while
    clearing must weigh them all, which the flap check does.
    """
    if group.flapping or group.state == GROUP_RESOLVED:
        return
    changes = changes_in_window(DEFAULT_POLICY, known.changes.get(alert.fingerprint, []), now)
    if not next_flag(DEFAULT_POLICY, changes, flapping=False):
        return
    # Set only if still unset: of two requests racing to flag the group, one logs and checks.
    started = session.execute(
        update(AlertGroup)
        .where(
            AlertGroup.id == group.id,
            AlertGroup.flapping.is_(False),
            AlertGroup.state != GROUP_RESOLVED,
        )
        .values(flapping=True, flapping_since=now)
    )
    if not getattr(started, "rowcount", 0):
        return
    detail: dict[str, object] = {
        "fingerprint": alert.fingerprint,
        "alertname": alert.labels.get("alertname", ""),
        "changes": changes,
        "window_minutes": _window_minutes(),
    }
    log(session, group, now, "flapping_started", integration, detail)
    _schedule_flap_check(session, group, now)


def _recent(
    session: Session,
    integration_id: int,
    fingerprints: Collection[str] | Select[str],
    now: datetime,
) -> dict[str, list[datetime]]:
    """When each of these alerts changed within the flapping window. A change is a stored
    delivery: one is stored per status and start, so a repeat counts for nothing."""
    rows = session.execute(
        select(DeliveryRow.fingerprint, DeliveryRow.received_at).where(
            DeliveryRow.integration_id == integration_id,
            DeliveryRow.fingerprint.in_(fingerprints),
            DeliveryRow.received_at > now - DEFAULT_POLICY.window,
        )
    )
    instants: dict[str, list[datetime]] = defaultdict(list)
    for fingerprint, received in rows:
        instants[fingerprint].append(received)
    return instants


def _changes(
    session: Session,
    integration_id: int,
    fingerprints: Collection[str] | Select[str],
    now: datetime,
) -> int:
    """The most changes any one of these alerts made within the window."""
    instants = _recent(session, integration_id, fingerprints, now).values()
    return max((changes_in_window(DEFAULT_POLICY, at, now) for at in instants), default=0)


def _schedule_flap_check(session: Session, group: AlertGroup, now: datetime) -> None:
    due = now + DEFAULT_POLICY.recheck
    queue.enqueue(
        session,
        JOB_FLAP_CHECK,
        {"group_id": group.id},
        due,
        now=now,
        dedup_key=f"{JOB_FLAP_CHECK}:{group.id}:{due.isoformat()}",
    )


def _window_minutes() -> int:
    return int(DEFAULT_POLICY.window.total_seconds() // 60)


def _firing(session: Session, group: AlertGroup) -> bool:
    session.flush()
    count = session.scalar(
        select(func.count()).where(Alert.group_id == group.id, Alert.status == FIRING)
    )
    return bool(count)


def _open_group(
    session: Session,
    integration: Integration,
    delivery: Delivery,
    alert: Incoming,
    known: _Known,
    now: datetime,
) -> AlertGroup:
    key = group_key_of(alert, integration.group_by, delivery.group_key)
    group = known.groups.get(key)
    if group is not None and group.open_key == key:
        return group
    where = (AlertGroup.integration_id == integration.id, AlertGroup.open_key == key)
    group = session.scalar(select(AlertGroup).where(*where))
    if group is not None:
        known.groups[key] = group
        return group
    created = insert_new(
        session,
        AlertGroup,
        {
            "integration_id": integration.id,
            "group_key": key,
            "open_key": key,
            "title": alert.title,
            "service": first_label(alert.labels, SERVICE_LABELS) or integration.service,
            "severity": first_label(alert.labels, SEVERITY_LABELS) or "",
            "labels": alert.labels,
            "state": TRIGGERED,
            "created_at": now,
            "truncated_alerts": 0,
        },
        ["integration_id", "open_key"],
    )
    group = session.scalars(select(AlertGroup).where(*where)).one()
    known.groups[key] = group
    if created:
        log(session, group, now, "triggered", integration, {"group_key": key})
        queue.enqueue(
            session,
            JOB_ALERT_GROUP_OPENED,
            {"group_id": group.id},
            now,
            now=now,
            dedup_key=f"{JOB_ALERT_GROUP_OPENED}:{group.id}",
        )
    return group


def _about(alert: Incoming) -> dict[str, object]:
    return {
        "fingerprint": alert.fingerprint,
        "alertname": alert.labels.get("alertname", ""),
        "starts_at": alert.starts_at.isoformat(),
    }


def log(
    session: Session,
    group: AlertGroup,
    now: datetime,
    kind: str,
    integration: Integration,
    detail: dict[str, object],
) -> None:
    session.add(
        GroupEvent(
            group_id=group.id, at=now, kind=kind, actor=f"source:{integration.name}", detail=detail
        )
    )
