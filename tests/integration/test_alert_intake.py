"""Alert intake over HTTP on SQLite and PostgreSQL: store, deduplicate, group, enqueue."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from ninefold.alerts.tables import Alert, AlertGroup, Delivery, GroupEvent
from ninefold.conventions import JOB_ALERT_GROUP_OPENED
from ninefold.db import make_session_factory
from ninefold.signing import sign
from ninefold.worker.tables import Job


def am_alert(name: str, status: str = "firing", **extra: Any) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {"alertname": name, "service": "checkout", "severity": "page"},
        "annotations": {"summary": f"{name} is burning"},
        "startsAt": "2026-11-23T10:00:00.000Z",
        "endsAt": "2026-11-23T10:30:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph",
        "fingerprint": f"fp-{name}",
        **extra,
    }


def am_payload(*alerts: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "version": "4",
        "groupKey": '{}:{alertname="CheckoutErrors"}',
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "ninefold",
        "groupLabels": {"alertname": "CheckoutErrors"},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": list(alerts),
        **extra,
    }


def integration(client: TestClient, headers: dict[str, str], **spec: Any) -> str:
    response = client.post("/api/v1/integrations", json=spec, headers=headers)
    assert response.status_code == 201, response.text
    url: str = response.json()["path"]
    return url


@pytest.fixture
def am_url(client: TestClient, admin_headers: dict[str, str]) -> str:
    return integration(client, admin_headers, name="prom", kind="alertmanager")


def rows(engine: Engine, model: type) -> list[Any]:
    with make_session_factory(engine)() as session:
        return list(session.scalars(select(model)))


def test_a_grouped_notification_is_split_per_fingerprint_into_one_group(
    client: TestClient, am_url: str, engine: Engine
) -> None:
    response = client.post(am_url, json=am_payload(am_alert("A"), am_alert("B")))
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 2
    alerts = rows(engine, Alert)
    assert sorted(a.fingerprint for a in alerts) == ["fp-A", "fp-B"]
    [group] = rows(engine, AlertGroup)
    assert group.state == "triggered"
    assert group.service == "checkout"
    assert group.labels == {"service": "checkout", "severity": "page"}  # what both share
    jobs = [j for j in rows(engine, Job) if j.kind == JOB_ALERT_GROUP_OPENED]
    assert [j.payload for j in jobs] == [{"group_id": group.id}]


def test_a_repeated_delivery_is_stored_once(
    client: TestClient, am_url: str, engine: Engine
) -> None:
    payload = am_payload(am_alert("A"), am_alert("B"))
    client.post(am_url, json=payload)
    again = client.post(am_url, json=payload)
    assert again.status_code == 200
    assert again.json() == {"accepted": 0, "duplicates": 2, "groups": []}
    assert len(rows(engine, Delivery)) == 2
    assert len(rows(engine, Alert)) == 2
    assert len(rows(engine, Job)) == 1


def test_every_field_of_the_payload_is_kept(
    client: TestClient, am_url: str, engine: Engine
) -> None:
    alert = am_alert("A", silenceURL="http://am/silence", values={"B0": 0.2})
    client.post(am_url, json=am_payload(alert, orgId=7))
    [delivery] = rows(engine, Delivery)
    assert delivery.alert == alert
    assert delivery.envelope["orgId"] == 7
    assert delivery.envelope["groupKey"] == '{}:{alertname="CheckoutErrors"}'
    assert "alerts" not in delivery.envelope


def test_the_group_resolves_when_all_its_alerts_resolve_at_the_source(
    client: TestClient, am_url: str, admin_headers: dict[str, str]
) -> None:
    client.post(am_url, json=am_payload(am_alert("A"), am_alert("B")))
    client.post(am_url, json=am_payload(am_alert("A", "resolved"), am_alert("B")))
    [group] = client.get("/api/v1/alert-groups", headers=admin_headers).json()["items"]
    assert group["state"] == "triggered"
    client.post(am_url, json=am_payload(am_alert("B", "resolved")))
    detail = client.get(f"/api/v1/alert-groups/{group['id']}", headers=admin_headers).json()
    assert detail["state"] == "resolved"
    assert detail["resolved_by"] == "source:prom"
    assert [a["status"] for a in detail["alerts"]] == ["resolved", "resolved"]
    assert detail["alerts"][0]["ends_at"].startswith("2026-11-23T10:30:00")
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds == [
        "triggered",
        "alert_firing",
        "alert_firing",
        "alert_resolved",
        "alert_resolved",
        "resolved",
    ]


def test_an_alert_firing_again_after_resolving_opens_a_new_group(
    client: TestClient, am_url: str, engine: Engine
) -> None:
    client.post(am_url, json=am_payload(am_alert("A")))
    client.post(am_url, json=am_payload(am_alert("A", "resolved")))
    client.post(am_url, json=am_payload(am_alert("A", startsAt="2026-11-23T12:00:00Z")))
    groups = sorted(rows(engine, AlertGroup), key=lambda g: g.id)
    assert [g.state for g in groups] == ["resolved", "triggered"]
    assert len([j for j in rows(engine, Job) if j.kind == JOB_ALERT_GROUP_OPENED]) == 2


def test_truncated_alerts_are_recorded_and_shown(
    client: TestClient, am_url: str, admin_headers: dict[str, str]
) -> None:
    client.post(am_url, json=am_payload(am_alert("A"), truncatedAlerts=12))
    [group] = client.get("/api/v1/alert-groups", headers=admin_headers).json()["items"]
    assert group["truncated_alerts"] == 12
    detail = client.get(f"/api/v1/alert-groups/{group['id']}", headers=admin_headers).json()
    assert {"kind": "truncated", "detail": {"left_out": 12}}.items() <= {
        k: v for e in detail["timeline"] if e["kind"] == "truncated" for k, v in e.items()
    }.items()


def test_unknown_keys_and_keys_of_another_kind_get_the_same_404(
    client: TestClient, am_url: str
) -> None:
    key = am_url.rsplit("/", 1)[1]
    wrong_key = client.post("/api/v1/integrations/alertmanager/nope", json=am_payload())
    wrong_kind = client.post(f"/api/v1/integrations/grafana/{key}", json=am_payload())
    assert wrong_key.status_code == wrong_kind.status_code == 404
    assert wrong_key.json() == wrong_kind.json()
    assert "prom" not in wrong_kind.text


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        pytest.param(b"{not json", None, "not valid JSON", id="malformed JSON"),
        pytest.param(b"[1, 2]", None, "must be a JSON object", id="a JSON array"),
        pytest.param(
            json.dumps(am_payload(version="3")).encode(),
            "version",
            "version 4 expected",
            id="another payload version",
        ),
        pytest.param(
            json.dumps(am_payload({**am_alert("A"), "startsAt": "yesterday"})).encode(),
            "alerts[0].startsAt",
            "datetime",
            id="an unparsable start time",
        ),
        pytest.param(
            json.dumps(am_payload({**am_alert("A"), "status": "burning"})).encode(),
            "alerts[0].status",
            "firing",
            id="an unknown status",
        ),
    ],
)
def test_bad_payloads_get_a_422_naming_the_field_and_store_nothing(
    client: TestClient,
    am_url: str,
    engine: Engine,
    body: bytes,
    field: str | None,
    message: str,
) -> None:
    response = client.post(am_url, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field
    assert message in error["message"]
    assert rows(engine, Delivery) == []


def test_an_oversized_payload_is_refused_with_413(client: TestClient, am_url: str) -> None:
    huge = am_payload(am_alert("A", annotations={"summary": "x" * 100_000}))
    assert client.post(am_url, json=huge).status_code == 413


def test_when_the_alert_cannot_be_stored_the_answer_is_a_5xx_and_nothing_is_half_written(
    settings: Any, engine: Engine, admin_headers: dict[str, str]
) -> None:
    from ninefold.app import create_app

    with TestClient(create_app(settings, engine), raise_server_exceptions=False) as client:
        url = integration(client, admin_headers, name="prom", kind="alertmanager")
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE alert_group_events"))
        try:
            response = client.post(url, json=am_payload(am_alert("A")))
        finally:
            GroupEvent.__table__.create(engine)
    assert response.status_code >= 500
    assert rows(engine, Delivery) == []
    assert rows(engine, AlertGroup) == []


def test_grafana_webhooks_are_received(
    client: TestClient, admin_headers: dict[str, str], engine: Engine
) -> None:
    url = integration(
        client, admin_headers, name="grafana-search", kind="grafana", service="search"
    )
    alert = am_alert("SearchSlow", dashboardURL="http://grafana/d/1", valueString="B=3")
    del alert["labels"]["service"]
    payload = am_payload(alert, version="1", orgId=1, title="[FIRING:1] SearchSlow")
    response = client.post(url, json=payload)
    assert response.status_code == 200, response.text
    [group] = rows(engine, AlertGroup)
    assert group.service == "search"  # from the integration: the alert names none
    assert group.title == "SearchSlow is burning"


class TestGenericWebhook:
    def test_fields_map_to_an_alert_and_a_repeat_is_a_duplicate(
        self, client: TestClient, admin_headers: dict[str, str], engine: Engine
    ) -> None:
        url = integration(client, admin_headers, name="cron", kind="webhook")
        body = {"title": "Backup failed", "severity": "critical", "labels": {"job": "backup"}}
        first = client.post(url, json=body)
        assert first.json()["accepted"] == 1
        assert client.post(url, json=body).json()["duplicates"] == 1
        resolved = client.post(url, json={**body, "status": "resolved"})
        assert resolved.json()["accepted"] == 1
        [alert] = rows(engine, Alert)
        assert alert.labels == {
            "job": "backup",
            "alertname": "Backup failed",
            "severity": "critical",
        }
        assert alert.status == "resolved"
        [group] = rows(engine, AlertGroup)
        assert group.state == "resolved"

    def test_an_unknown_field_is_refused(
        self, client: TestClient, admin_headers: dict[str, str]
    ) -> None:
        url = integration(client, admin_headers, name="cron", kind="webhook")
        response = client.post(url, json={"title": "x", "sevrity": "high"})
        assert response.status_code == 422
        assert response.json()["error"] == {
            "code": "invalid",
            "message": "sevrity: unknown field",
            "field": "sevrity",
        }

    @pytest.fixture
    def signed_url(
        self, client: TestClient, admin_headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
    ) -> str:
        monkeypatch.setenv("CRON_SECRET", "s3cret")
        return integration(
            client, admin_headers, name="cron", kind="webhook", secret_env="CRON_SECRET"
        )

    @pytest.mark.parametrize(
        "signature",
        [None, "sha256=" + "0" * 64, sign("other", b'{"title":"x"}'), "garbage"],
        ids=["missing", "wrong digest", "wrong secret", "malformed"],
    )
    def test_a_bad_signature_is_refused_with_401(
        self, client: TestClient, signed_url: str, engine: Engine, signature: str | None
    ) -> None:
        headers = {"content-type": "application/json"}
        if signature:
            headers["X-Ninefold-Signature"] = signature
        response = client.post(signed_url, content=b'{"title":"x"}', headers=headers)
        assert response.status_code == 401
        assert "X-Ninefold-Signature" in response.json()["error"]["message"]
        assert rows(engine, Delivery) == []

    def test_a_good_signature_is_accepted(self, client: TestClient, signed_url: str) -> None:
        body = b'{"title": "x"}'
        response = client.post(
            signed_url,
            content=body,
            headers={
                "X-Ninefold-Signature": sign("s3cret", body),
                "content-type": "application/json",
            },
        )
        assert response.status_code == 200, response.text

    def test_a_missing_secret_on_the_server_is_a_503_so_the_sender_retries(
        self, client: TestClient, signed_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("CRON_SECRET")
        body = b'{"title": "x"}'
        response = client.post(
            signed_url, content=body, headers={"X-Ninefold-Signature": sign("s3cret", body)}
        )
        assert response.status_code == 503
        assert "CRON_SECRET" in response.json()["error"]["message"]


def test_the_group_list_filters_by_state_service_and_severity(
    client: TestClient, am_url: str, admin_headers: dict[str, str]
) -> None:
    def send(name: str, service: str, severity: str, status: str = "firing") -> None:
        alert = am_alert(name, status)
        alert["labels"] = {"alertname": name, "service": service, "severity": severity}
        body = am_payload(alert, groupKey=f'{{}}:{{alertname="{name}"}}', status=status)
        assert client.post(am_url, json=body).status_code == 200

    send("A", "checkout", "critical")
    send("B", "search", "warning")
    send("C", "checkout", "warning")
    send("C", "checkout", "warning", "resolved")

    def titles(**query: str) -> list[str]:
        page = client.get("/api/v1/alert-groups", params=query, headers=admin_headers).json()
        return sorted(g["title"] for g in page["items"])

    assert titles(service="checkout") == ["A is burning", "C is burning"]
    assert titles(severity="warning") == ["B is burning", "C is burning"]
    assert titles(service="checkout", severity="warning", state="resolved") == ["C is burning"]
    assert titles(state="acknowledged") == []
    wrong = client.get("/api/v1/alert-groups?state=open", headers=admin_headers)
    assert wrong.status_code == 422
    assert wrong.json()["error"]["field"] == "state"
