"""DR tests end to end (SQLite and PostgreSQL): recorded from the API and the CLI with the
targets of the most critical service's tier (the examples' `dr_tiers:`), judged, their
follow-ups among the team's action items; refused with what is wrong; the report's readiness
per tier and overdue services, and the KPI table's DR readiness, as a hand count gives."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ninefold.auth.model import Role
from tests.factories import load_examples
from tests.integration.conftest import bearer
from tests.support.cli import ninefold
from tests.support.clock import FrozenClock

pytestmark = pytest.mark.pinned
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


@pytest.fixture
def env(tmp_path: Path, database_url: str, engine: Engine, clock: FrozenClock) -> dict[str, str]:
    clock.set(NOW)
    load_examples(engine, now=clock())
    return {"NINEFOLD_DATA_DIR": str(tmp_path), "NINEFOLD_DATABASE_URL": database_url}


def test_tests_recorded_are_judged_by_their_tier_and_make_the_report(
    env: dict[str, str], client: TestClient, engine: Engine, clock: FrozenClock
) -> None:
    priya = bearer(engine, "priya", Role.RESPONDER, clock())
    made = client.post(
        "/api/v1/dr-tests",
        json={
            "scenario": "Primary database lost",
            "kind": "failover",
            "services": ["cart", "checkout"],  # tiers 1 and 0: held to tier 0 (30m, 5m)
            "ran_on": "2026-11-02",
            "rto_measured": "35m",
            "rpo_measured": "0s",
            "evidence": ["https://wiki.example.com/dr/2026-11-02"],
            "participants": ["priya"],
            "follow_ups": [{"kind": "prevent", "title": "Automate the DNS switch"}],
        },
        headers=priya,
    )
    assert made.status_code == 201, made.text
    found = made.json()
    assert (found["tier"], found["rto_target"], found["rpo_target"]) == (0, "30m", "5m")
    assert (found["rto_met"], found["rpo_met"], found["passed"]) == (False, True, False)
    [item] = found["follow_ups"]
    assert (item["team"], item["due"], item["incident_id"]) == ("payments", "2026-12-20", None)
    items = client.get("/api/v1/action-items", params={"team": "payments"}, headers=priya).json()
    assert item["id"] in [i["id"] for i in items["items"]]

    by_cli = ninefold(
        "dr", "record", "Restore search index", "--kind", "restore", "--service", "search",
        "--rto", "3h", "--rpo", "2h", "--date", "2026-11-10", env=env, clock=clock,
    )  # fmt: skip
    assert by_cli.stdout == "DR test #2 (tier 2): pass: RTO 3h of 1d, RPO 2h of 1d\n"
    own_targets = {"scenario": "Checkout failover, relaxed", "kind": "tabletop",
                   "services": ["checkout"], "rto_target": "1h", "rpo_target": "5m",
                   "rto_measured": "35m", "rpo_measured": "5m", "ran_on": "2026-11-19"}  # fmt: skip
    third = client.post("/api/v1/dr-tests", json=own_targets, headers=priya).json()
    assert (third["tier"], third["passed"]) == (0, True)

    later = client.post(
        "/api/v1/dr-tests/1/action-items",
        json={"kind": "detect", "title": "Alert on replica lag", "due": "2026-12-01"},
        headers=priya,
    )
    assert later.status_code == 201, later.text
    again = client.get("/api/v1/dr-tests/1", headers=priya).json()
    assert [i["title"] for i in again["follow_ups"]] == [
        "Automate the DNS switch",
        "Alert on replica lag",
    ]
    listed = client.get("/api/v1/dr-tests", params={"service": "checkout"}, headers=priya).json()
    assert [t["id"] for t in listed["items"]] == [3, 1]
    assert listed["total"] == 2

    report = client.get("/api/v1/dr/report", headers=priya).json()
    tiers = {t["tier"]: t for t in report["tiers"]}
    assert (tiers[0]["tests"], tiers[0]["passed"], tiers[0]["readiness"]) == (2, 1, 0.5)
    assert (tiers[2]["readiness"], tiers[1]["readiness"]) == (1.0, None)
    assert (tiers[0]["rto"], tiers[2]["rto"], tiers[3]["test_every"]) == ("30m", "1d", None)
    # checkout passed on 2026-11-19 (due by 2027-02-17); payments, api-gateway, postgres never.
    assert sorted(tiers[0]["overdue_services"]) == ["api-gateway", "payments", "postgres"]
    standing = {s["service"]: s for s in report["services"]}
    assert (standing["checkout"]["last_pass"], standing["checkout"]["due"]) == (
        "2026-11-19",
        "2027-02-17",
    )
    assert standing["cart"]["last_test"] == "2026-11-02"
    assert standing["cart"]["overdue"] is True  # its one test failed
    assert standing["recommendations"]["due"] is None  # tier 3 requires none
    assert report["services"][0]["overdue"] is True  # overdue first

    kpis = client.get(
        "/api/v1/kpis", params={"from": "2026-11-01", "to": "2026-12-01"}, headers=priya
    ).json()
    [row] = [r for r in kpis["rows"] if r["key"] == "dr_readiness"]
    assert row["value"] == pytest.approx(2 / 3)
    shown = ninefold("dr", "report", "--from", "2026-11-01", env=env, clock=clock).stdout
    assert "DR tests from 2026-11-01 to 2026-11-21 (exclusive)" in shown
    assert "50%" in shown
    assert "api-gateway, payments, postgres" in shown


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"rto_measured": "35"}, 422, "'35' has no unit"),
        ({"rpo_target": "5"}, 422, "'5' has no unit"),
        ({"services": ["nowhere"]}, 422, "no service named 'nowhere'"),
        ({"participants": ["nobody"]}, 422, "no user named 'nobody'"),
        ({"ran_on": "2026-11-21"}, 422, "in the future"),
        ({"kind": "chaos"}, 422, "kind"),
        ({"follow_ups": [{"kind": "prevent", "title": "x", "owner": "ghost"}]}, 422, "ghost"),
    ],
)
def test_bad_tests_are_refused_saying_what_is_wrong_and_nothing_is_written(
    env: dict[str, str], client: TestClient, engine: Engine, clock: FrozenClock,
    change: dict[str, object], status: int, says: str,
) -> None:  # fmt: skip
    priya = bearer(engine, "priya", Role.RESPONDER, clock())
    body = {"scenario": "x", "kind": "failover", "services": ["checkout"],
            "rto_measured": "35m", "rpo_measured": "0s"} | change  # fmt: skip
    refused = client.post("/api/v1/dr-tests", json=body, headers=priya)
    assert refused.status_code == status, refused.text
    assert says in refused.text
    assert client.get("/api/v1/dr-tests", headers=priya).json()["total"] == 0
    assert client.get("/api/v1/action-items", headers=priya).json()["total"] == 0


def test_a_viewer_may_read_but_not_record(
    env: dict[str, str], client: TestClient, engine: Engine, clock: FrozenClock
) -> None:
    viewer = bearer(engine, "priya", Role.VIEWER, clock())
    body = {"scenario": "x", "kind": "failover", "services": ["checkout"],
            "rto_measured": "35m", "rpo_measured": "0s"}  # fmt: skip
    assert client.post("/api/v1/dr-tests", json=body, headers=viewer).status_code == 403
    assert client.get("/api/v1/dr/report", headers=viewer).status_code == 200
    missing = client.get("/api/v1/dr-tests/99", headers=viewer)
    assert (missing.status_code, "no DR test 99" in missing.text) == (404, True)
    bad = ninefold("dr", "record", "x", "--kind", "failover", "--service", "checkout", "--rto",
                   "35", "--rpo", "0s", env=env, clock=clock)  # fmt: skip
    assert bad.returncode != 0
    assert "has no unit" in bad.stderr
