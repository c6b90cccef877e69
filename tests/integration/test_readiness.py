"""Production readiness end to end (SQLite and PostgreSQL), judged on live records of the
example shop: a tier-0 service short of gold for want of a DR test, then for a late
postmortem and an overdue SEV1 action item; the rubric declared in the configuration; the
API, the pages and the CLI's exit status as a launch gate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.factories import EXAMPLES
from tests.integration.conftest import examples_environment
from tests.integration.test_web import log_in
from tests.support.cli import ninefold
from tests.support.clock import FrozenClock

pytestmark = pytest.mark.pinned
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # a Friday


@pytest.fixture
def env(tmp_path: Path, database_url: str, engine: Engine, clock: FrozenClock) -> dict[str, str]:
    clock.set(NOW)
    return examples_environment(tmp_path, database_url, engine, clock())


def checks(card: dict[str, object]) -> dict[str, tuple[bool, str]]:
    return {c["rule"]: (c["passed"], c["why"]) for c in card["checks"]}  # type: ignore[attr-defined, index]


def test_a_tier_0_service_reaches_gold_only_with_everything_in_place(
    env: dict[str, str], examples_api: TestClient, clock: FrozenClock
) -> None:
    card = examples_api.get("/api/v1/readiness/checkout").json()
    assert (card["tier"], card["level"], card["required"], card["meets_required"]) == (
        0, "silver", "gold", False,
    )  # fmt: skip
    found = checks(card)
    assert found["dr_test"] == (False, "never passed a DR test")
    assert found["owner"] == (True, "owned by payments (2 members)")
    assert found["slo"][0] is True
    assert "availability" in found["slo"][1]
    assert found["on_call"][0] is True
    assert [c for c, (ok, _) in found.items() if not ok] == ["dr_test"]
    gate = ninefold("readiness", "checkout", env=env, clock=clock)
    assert gate.returncode == 1
    assert "FAIL gold/dr_test: never passed a DR test." in gate.stdout

    dr = {"scenario": "Primary database lost", "kind": "failover", "services": ["checkout"],
          "ran_on": "2026-11-02", "rto_measured": "20m", "rpo_measured": "0s"}  # fmt: skip
    assert examples_api.post("/api/v1/dr-tests", json=dr).status_code == 201
    card = examples_api.get("/api/v1/readiness/checkout").json()
    assert (card["level"], card["meets_required"], card["passed"]) == ("gold", True, 9)
    assert checks(card)["dr_test"] == (
        True,
        "passed a DR test on 2026-11-02, next due by 2027-01-31",
    )
    assert ninefold("readiness", "checkout", env=env, clock=clock).returncode == 0

    # A SEV1 resolved two weeks ago: its postmortem was due 5 business days later and was
    # not reviewed; its action item was due yesterday.
    clock.set(NOW - timedelta(days=14))
    incident = examples_api.post(
        "/api/v1/incidents",
        json={"title": "Checkout down", "severity": "SEV1", "services": ["checkout"]},
    ).json()
    status = f"/api/v1/incidents/{incident['id']}/status"
    assert examples_api.post(status, json={"status": "resolved"}).status_code == 200
    item = {"kind": "prevent", "title": "Add a circuit breaker", "due": "2026-11-19"}
    made = examples_api.post(f"/api/v1/incidents/{incident['id']}/action-items", json=item).json()
    clock.set(NOW)
    card = examples_api.get("/api/v1/readiness/checkout").json()
    found = checks(card)
    assert found["postmortems_on_time"] == (
        False,
        f"postmortems not reviewed by their deadline: incidents #{incident['id']}",
    )
    assert found["no_overdue_sev1_action_items"] == (
        False,
        f"overdue action items of SEV1 incidents: #{made['id']}",
    )
    assert (card["level"], card["meets_required"]) == ("silver", False)
    below = examples_api.get(
        "/api/v1/readiness", params={"below_required": "true", "tier": 0}
    ).json()
    assert "checkout" in [c["service"] for c in below["items"]]
    assert all(c["tier"] == 0 and not c["meets_required"] for c in below["items"])
    done = examples_api.patch(f"/api/v1/action-items/{made['id']}", json={"status": "done"})
    assert done.status_code == 200
    assert checks(examples_api.get("/api/v1/readiness/checkout").json())[
        "no_overdue_sev1_action_items"
    ][0]


def test_the_rubric_declared_replaces_the_built_in_one(
    env: dict[str, str], examples_api: TestClient, clock: FrozenClock, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    for name in ("users.yaml", "teams.yaml", "services.yaml"):
        (config / name).write_text((EXAMPLES / name).read_text())
    (config / "readiness.yaml").write_text(
        "readiness_levels:\n"
        "  - name: launch\n"
        "    rules: [owner, dashboard]\n"
        "    required_for_tiers: [0, 1, 2, 3]\n"
    )
    applied = ninefold("apply", config, env=env, clock=clock)
    assert applied.returncode == 0, applied.stderr
    levels = examples_api.get("/api/v1/readiness/levels").json()["items"]
    assert levels == [
        {"name": "launch", "rules": ["owner", "dashboard"], "required_for_tiers": [0, 1, 2, 3]}
    ]
    grid = ninefold("readiness", env=env, clock=clock)
    assert grid.returncode == 1  # recommendations has no dashboard
    assert grid.stdout.splitlines()[-1].startswith("below the level required: ")
    assert "recommendations" in grid.stdout.splitlines()[-1]
    assert "checkout" not in grid.stdout.splitlines()[-1]
    card = examples_api.get("/api/v1/readiness/checkout").json()
    assert (card["level"], card["rules"]) == ("launch", 2)

    for text, says in (
        ("  - name: launch\n    rules: [owner, dashbord]\n",
         "readiness.yaml:3: readiness_levels[0].rules[1]: unknown rule 'dashbord'; the rules are:"),
        ("  - name: launch\n    rules: [owner]\n  - name: later\n    rules: [slo, owner]\n",
         "readiness.yaml:5: readiness_levels[1].rules[1]: rule 'owner' is in level 'launch'"),
    ):  # fmt: skip
        (config / "readiness.yaml").write_text("readiness_levels:\n" + text)
        refused = ninefold("check", config, env=env, clock=clock)
        assert refused.returncode == 1
        assert says in refused.stdout + refused.stderr


def test_the_grid_and_the_checklist_pages(
    env: dict[str, str], examples_api: TestClient, engine: Engine, clock: FrozenClock
) -> None:
    browser = TestClient(examples_api.app)
    log_in(browser, "ada")
    grid = browser.get("/readiness")
    assert grid.status_code == 200
    assert '<tr data-service="checkout">' in grid.text
    assert 'data-rule="dr_test" title="never passed a DR test"' in grid.text
    checklist = browser.get("/readiness/recommendations").text
    assert 'data-rule="dashboard" data-passed="false"' in checklist
    assert "To do: Add a dashboards: link in services.yaml." in checklist
    assert browser.get("/readiness/nowhere").status_code == 404
    assert 'id="service-readiness"' in browser.get("/services/checkout").text
    assert examples_api.get("/api/v1/readiness/nowhere").status_code == 404
