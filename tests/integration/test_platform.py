"""Health, readiness, metrics and the API description."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ninefold.app import create_app
from ninefold.db import make_engine
from ninefold.settings import Settings


def test_healthz_says_alive(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_ready_on_a_migrated_database(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


def test_readyz_is_unavailable_on_an_unmigrated_database(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with TestClient(create_app(Settings(database_url=url), make_engine(url))) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert "revision None" in response.json()["reason"]


def test_readyz_is_unavailable_when_the_database_is_unreachable(tmp_path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    with TestClient(create_app(Settings(database_url=url), make_engine(url))) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["reason"].startswith("database:")


def test_metrics_count_requests_by_route_template(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    for name in ("web", "checkout", "nope"):
        client.get(f"/api/v1/services/{name}", headers=admin_headers)
    text = client.get("/metrics").text
    assert (
        'ninefold_http_requests_total{method="GET",route="/api/v1/services/{name}",status="200"} 2.0'
        in text
    )
    assert (
        'ninefold_http_requests_total{method="GET",route="/api/v1/services/{name}",status="404"} 1.0'
        in text
    )
    assert (
        'ninefold_http_request_duration_seconds_count{method="GET",route="/api/v1/services/{name}"} 3.0'
        in text
    )
    assert "/api/v1/services/web" not in text


def test_openapi_describes_the_api_and_docs_page_is_self_hosted(
    client: TestClient, engine: Engine
) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/v1/services", "/api/v1/services/{name}/dependencies", "/api/v1/audit"} <= set(
        spec["paths"]
    )
    page = client.get("/docs").text
    assert "/static/swagger/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200


def test_every_response_forbids_framing_sniffing_inline_script_and_foreign_origins(
    client: TestClient,
) -> None:
    for path in ("/login", "/healthz", "/api/v1/services", "/nope", "/docs"):
        headers = client.get(path, follow_redirects=False).headers
        assert headers["x-frame-options"] == "DENY"
        policy = dict(
            part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";")
        )
        assert policy["script-src"] == "'self'"
        assert policy["default-src"] == "'self'"
        assert policy["object-src"] == "'none'"
        assert policy["frame-ancestors"] == "'none'"
        assert headers["x-content-type-options"] == "nosniff"
