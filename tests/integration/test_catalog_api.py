"""Teams, services and dependencies through the HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from tests.support.clock import FrozenClock


def test_lists_services_filtered_by_team_and_tier(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    response = client.get(
        "/api/v1/services", params={"team": "payments", "tier": 0}, headers=admin_headers
    )
    assert response.status_code == 200
    body = response.json()
    assert [s["name"] for s in body["items"]] == ["checkout", "payments"]
    assert body["total"] == 2


def test_pages_through_services(client: TestClient, admin_headers: dict[str, str]) -> None:
    first = client.get("/api/v1/services", params={"limit": 5}, headers=admin_headers).json()
    second = client.get(
        "/api/v1/services", params={"limit": 5, "offset": 5}, headers=admin_headers
    ).json()
    assert first["total"] == second["total"] == 14
    assert len(first["items"]) == 5
    assert not {s["name"] for s in first["items"]} & {s["name"] for s in second["items"]}


def test_dependencies_are_transitive_both_ways(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    report = client.get("/api/v1/services/cart/dependencies", headers=admin_headers).json()
    needs = {d["name"]: d["depth"] for d in report["depends_on"]}
    needed_by = {d["name"]: d["depth"] for d in report["dependents"]}
    assert needs == {"redis": 1, "inventory": 1, "postgres": 2, "kafka": 2}
    assert needed_by == {"checkout": 1, "api-gateway": 1, "web": 2}


def test_creates_updates_and_deletes_a_service(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    created = client.post(
        "/api/v1/services",
        json={"name": "reviews", "tier": 3, "owner": "storefront", "depends_on": ["catalog"]},
        headers=admin_headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["managed_by"] == "api"
    updated = client.patch("/api/v1/services/reviews", json={"tier": 2}, headers=admin_headers)
    assert updated.json()["tier"] == 2
    assert updated.json()["depends_on"] == ["catalog"]
    assert client.delete("/api/v1/services/reviews", headers=admin_headers).status_code == 204
    assert client.get("/api/v1/services/reviews", headers=admin_headers).status_code == 404


def test_every_change_is_in_the_audit_log(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    client.patch("/api/v1/services/web", json={"tier": 0}, headers=admin_headers)
    entries = client.get(
        "/api/v1/audit", params={"kind": "service", "name": "web"}, headers=admin_headers
    ).json()
    latest = entries["items"][0]
    assert latest["actor"] == "root"
    assert latest["via"] == "api"
    assert latest["action"] == "update"
    assert (latest["before"]["tier"], latest["after"]["tier"]) == (1, 0)


def test_changes_carry_the_time_of_the_apps_clock(
    client: TestClient, admin_headers: dict[str, str], clock: FrozenClock
) -> None:
    """The row's times and the audit entry's come from the clock the app was given, the
    same instant for both, never from the database or the machine."""
    made = clock.set(clock() - timedelta(days=400))  # no other clock reads this instant
    created = client.post("/api/v1/teams", json={"name": "reviewers"}, headers=admin_headers).json()
    assert (created["created_at"], created["updated_at"]) == (iso(made), iso(made))

    changed = clock.advance(hours=5, seconds=7)
    updated = client.patch(
        "/api/v1/teams/reviewers", json={"description": "reads reviews"}, headers=admin_headers
    ).json()
    assert (updated["created_at"], updated["updated_at"]) == (iso(made), iso(changed))
    entries = client.get(
        "/api/v1/audit", params={"kind": "team", "name": "reviewers"}, headers=admin_headers
    ).json()["items"]
    assert [(e["action"], e["at"]) for e in entries] == [
        ("update", iso(changed)),
        ("create", iso(made)),
    ]


def iso(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")
