"""Bad input through the API: each case gets its 4xx with the error shape, and writes nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ninefold.auth.model import Role
from tests.factories import OPERATOR, make_token, make_user
from tests.integration.conftest import bearer
from tests.support.clock import FrozenClock


def _error(response, status: int) -> dict[str, str | None]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field"}
    return body["error"]


def _service_count(client: TestClient, headers: dict[str, str]) -> int:
    return client.get("/api/v1/services", headers=headers).json()["total"]


def _audit_count(client: TestClient, headers: dict[str, str]) -> int:
    return client.get("/api/v1/audit", headers=headers).json()["total"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        pytest.param(
            {"name": "x", "tier": "high", "owner": "payments"},
            "tier",
            "valid integer",
            id="tier is not a number",
        ),
        pytest.param(
            {"name": "x", "tier": 7, "owner": "payments"},
            "tier",
            "less than or equal to 3",
            id="tier above 3",
        ),
        pytest.param(
            {"name": "x", "tier": 1, "owner": "payments", "colour": "red"},
            "colour",
            "unknown field",
            id="unknown key",
        ),
        pytest.param({"tier": 1, "owner": "payments"}, "name", "Field required", id="name missing"),
        pytest.param(
            {"name": "a/b", "tier": 1, "owner": "payments"},
            "name",
            "must not contain '/'",
            id="slash in name",
        ),
        pytest.param(
            {"name": "x", "tier": 1, "owner": "nobody"},
            "owner",
            "no team named 'nobody'",
            id="dangling owner",
        ),
        pytest.param(
            {"name": "x", "tier": 1, "owner": "payments", "depends_on": ["ghost"]},
            "depends_on",
            "no such service: 'ghost'",
            id="dangling dependency",
        ),
        pytest.param(
            {"name": "x", "tier": 1, "owner": "payments", "depends_on": ["x"]},
            "depends_on",
            "cannot depend on itself",
            id="self dependency",
        ),
        pytest.param(
            {
                "name": "x",
                "tier": 1,
                "owner": "payments",
                "runbooks": [{"title": "r", "url": "ftp://x"}],
            },
            "runbooks.0.url",
            "http:// or https://",
            id="bad runbook url",
        ),
    ],
)
def test_bad_service_bodies_are_refused_and_write_nothing(
    client: TestClient, admin_headers: dict[str, str], body: dict, field: str, message: str
) -> None:
    before = (_service_count(client, admin_headers), _audit_count(client, admin_headers))
    response = client.post("/api/v1/services", json=body, headers=admin_headers)
    error = _error(response, 422)
    assert error["field"] == field
    assert message in error["message"]
    assert (_service_count(client, admin_headers), _audit_count(client, admin_headers)) == before


def test_malformed_json_is_a_422(client: TestClient, admin_headers: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/services",
        content=b'{"name": "x", "tier": ',
        headers={**admin_headers, "content-type": "application/json"},
    )
    error = _error(response, 422)
    assert error["code"] == "invalid"
    assert error["field"] is None
    assert error["message"] == "invalid JSON at character 22: Expecting value"


def test_a_dependency_cycle_is_refused_and_rolled_back(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    response = client.patch(
        "/api/v1/services/postgres", json={"depends_on": ["checkout"]}, headers=admin_headers
    )
    error = _error(response, 422)
    assert error["field"] == "depends_on"
    assert "postgres" in error["message"]
    assert "checkout" in error["message"]
    assert client.get("/api/v1/services/postgres", headers=admin_headers).json()["depends_on"] == []


def test_duplicate_names_conflict(client: TestClient, admin_headers: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/services",
        json={"name": "checkout", "tier": 0, "owner": "payments"},
        headers=admin_headers,
    )
    assert _error(response, 409)["field"] == "name"
    response = client.post("/api/v1/teams", json={"name": "payments"}, headers=admin_headers)
    assert _error(response, 409)["field"] == "name"


def test_a_team_that_owns_services_cannot_be_deleted(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    error = _error(client.delete("/api/v1/teams/payments", headers=admin_headers), 409)
    assert "checkout" in error["message"]
    assert client.get("/api/v1/teams/payments", headers=admin_headers).status_code == 200


def test_unknown_objects_and_routes_are_404_json(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    assert (
        _error(client.get("/api/v1/services/nope", headers=admin_headers), 404)["code"]
        == "not_found"
    )
    assert (
        _error(client.get("/api/v1/nothing-here", headers=admin_headers), 404)["code"]
        == "not_found"
    )


@pytest.mark.parametrize("chunked", [False, True], ids=["declared length", "chunked body"])
def test_bodies_over_the_size_limit_are_refused(
    client: TestClient, admin_headers: dict[str, str], chunked: bool
) -> None:
    big = b'{"name": "x", "tier": 1, "owner": "payments", "description": "' + b"a" * 70_000 + b'"}'
    before = _service_count(client, admin_headers)
    content = iter([big[:30_000], big[30_000:]]) if chunked else big
    response = client.post(
        "/api/v1/services",
        content=content,
        headers={**admin_headers, "content-type": "application/json"},
    )
    error = _error(response, 413)
    assert error["code"] == "too_large"
    assert str(64 * 1024) in error["message"]
    assert _service_count(client, admin_headers) == before


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        pytest.param({}, "log in or send an API token", id="no credentials"),
        pytest.param(
            {"Authorization": "Bearer nf_not-a-real-token"}, "invalid API token", id="unknown token"
        ),
        pytest.param(
            {"Authorization": "Basic dXNlcjpwYXNz"}, "must be 'Bearer <token>'", id="wrong scheme"
        ),
    ],
)
def test_requests_without_a_valid_token_are_401(
    client: TestClient, shop: Engine, headers: dict[str, str], message: str
) -> None:
    error = _error(client.get("/api/v1/services", headers=headers), 401)
    assert error["code"] == "unauthenticated"
    assert message in error["message"]


def test_a_revoked_token_stops_working(
    client: TestClient, shop: Engine, clock: FrozenClock
) -> None:
    from ninefold.auth import service as auth_service
    from ninefold.db import make_session_factory, unit_of_work

    make_user(shop, "ci", Role.RESPONDER, now=clock())
    with unit_of_work(make_session_factory(shop)) as session:
        new = auth_service.create_token(session, OPERATOR, "ci", Role.RESPONDER, clock(), "ci")
    headers = {"Authorization": f"Bearer {new.secret}"}
    assert client.get("/api/v1/services", headers=headers).status_code == 200
    with unit_of_work(make_session_factory(shop)) as session:
        auth_service.revoke_token(session, OPERATOR, new.info.id, clock())
    assert "revoked" in _error(client.get("/api/v1/services", headers=headers), 401)["message"]


def test_a_token_cannot_outrank_its_user(shop: Engine, clock: FrozenClock) -> None:
    from ninefold.errors import Invalid

    make_user(shop, "vic", Role.VIEWER, now=clock())
    with pytest.raises(Invalid, match="cannot carry more than its user's role"):
        make_token(shop, "vic", Role.ADMIN, now=clock())


def test_viewers_read_but_change_nothing(
    client: TestClient, shop: Engine, admin_headers: dict[str, str], clock: FrozenClock
) -> None:
    make_user(shop, "vic", Role.VIEWER, now=clock())
    viewer = bearer(shop, "vic", Role.VIEWER, clock())
    assert client.get("/api/v1/services/web", headers=viewer).status_code == 200
    error = _error(client.patch("/api/v1/services/web", json={"tier": 3}, headers=viewer), 403)
    assert "viewer" in error["message"]
    _error(client.delete("/api/v1/services/web", headers=viewer), 403)
    _error(client.post("/api/v1/teams", json={"name": "new"}, headers=viewer), 403)
    _error(client.get("/api/v1/audit", headers=viewer), 403)
    assert client.get("/api/v1/services/web", headers=admin_headers).json()["tier"] == 1


def test_a_scoped_responder_changes_only_their_teams_objects(
    client: TestClient, shop: Engine, admin_headers: dict[str, str], clock: FrozenClock
) -> None:
    make_user(shop, "pat", Role.RESPONDER, scope=["payments"], now=clock())
    pat = bearer(shop, "pat", Role.RESPONDER, clock())
    assert (
        client.patch("/api/v1/services/checkout", json={"tier": 1}, headers=pat).status_code == 200
    )
    error = _error(client.patch("/api/v1/services/web", json={"tier": 3}, headers=pat), 403)
    assert "storefront" in error["message"]
    moved = client.patch("/api/v1/services/checkout", json={"owner": "storefront"}, headers=pat)
    _error(moved, 403)
    created = client.post(
        "/api/v1/services", json={"name": "fraud", "tier": 1, "owner": "platform"}, headers=pat
    )
    _error(created, 403)
    _error(client.post("/api/v1/teams", json={"name": "fraud"}, headers=pat), 403)
    checkout = client.get("/api/v1/services/checkout", headers=admin_headers).json()
    assert (checkout["tier"], checkout["owner"]) == (1, "payments")
    assert client.get("/api/v1/services/web", headers=admin_headers).json()["tier"] == 1


@pytest.mark.parametrize(
    "name",
    [
        "x'); DROP TABLE services;--",
        "<img src=x onerror=alert(1)>",
        '" OR 1=1 --',
        "ünïcödé & <b>bold<b>",
    ],
)
def test_names_with_sql_and_html_are_stored_as_typed(
    client: TestClient, admin_headers: dict[str, str], name: str
) -> None:
    created = client.post(
        "/api/v1/services",
        json={"name": name, "tier": 2, "owner": "storefront", "description": name},
        headers=admin_headers,
    )
    assert created.status_code == 201, created.text
    fetched = client.get(f"/api/v1/services/{name}", headers=admin_headers).json()
    assert fetched["name"] == fetched["description"] == name
    assert _service_count(client, admin_headers) == 15
    listed = client.get(
        "/api/v1/services", params={"team": "storefront", "tier": 2}, headers=admin_headers
    ).json()
    assert name in [s["name"] for s in listed["items"]]


def test_a_service_others_depend_on_cannot_be_deleted(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    error = _error(client.delete("/api/v1/services/redis", headers=admin_headers), 409)
    assert "cart, catalog" in error["message"]
    assert client.get("/api/v1/services/cart", headers=admin_headers).json()["depends_on"] == [
        "inventory",
        "redis",
    ]
