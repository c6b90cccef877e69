"""Alerts as Ninefold sees them, whatever sent them: normalising, fingerprints, group keys.

Pure: payloads in, `Incoming` alerts out; no database and no clock (the receive time is
passed in, for sources that send none).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Status = Literal["firing", "resolved"]
FIRING: Status = "firing"
RESOLVED: Status = "resolved"

# Labels that name what an alert is about, in the order tried for a title and a service.
TITLE_LABELS = ("alertname",)
SERVICE_LABELS = ("ninefold_service", "service")
SEVERITY_LABELS = ("ninefold_severity", "severity")


@dataclass(frozen=True)
class Incoming:
    """One alert of one delivery, in the shape every source is brought to."""

    fingerprint: str
    status: Status
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    generator_url: str
    raw: dict[str, Any] = field(compare=False, repr=False)
    # False when the source sent no start time and the receive time stands in for it: such an
    # alert is matched to the one already open with its fingerprint, whatever its start.
    start_given: bool = True

    @property
    def title(self) -> str:
        for key in ("summary", "title"):
            if self.annotations.get(key):
                return self.annotations[key][:500]
        return self.labels.get("alertname") or "alert"


@dataclass(frozen=True)
class Delivery:
    """One request: its alerts, the source's own group key if it has one, the envelope."""

    alerts: list[Incoming]
    group_key: str | None
    truncated: int
    envelope: dict[str, Any]


def fingerprint_of(labels: dict[str, str]) -> str:
    """A stable id for a label set, for sources that send none: 16 hex digits of SHA-256.

    The same labels give the same fingerprint whatever their order, as Alertmanager's do.
    """
    canonical = json.dumps(sorted(labels.items()), separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def group_key_of(alert: Incoming, group_by: list[str], source_key: str | None) -> str:
    """The key alerts group by: the integration's labels, else the source's, else the name.

    With `group_by` the key is those labels' values (absent ones empty), so two alerts with
    the same values share a group. Without it, Alertmanager's and Grafana's own groupKey is
    used, so a group in Ninefold is a group in the routing tree that sent it; other sources
    group by alert name and service.
    """
    if group_by:
        return json.dumps({name: alert.labels.get(name, "") for name in group_by}, sort_keys=True)
    if source_key:
        return source_key
    service = first_label(alert.labels, SERVICE_LABELS) or ""
    return json.dumps({"alertname": alert.labels.get("alertname", alert.title), "service": service})


def first_label(labels: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        if labels.get(name):
            return labels[name]
    return None


def common_labels(alerts: list[dict[str, str]]) -> dict[str, str]:
    """The labels every alert shares, with the same value (what the group is about)."""
    if not alerts:
        return {}
    shared = dict(alerts[0])
    for labels in alerts[1:]:
        shared = {k: v for k, v in shared.items() if labels.get(k) == v}
    return shared
