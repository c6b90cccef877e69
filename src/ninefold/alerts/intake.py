"""From a request body to a `Delivery`: one parser per source, each checked before storing
(errors name the field as the source wrote it, see `ninefold.payloads`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ninefold.alerts.model import Delivery, Incoming, fingerprint_of
from ninefold.alerts.schemas import AlertmanagerPayload, WebhookAlert
from ninefold.errors import Invalid
from ninefold.payloads import validated

# Alertmanager marks "no end yet" with the zero time, and some senders with year 1.
NO_END_BEFORE = datetime(1971, 1, 1, tzinfo=UTC)
VERSIONS = {"alertmanager": "4", "grafana": "1"}


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise Invalid(f"{field}: must carry a time zone (RFC 3339, e.g. ...Z)", field=field)
    return value.astimezone(UTC)


def notification(kind: str, data: dict[str, Any]) -> Delivery:
    """Alertmanager's webhook (version 4) or Grafana's (version 1): a group of alerts."""
    payload = validated(AlertmanagerPayload, data)
    if payload.version != VERSIONS[kind]:
        raise Invalid(
            f"version: {kind} webhook payload version {VERSIONS[kind]} expected, "
            f"got {payload.version!r}",
            field="version",
        )
    raw_alerts: list[dict[str, Any]] = data["alerts"]
    alerts = []
    for index, (alert, raw) in enumerate(zip(payload.alerts, raw_alerts, strict=True)):
        ends = _aware(alert.endsAt, f"alerts[{index}].endsAt") if alert.endsAt else None
        if alert.status == "firing" or (ends is not None and ends < NO_END_BEFORE):
            ends = None
        alerts.append(
            Incoming(
                fingerprint=alert.fingerprint or fingerprint_of(alert.labels),
                status=alert.status,
                labels=dict(alert.labels),
                annotations=dict(alert.annotations),
                starts_at=_aware(alert.startsAt, f"alerts[{index}].startsAt"),
                ends_at=ends,
                generator_url=alert.generatorURL,
                raw=raw,
            )
        )
    envelope = {key: value for key, value in data.items() if key != "alerts"}
    return Delivery(alerts, payload.groupKey, payload.truncatedAlerts, envelope)


def webhook(data: dict[str, Any], received_at: datetime) -> Delivery:
    """The generic webhook: one alert, its fields documented in docs/alerts.md."""
    alert = validated(WebhookAlert, data)
    labels = dict(alert.labels)
    labels.setdefault("alertname", alert.title)
    if alert.severity:
        labels.setdefault("severity", alert.severity)
    starts = _aware(alert.starts_at, "starts_at") if alert.starts_at else received_at
    key = alert.dedup_key or fingerprint_of({**labels, "\x00title": alert.title})
    incoming = Incoming(
        fingerprint=key,
        status=alert.status,
        labels=labels,
        annotations={"summary": alert.title, **alert.annotations},
        starts_at=starts,
        ends_at=received_at if alert.status == "resolved" else None,
        generator_url=alert.url,
        raw=data,
        start_given=alert.starts_at is not None,
    )
    return Delivery([incoming], None, 0, {})
