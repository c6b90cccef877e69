"""From a request body to a `Delivery`: one parser per source, each checked before storing.

Errors name the field as the source wrote it (`alerts[3].startsAt`), so whoever configures
the sender sees what to fix.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ninefold.alerts.model import Delivery, Incoming, fingerprint_of
from ninefold.alerts.schemas import AlertmanagerPayload, WebhookAlert
from ninefold.errors import Invalid
from ninefold.sourcefile import error_message, field_path

# Alertmanager marks "no end yet" with the zero time, and some senders with year 1.
NO_END_BEFORE = datetime(1971, 1, 1, tzinfo=UTC)
VERSIONS = {"alertmanager": "4", "grafana": "1"}
M = TypeVar("M", bound=BaseModel)


def parse_json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        position = f" at character {exc.pos}" if isinstance(exc, json.JSONDecodeError) else ""
        raise Invalid(f"the body is not valid JSON{position}") from None
    except RecursionError:
        raise Invalid("the JSON body is nested too deeply") from None
    if not isinstance(data, dict):
        raise Invalid("the body must be a JSON object")
    return data


def _validated(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = field_path(tuple(error["loc"])).lstrip(".")
        message = error_message(error, unknown="unknown field")
        more = len(exc.errors()) - 1
        raise Invalid(
            f"{field}: {message}" + (f" (and {more} more problems)" if more else ""),
            field=field or None,
        ) from None


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise Invalid(f"{field}: must carry a time zone (RFC 3339, e.g. ...Z)", field=field)
    return value.astimezone(UTC)


def notification(kind: str, data: dict[str, Any]) -> Delivery:
    """Alertmanager's webhook (version 4) or Grafana's (version 1): a group of alerts."""
    payload = _validated(AlertmanagerPayload, data)
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
    alert = _validated(WebhookAlert, data)
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
