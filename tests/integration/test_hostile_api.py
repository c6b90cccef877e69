"""Hostile and careless input through the API: out-of-range dates and numbers, deep JSON,
bytes that are not UTF-8, nulls in PATCH, methods a path does not take. Each gets a 4xx that
says what is wrong, never a server error (issue 12; the fuzzer in test_api_fuzz.py covers
the rest of the schema)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ninefold.alerts.integrations import all_rows
from ninefold.db import make_session_factory, unit_of_work

pytestmark = pytest.mark.usefixtures("shop")

# Instants that exist in their own offset but not in UTC: year 1 just after midnight east of
# Greenwich is year 0 in UTC, and the last hour of 9999 west of it is year 10000.
BEFORE_YEAR_ONE = "0001-01-01T00:30:00+05:00"
AFTER_YEAR_9999 = "9999-12-31T23:30:00-05:00"
HUGE = 2**63


def _invalid(response: Any, field: str | None = None) -> str:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid"
    if field is not None:
        assert error["field"] == field, error
    return str(error["message"])


def _key(engine: Engine, kind: str) -> str:
    with unit_of_work(make_session_factory(engine)) as session:
        return next(row.key for row in all_rows(session) if row.kind == kind)


def _alertmanager(
    ends: str = "0001-01-01T00:00:00Z", starts: str = "2026-01-01T00:00:00Z", truncated: int = 0
) -> dict[str, Any]:
    return {
        "version": "4",
        "groupKey": '{}:{alertname="x"}',
        "truncatedAlerts": truncated,
        "status": "firing",
        "receiver": "ninefold",
        "groupLabels": {},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://am",
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": "x", "service": "checkout"},
                "annotations": {},
                "startsAt": starts,
                "endsAt": ends,
                "generatorURL": "http://prometheus",
                "fingerprint": "abc",
            }
        ],
    }


@pytest.mark.parametrize("instant", [BEFORE_YEAR_ONE, AFTER_YEAR_9999])
def test_an_instant_outside_the_utc_calendar_is_refused_at_intake_naming_the_field(
    client: TestClient, shop: Engine, instant: str
) -> None:
    url = f"/api/v1/integrations/alertmanager/{_key(shop, 'alertmanager')}"
    message = _invalid(client.post(url, json=_alertmanager(starts=instant)), "alerts[0].startsAt")
    assert "year" in message


def test_the_zero_time_alertmanager_sends_for_no_end_is_still_accepted(
    client: TestClient, shop: Engine
) -> None:
    url = f"/api/v1/integrations/alertmanager/{_key(shop, 'alertmanager')}"
    response = client.post(url, json=_alertmanager())
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 1


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/api/v1/silences",
            {"matchers": ['alertname="x"'], "end": AFTER_YEAR_9999, "reason": "r"},
            "end",
        ),
        (
            "/api/v1/silences",
            {
                "matchers": ['alertname="x"'],
                "start": BEFORE_YEAR_ONE,
                "end": "2030-01-01T00:00:00Z",
                "reason": "r",
            },
            "start",
        ),
        (
            "/api/v1/maintenance-windows",
            {
                "service": "checkout",
                "start": BEFORE_YEAR_ONE,
                "end": "2030-01-01T00:00:00Z",
                "reason": "r",
            },
            "start",
        ),
        (
            "/api/v1/maintenance-windows",
            {
                "service": "checkout",
                "start": "2030-01-01T00:00:00Z",
                "end": AFTER_YEAR_9999,
                "reason": "r",
            },
            "end",
        ),
    ],
)
def test_an_instant_outside_the_utc_calendar_is_refused_by_every_write_naming_the_field(
    client: TestClient, admin_headers: dict[str, str], path: str, body: dict[str, Any], field: str
) -> None:
    _invalid(client.post(path, json=body, headers=admin_headers), field)


def test_an_override_or_a_schedule_range_outside_the_utc_calendar_is_refused(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    name = client.get("/api/v1/schedules", headers=admin_headers).json()["items"][0]["name"]
    body = {
        "kind": "add",
        "person": "amelia",
        "start": BEFORE_YEAR_ONE,
        "end": "2030-01-01T00:00:00Z",
        "reason": "r",
    }
    _invalid(
        client.post(f"/api/v1/schedules/{name}/overrides", json=body, headers=admin_headers),
        "start",
    )
    for query in (f"from={AFTER_YEAR_9999}", "from=9999-12-30T00:00:00Z"):
        response = client.get(
            f"/api/v1/schedules/{name}?{query.replace('+', '%2B')}", headers=admin_headers
        )
        _invalid(response, "from")


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/alert-groups?offset={HUGE}",
        f"/api/v1/users?offset={HUGE}",
        f"/api/v1/alert-groups/{HUGE}",
        f"/api/v1/silences?offset={HUGE}",
    ],
)
def test_a_number_past_the_database_range_is_refused_not_sent_to_the_database(
    client: TestClient, admin_headers: dict[str, str], path: str
) -> None:
    _invalid(client.get(path, headers=admin_headers))


def test_truncated_alerts_past_the_database_range_is_refused_at_intake(
    client: TestClient, shop: Engine
) -> None:
    url = f"/api/v1/integrations/alertmanager/{_key(shop, 'alertmanager')}"
    _invalid(client.post(url, json=_alertmanager(truncated=HUGE)), "truncatedAlerts")


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("kind", ["alertmanager", "grafana", "webhook"])
def test_json_nested_thousands_deep_is_refused_at_intake(
    client: TestClient, shop: Engine, kind: str
) -> None:
    url = f"/api/v1/integrations/{kind}/{_key(shop, kind)}"
    body = b'{"alerts": ' + _nested(10_000) + b"}"
    response = client.post(url, content=body, headers={"Content-Type": "application/json"})
    assert "nested too deeply" in _invalid(response)


def test_json_nested_thousands_deep_is_refused_by_the_api(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    body = b'{"name": "x", "labels": ' + _nested(10_000) + b"}"
    response = client.post(
        "/api/v1/services",
        content=body,
        headers={**admin_headers, "Content-Type": "application/json"},
    )
    assert "nested too deeply" in _invalid(response)


def test_a_body_that_is_not_utf8_is_an_invalid_request(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/teams",
        content=b'{"name": "\xff\xfe"}',
        headers={**admin_headers, "Content-Type": "application/json"},
    )
    assert "UTF-8" in _invalid(response)


def test_null_in_a_patch_puts_a_field_back_to_its_default_or_is_refused_when_it_has_none(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    url = "/api/v1/services/checkout"
    client.patch(url, json={"lifecycle": "deprecated"}, headers=admin_headers)
    response = client.patch(url, json={"lifecycle": None, "labels": None}, headers=admin_headers)
    assert response.status_code == 200, response.text
    assert (response.json()["lifecycle"], response.json()["labels"]) == ("production", {})
    message = _invalid(client.patch(url, json={"owner": None}, headers=admin_headers), "owner")
    assert "no default" in message
    assert client.get(url, headers=admin_headers).json()["owner"] != ""


def test_a_method_the_path_does_not_take_names_every_method_it_does(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    response = client.put("/api/v1/teams", headers=admin_headers)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    response = client.put("/api/v1/services/checkout", headers=admin_headers)
    assert response.headers["allow"] == "DELETE, GET, PATCH"
