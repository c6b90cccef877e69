"""Recording changes through the API, on SQLite and PostgreSQL: idempotency, the chain of
deploys, bad input, who may record, freezes, and the DORA table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ninefold.auth.model import Role
from ninefold.changes import service as changes
from ninefold.changes.schemas import FreezeSpec
from ninefold.db import make_session_factory, unit_of_work
from tests.factories import make_user
from tests.integration.conftest import bearer
from tests.support.clock import FrozenClock

pytestmark = pytest.mark.pinned
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def deploy(version: str, hours: float, **more: Any) -> dict[str, Any]:
    return {
        "service": "checkout",
        "version": version,
        "finished_at": (T0 + timedelta(hours=hours)).isoformat(),
        **more,
    }


def post(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> Any:
    return client.post("/api/v1/changes", json=body, headers=headers)


def test_a_retried_ci_job_records_one_change_and_other_content_is_a_conflict(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    body = deploy("v1", 0, external_id="github:shop/checkout:run:1")
    first = post(client, admin_headers, body)
    again = post(client, admin_headers, body)
    assert first.status_code == 201, first.text
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["change"]["id"] == first.json()["change"]["id"]
    other = post(client, admin_headers, {**body, "version": "v2"})
    assert other.status_code == 409
    assert other.json()["error"]["field"] == "external_id"
    listed = client.get("/api/v1/changes", headers=admin_headers).json()
    assert listed["total"] == 1


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (deploy("v1", 0, service="nope"), "service", "unknown service 'nope'"),
        (deploy("v1", 0, environment="moon"), "environment", "unknown environment 'moon'"),
        (
            deploy("v1", 0, started_at=(T0 + timedelta(hours=1)).isoformat()),
            None,
            "finished_at comes before started_at",
        ),
        (deploy("v1", 0, reverts=99, rollback=True), "reverts", "change 99 is not"),
        (deploy("v1", 0, hotfix_of=3), None, "hotfix_of is for hotfixes"),
        (deploy("v1", 0, finished_at="2026-03-02T09:00:00"), "finished_at", "timezone"),
        (
            deploy("v1", 0, commits=[{"sha": "zz", "authored_at": T0.isoformat()}]),
            "commits",
            "pattern",
        ),
    ],
)
def test_bad_changes_are_refused_saying_what_and_where(
    client: TestClient,
    admin_headers: dict[str, str],
    body: dict[str, Any],
    field: str | None,
    words: str,
) -> None:
    answer = post(client, admin_headers, body)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert words in error["message"]
    if field is not None:
        assert (error["field"] or "").startswith(field)
    assert client.get("/api/v1/changes", headers=admin_headers).json()["total"] == 0


def test_a_commit_authored_after_the_change_is_kept_and_left_out_of_lead_time(
    client: TestClient, admin_headers: dict[str, str], clock: FrozenClock
) -> None:
    commits = [
        {"sha": "a" * 40, "authored_at": (T0 - timedelta(hours=2)).isoformat(), "title": "fix"},
        {"sha": "b" * 40, "authored_at": (T0 + timedelta(hours=1)).isoformat(), "title": "late"},
    ]
    made = post(client, admin_headers, deploy("v1", 0, commits=commits)).json()["change"]
    assert [c["in_lead_time"] for c in made["commits"]] == [True, False]
    clock.set(T0 + timedelta(days=1))
    report = client.get(
        "/api/v1/dora",
        params={"from": "2026-03-01", "to": "2026-03-08", "service": "checkout"},
        headers=admin_headers,
    ).json()
    figures = report["rows"][0]["current"]
    assert figures["lead_time_pairs"] == 1
    assert figures["lead_time_minutes"] == 120


def test_ten_thousand_commits_in_one_change(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    commits = [
        {"sha": f"{i:040x}", "authored_at": (T0 - timedelta(minutes=i)).isoformat()}
        for i in range(10_000)
    ]
    made = post(client, admin_headers, deploy("v1", 0, commits=commits))
    assert made.status_code == 201, made.text[:300]
    change = made.json()["change"]
    assert change["commit_count"] == 10_000
    shown = client.get(f"/api/v1/changes/{change['id']}", headers=admin_headers).json()
    assert shown["commits"][-1]["sha"] == f"{9999:040x}"
    too_many = post(client, admin_headers, deploy("v2", 1, commits=[*commits, commits[0]]))
    assert too_many.status_code == 422
    assert too_many.json()["error"]["field"] == "commits"


def test_a_redeploy_of_an_earlier_version_is_a_rollback_and_marks_what_it_undid(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    ids = [
        post(client, admin_headers, deploy(v, h)).json()["change"]["id"]
        for v, h in (("v1", 0), ("v2", 1), ("v1", 2))
    ]
    rollback = client.get(f"/api/v1/changes/{ids[2]}", headers=admin_headers).json()
    assert rollback["rollback"] is True
    assert rollback["undoes"] == ids[1]
    undone = client.get(f"/api/v1/changes/{ids[1]}", headers=admin_headers).json()
    assert undone["rolled_back_by"] == ids[2]
    hotfix = post(client, admin_headers, deploy("v2.1", 3, hotfix=True)).json()["change"]
    assert hotfix["fixes_deploy"] == ids[1]


def test_a_change_recorded_late_is_placed_by_its_finish_time(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    v1 = post(client, admin_headers, deploy("v1", 0)).json()["change"]["id"]
    later = post(client, admin_headers, deploy("v1", 2)).json()["change"]["id"]
    assert client.get(f"/api/v1/changes/{later}", headers=admin_headers).json()["rollback"] is False
    # v2 at hour 1 arrives last: v1 at hour 2 is now a rollback of it.
    v2 = post(client, admin_headers, deploy("v2", 1)).json()["change"]["id"]
    after = client.get(f"/api/v1/changes/{later}", headers=admin_headers).json()
    assert (after["rollback"], after["undoes"]) == (True, v2)
    assert v1 < later < v2


def test_a_ci_token_records_changes_of_its_teams_services_and_nothing_else(
    client: TestClient, shop: Engine, clock: FrozenClock
) -> None:
    make_user(shop, "ci-payments", Role.RESPONDER, scope=["payments"], now=clock())
    ci = bearer(shop, "ci-payments", Role.DEPLOYER, clock())
    assert post(client, ci, deploy("v1", 0)).status_code == 201
    other_team = post(client, ci, deploy("v1", 0, service="search"))
    assert other_team.status_code == 403
    assert "storefront" in other_team.json()["error"]["message"]
    service_change = client.patch("/api/v1/services/checkout", json={"tier": 1}, headers=ci)
    assert service_change.status_code == 403
    make_user(shop, "watcher", Role.VIEWER, now=clock())
    viewer = bearer(shop, "watcher", Role.VIEWER, clock())
    assert post(client, viewer, deploy("v2", 1)).status_code == 403


def test_a_change_recorded_in_a_freeze_is_flagged(
    client: TestClient, admin_headers: dict[str, str], shop: Engine, clock: FrozenClock
) -> None:
    freeze = FreezeSpec(
        name="audit",
        starts=T0,
        ends=T0 + timedelta(days=1),
        reason="PCI audit",
        teams=["payments"],
    )
    with unit_of_work(make_session_factory(shop)) as session:
        changes.write_freeze(session, freeze, "config", clock())
    inside = post(client, admin_headers, deploy("v1", 1)).json()["change"]
    outside = post(client, admin_headers, deploy("v2", 25)).json()["change"]
    other_team = post(client, admin_headers, deploy("v1", 1, service="search")).json()["change"]
    assert inside["freeze"] == "audit: PCI audit"
    assert outside["freeze"] is None
    assert other_team["freeze"] is None


def test_the_dora_table_by_team_with_the_previous_period(
    client: TestClient, admin_headers: dict[str, str], clock: FrozenClock
) -> None:
    # payments: checkout v1, v2 (rolled back by v1 again), cart v1; storefront: search v1;
    # one in the week before.
    for body in (
        deploy("v0", -48),
        deploy("v1", 0),
        deploy("v2", 24),
        deploy("v1", 25),
        deploy("c1", 30, service="cart"),
        deploy("s1", 30, service="search"),
        deploy("s2", 31, service="search", outcome="failed"),
        deploy("s3", 32, service="search", environment="staging"),
    ):
        assert post(client, admin_headers, body).status_code == 201
    clock.set(T0 + timedelta(days=7))
    answer = client.get(
        "/api/v1/dora",
        params={"from": "2026-03-02", "to": "2026-03-09", "group_by": "team"},
        headers=admin_headers,
    )
    assert answer.status_code == 200, answer.text
    rows = {r["name"]: r for r in answer.json()["rows"]}
    assert set(rows) == {"payments", "platform", "storefront"}
    payments = rows["payments"]["current"]
    # Deploys: checkout v1, v2 and cart c1 (the redeploy of v1 is a rollback): 3.
    assert payments["deploys"] == 3
    assert payments["rolled_back"] == 1
    assert payments["change_failure_rate"] == pytest.approx(1 / 3)
    assert payments["recovery_minutes"] == 60
    assert rows["payments"]["previous"]["deploys"] == 1
    # A failed deploy and a staging one count in no figure.
    assert rows["storefront"]["current"]["deploys"] == 1
    assert rows["platform"]["current"]["deploys"] == 0
    assert rows["platform"]["current"]["change_failure_rate"] is None
    # Recovered in exactly an hour: not under an hour, so high rather than elite.
    assert rows["payments"]["tiers"]["recovery_time"] == "high"


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"from": "2026-03-09", "to": "2026-03-02"}, "must be after"),
        ({"from": "yesterday"}, "not an ISO 8601 time"),
        ({"team": "nobody"}, "unknown team"),
        ({"group_by": "person"}, "group_by"),
    ],
)
def test_bad_dora_questions_are_refused(
    client: TestClient, admin_headers: dict[str, str], params: dict[str, str], words: str
) -> None:
    answer = client.get("/api/v1/dora", params=params, headers=admin_headers)
    assert answer.status_code == 422
    assert words in answer.text
