"""Parsing intake bodies: what each source may send and how a mistake is reported."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ninefold.alerts import intake
from ninefold.errors import Invalid

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def am(*alerts: dict[str, object], version: str = "4") -> dict[str, object]:
    return {"version": version, "groupKey": "k", "alerts": list(alerts)}


FIRING = {"status": "firing", "labels": {"alertname": "A"}, "startsAt": "2026-11-23T10:00:00Z"}


def test_alertmanager_zero_end_time_means_no_end() -> None:
    delivery = intake.notification("alertmanager", am({**FIRING, "endsAt": "0001-01-01T00:00:00Z"}))
    [alert] = delivery.alerts
    assert alert.ends_at is None
    assert alert.fingerprint  # computed from the labels when the source sends none


def test_a_resolved_alert_keeps_its_end_time() -> None:
    body = am({**FIRING, "status": "resolved", "endsAt": "2026-11-23T10:30:00+01:00"})
    [alert] = intake.notification("alertmanager", body).alerts
    assert alert.ends_at == datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def test_more_than_a_thousand_alerts_in_one_request_are_refused() -> None:
    with pytest.raises(Invalid, match=r"alerts: .*at most 1000") as caught:
        intake.notification("alertmanager", am(*[FIRING] * 1001))
    assert caught.value.field == "alerts"


def test_a_start_time_without_a_zone_is_refused() -> None:
    with pytest.raises(Invalid, match=r"alerts\[0\]\.startsAt: must carry a time zone"):
        intake.notification("alertmanager", am({**FIRING, "startsAt": "2026-11-23T10:00:00"}))


def test_grafana_payloads_are_version_1() -> None:
    with pytest.raises(Invalid, match="grafana webhook payload version 1 expected, got '4'"):
        intake.notification("grafana", am(FIRING))


def test_a_webhook_alert_without_a_start_takes_the_receive_time_and_says_so() -> None:
    [alert] = intake.webhook({"title": "Disk full"}, NOW).alerts
    assert (alert.starts_at, alert.start_given) == (NOW, False)
    assert alert.labels == {"alertname": "Disk full"}
    assert alert.annotations == {"summary": "Disk full"}


def test_the_same_webhook_alert_twice_has_the_same_fingerprint() -> None:
    body = {"title": "Disk full", "labels": {"host": "db1"}}
    first = intake.webhook(body, NOW).alerts[0].fingerprint
    assert intake.webhook(body, datetime(2026, 11, 24, tzinfo=UTC)).alerts[0].fingerprint == first
    assert (
        intake.webhook({**body, "dedup_key": "disk-db1"}, NOW).alerts[0].fingerprint == "disk-db1"
    )
