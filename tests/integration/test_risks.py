"""The risk register end to end (SQLite and PostgreSQL): the examples' risks applied, listed
highest score first with what is overdue, reviewed from the CLI, the API and the page's form;
added and changed through the API; the heat map; bad risks refused with what is wrong."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ninefold.auth.model import Role
from ninefold.conventions import CSRF_FORM_FIELD
from tests.factories import EXAMPLES, load_examples, make_user
from tests.integration.conftest import bearer
from tests.integration.test_web import csrf_token, log_in
from tests.support.cli import ninefold
from tests.support.clock import FrozenClock

pytestmark = pytest.mark.pinned
DECLARED = datetime(2026, 8, 20, 12, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # 104 days later: past a quarter's review


@pytest.fixture
def env(tmp_path: Path, database_url: str, engine: Engine, clock: FrozenClock) -> dict[str, str]:
    clock.set(DECLARED)
    load_examples(engine, now=clock())
    clock.set(NOW)
    return {"NINEFOLD_DATA_DIR": str(tmp_path), "NINEFOLD_DATABASE_URL": database_url}


def test_the_register_its_overdue_flags_and_reviews(
    env: dict[str, str], client: TestClient, engine: Engine, clock: FrozenClock
) -> None:
    priya = bearer(engine, "priya", Role.RESPONDER, clock())
    found = client.get("/api/v1/risks", headers=priya).json()
    assert [(r["name"], r["score"]) for r in found["items"]] == [
        ("payment-provider-outage", 12),
        ("single-region-db", 10),
        ("kafka-disk-full", 9),
        ("search-reindex-load", 8),
        ("cert-expiry", 6),
    ]
    risks = {r["name"]: r for r in found["items"]}
    provider = risks["payment-provider-outage"]
    assert (provider["band"], provider["review_due"], provider["last_review"]) == (
        "medium", "2026-11-19", None,
    )  # fmt: skip
    assert (provider["review_overdue"], provider["mitigation_overdue"]) == (True, True)
    assert risks["single-region-db"]["mitigation_overdue"] is False  # due 2027-03-31
    assert risks["cert-expiry"]["review_overdue"] is False  # every 26 weeks
    assert risks["kafka-disk-full"]["review_overdue"] is False  # closed
    overdue = client.get("/api/v1/risks", params={"overdue": "true"}, headers=priya).json()
    assert [r["name"] for r in overdue["items"]] == [
        "payment-provider-outage", "single-region-db", "search-reindex-load",
    ]  # fmt: skip

    made = client.post(
        "/api/v1/risks/payment-provider-outage/reviews",
        json={"note": "second provider contract signed"},
        headers=priya,
    )
    assert made.status_code == 201, made.text
    assert made.json()["reviewed_by"] == "priya"
    again = client.get("/api/v1/risks/payment-provider-outage", headers=priya).json()
    assert (again["last_review"], again["review_due"], again["review_overdue"]) == (
        "2026-12-02", "2027-03-03", False,
    )  # fmt: skip
    by_cli = ninefold("risk", "review", "single-region-db", "--note", "replica lag ok",
                      env=env, clock=clock)  # fmt: skip
    assert by_cli.stdout == "reviewed single-region-db; next review due 2027-03-03\n"
    listed = ninefold("risk", "list", "--overdue", env=env, clock=clock).stdout
    assert "search-reindex-load" in listed
    assert "single-region-db" not in listed
    assert "payment-provider-outage" in listed  # its mitigation still is

    heat = client.get("/api/v1/risk-heat-map", headers=priya).json()["cells"]
    assert heat[2][3] == ["payment-provider-outage"]  # likelihood 3, impact 4
    assert heat[2][2] == []  # kafka-disk-full is closed
    counts = ninefold("risk", "heatmap", env=env, clock=clock).stdout
    assert "│ 3                   │ . │ . │ . │ 1 │ . │" in counts


def test_risks_added_and_changed_through_the_api_and_refused_when_wrong(
    env: dict[str, str], client: TestClient, engine: Engine, clock: FrozenClock
) -> None:
    priya = bearer(engine, "priya", Role.RESPONDER, clock())
    body = {"name": "dns-provider", "title": "DNS provider outage", "likelihood": 2,
            "impact": 5, "owner": "priya", "due": "2027-01-15"}  # fmt: skip
    made = client.post("/api/v1/risks", json=body, headers=priya)
    assert made.status_code == 201, made.text
    assert (made.json()["score"], made.json()["band"]) == (10, "medium")
    assert client.post("/api/v1/risks", json=body, headers=priya).status_code == 409
    changed = client.patch(
        "/api/v1/risks/dns-provider", json={"likelihood": 4, "status": "mitigating"}, headers=priya
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["score"], changed.json()["band"]) == (20, "high")
    for bad, says in (
        ({"likelihood": 6}, "less than or equal to 5"),
        ({"impact": 0}, "greater than or equal to 1"),
        ({"owner": "ghost"}, "no user 'ghost'"),
        ({"service": "nowhere"}, "no service 'nowhere'"),
    ):
        refused = client.post("/api/v1/risks", json=body | {"name": "x"} | bad, headers=priya)
        assert refused.status_code == 422, refused.text
        assert says in refused.text
    viewer = bearer(engine, "maria", Role.VIEWER, clock())
    assert (
        client.post("/api/v1/risks/dns-provider/reviews", json={}, headers=viewer).status_code
        == 403
    )
    assert client.get("/api/v1/risks/nowhere", headers=viewer).status_code == 404


def test_check_refuses_a_likelihood_out_of_range_at_its_line(
    env: dict[str, str], clock: FrozenClock, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    for name in ("users.yaml", "teams.yaml", "services.yaml"):
        (config / name).write_text((EXAMPLES / name).read_text())
    (config / "risks.yaml").write_text(
        "risks:\n  - name: a\n    title: t\n    likelihood: 7\n    impact: 2\n    owner: jonas\n"
        "  - name: b\n    title: t\n    likelihood: 2\n    impact: 2\n    owner: nobody\n"
    )
    found = ninefold("check", config, env=env, clock=clock)
    said = found.stdout + found.stderr
    assert found.returncode == 1
    assert "risks.yaml:4: risks[0].likelihood: Input should be less than or equal to 5" in said
    assert "risks.yaml:11: risks[1].owner: no user named 'nobody'" in said


def test_the_page_shows_the_heat_map_and_records_a_review(
    env: dict[str, str], client: TestClient, engine: Engine, clock: FrozenClock
) -> None:
    make_user(engine, "ada", Role.ADMIN, now=clock())
    log_in(client, "ada")
    page = client.get("/risks").text
    assert '<td class="band-medium" data-cell="3x4" title="payment-provider-outage">1</td>' in page
    assert page.count('<span class="badge">review overdue</span>') == 3
    token = csrf_token(client)
    sent = client.post(
        "/risks/search-reindex-load/reviews",
        data={"note": "batched", CSRF_FORM_FIELD: token},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    after = client.get(sent.headers["location"]).text
    assert "Review of search-reindex-load recorded." in after
    assert after.count('<span class="badge">review overdue</span>') == 2
