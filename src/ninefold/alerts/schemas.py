"""Integration specs (YAML and API), the payloads each intake endpoint accepts, and outputs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ninefold.slos.spec.durations import format_duration, parse_duration
from ninefold.spec import Count, Name, SentInstant, Spec

IntegrationKind = Literal["alertmanager", "grafana", "webhook", "heartbeat"]
MAX_ALERTS_PER_REQUEST = 1000
LabelMap = dict[str, str]


class IntegrationSpec(Spec):
    """Where alerts come from. The intake URL's key is made by Ninefold (`integrations list`)."""

    name: Name = Field(description="Unique name, e.g. `prometheus-prod`.")
    kind: IntegrationKind = Field(
        description="`alertmanager` (webhook payload version 4), `grafana` (Grafana alerting "
        "webhook), `webhook` (generic JSON) or `heartbeat` (a ping expected every `interval`)."
    )
    description: str = Field(default="", max_length=2000, description="Free text.")
    service: Name | None = Field(
        default=None,
        description="Service the alerts belong to when they carry no `ninefold_service` or "
        "`service` label.",
    )
    group_by: list[str] = Field(
        default_factory=list,
        description="Labels whose values group alerts. Empty: Alertmanager's and Grafana's own "
        "group key, or alert name plus service for other sources.",
    )
    secret_env: str | None = Field(
        default=None,
        pattern=r"^[A-Z_][A-Z0-9_]*$",
        description="webhook: environment variable holding the HMAC-SHA256 secret; requests "
        "must then carry a valid `X-Ninefold-Signature` header.",
    )
    interval: str | None = Field(
        default=None,
        description="heartbeat: longest time between pings before an alert is raised, e.g. 5m.",
    )

    @field_validator("interval")
    @classmethod
    def _interval_is_a_duration(cls, value: str | None) -> str | None:
        if value is None:
            return None
        duration = parse_duration(value)
        if duration.total_seconds() < 60:
            raise ValueError("must be at least 1m")
        return format_duration(duration)

    @model_validator(mode="after")
    def _fits_kind(self) -> IntegrationSpec:
        if self.kind == "heartbeat" and self.interval is None:
            raise ValueError("a heartbeat needs an interval, e.g. interval: 5m")
        if self.kind != "heartbeat" and self.interval is not None:
            raise ValueError("interval is for heartbeats only")
        if self.kind != "webhook" and self.secret_env is not None:
            raise ValueError("secret_env is for webhook integrations only")
        return self

    def interval_seconds(self) -> int | None:
        return None if self.interval is None else int(parse_duration(self.interval).total_seconds())


class IntegrationOut(BaseModel):
    name: str
    kind: str
    description: str
    service: str | None
    group_by: list[str]
    url: str = Field(
        description="Where the source posts: the server's public address (NINEFOLD_PUBLIC_URL, "
        "else http://HOST:PORT) and the path."
    )
    path: str = Field(description="The same, relative to the server's address.")
    last_ping_at: datetime | None
    managed_by: str


class _Payload(BaseModel):
    model_config = ConfigDict(extra="allow")


class AlertmanagerAlert(_Payload):
    status: Literal["firing", "resolved"]
    labels: LabelMap
    annotations: LabelMap = Field(default_factory=dict)
    startsAt: SentInstant
    endsAt: SentInstant | None = None
    generatorURL: str = ""
    fingerprint: str | None = Field(default=None, max_length=64)


class AlertmanagerPayload(_Payload):
    """Alertmanager's webhook body (version 4); Grafana's has the same core (version 1)."""

    version: str
    groupKey: str | None = Field(default=None, max_length=2000)
    truncatedAlerts: Count = 0
    status: Literal["firing", "resolved"] | None = None
    receiver: str = ""
    alerts: list[AlertmanagerAlert] = Field(max_length=MAX_ALERTS_PER_REQUEST)


class WebhookAlert(Spec):
    """The generic webhook body: one alert."""

    title: str = Field(min_length=1, max_length=500, description="What is wrong, in a line.")
    status: Literal["firing", "resolved"] = Field(
        default="firing", description="`resolved` ends the alert with the same dedup key."
    )
    dedup_key: str | None = Field(
        default=None,
        max_length=64,
        description="Identifies the alert across deliveries; default: a hash of the labels "
        "and title.",
    )
    severity: str = Field(default="", max_length=32, description="e.g. critical, warning.")
    labels: LabelMap = Field(default_factory=dict, description="Routing and grouping labels.")
    annotations: LabelMap = Field(default_factory=dict, description="Free text, e.g. runbook_url.")
    starts_at: SentInstant | None = Field(
        default=None, description="When it started (RFC 3339); default: when received."
    )
    url: str = Field(default="", max_length=2000, description="Link back to the source.")


class AlertOut(BaseModel):
    fingerprint: str
    status: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    generator_url: str


class GroupEventOut(BaseModel):
    at: datetime
    kind: str
    actor: str
    detail: dict[str, Any]


class AlertGroupOut(BaseModel):
    id: int
    title: str
    state: str
    integration: str
    service: str | None
    severity: str
    labels: dict[str, str]
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    truncated_alerts: int
    alert_count: int
    flapping: bool = Field(
        description="An alert of the group keeps firing and resolving: the group stays open "
        "across its resolutions, so it pages once, until the alert calms down."
    )


class AlertGroupDetail(AlertGroupOut):
    alerts: list[AlertOut]
    timeline: list[GroupEventOut]


class IngestResult(BaseModel):
    """What an intake request did: useful for a source's logs and for tests."""

    accepted: int = Field(description="Alerts stored (new alerts or changes of state).")
    duplicates: int = Field(description="Alerts already received in the same state: ignored.")
    groups: list[int] = Field(description="Ids of the alert groups the alerts belong to.")
