"""Toil end to end (SQLite and PostgreSQL): logged from the API and the CLI, refused with what
is wrong, automations applied from the examples and their runs recorded once per external id;
the report's toil ratio per team, top categories and hours saved as a hand count gives."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ninefold.auth.model import Role
from ninefold.conventions import CSRF_FORM_FIELD
from tests.factories import load_examples, make_user
from tests.integration.conftest import bearer
from tests.integration.test_web import csrf_token, log_in
from tests.support.cli import ninefold
from tests.support.clock import FrozenClock

pytestmark = pytest.mark.pinned
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # in 2026-Q4: October 1 to January 1, 92 days


@pytest.fixture
def env(tmp_path: Path, database_url: str, engine: Engine, clock: FrozenClock) -> dict[str, str]:
    clock.set(NOW)
    load_examples(engine, now=clock())
    return {"NINEFOLD_DATA_DIR": str(tmp_path), "NINEFOLD_DATABASE_URL": database_url}


def test_toil_logged_and_automated_makes_the_report_a_hand_count_gives(
    env: dict[str, str], client: TestClient, engine: Engine, clock: FrozenClock
) -> None:
    jonas = bearer(engine, "jonas", Role.RESPONDER, clock())  # of platform
    made = client.post(
        "/api/v1/toil",
        json={"task": "rotate certificates", "duration": "1h30m", "category": "certificates"},
        headers=jonas,
    )
    assert made.status_code == 201, made.text
    assert (made.json()["team"], made.json()["person"], made.json()["day"]) == (
        "platform",
        "jonas",
        "2026-11-20",
    )
    for body in (
        {"task": "grant dashboard access", "duration": "2h", "category": "access",
         "day": "2026-10-02"},
        {"task": "restart stuck consumer", "duration": "30m", "category": "restarts",
         "day": "2026-09-30"},  # the quarter before
    ):  # fmt: skip
        assert client.post("/api/v1/toil", json=body, headers=jonas).status_code == 201
    logged = ninefold(
        "toil", "log", "3h", "renew vendor API keys", "--category", "certificates",
        "--person", "priya", env=env, clock=clock,
    )  # fmt: skip
    assert (
        logged.stdout == "logged 180 min of certificates toil for priya (payments) on 2026-11-20\n"
    )

    runs = [
        client.post("/api/v1/automations/cert-renewal/runs", json={"external_id": key}, headers=jonas)
        for key in ("job-1", "job-2", "job-1")
    ]  # fmt: skip
    assert [r.status_code for r in runs] == [201, 201, 200]
    assert runs[2].json()["id"] == runs[0].json()["id"]
    by_cli = ninefold("toil", "run", "access-requests-bot", env=env, clock=clock)
    assert by_cli.stdout == "recorded: access-requests-bot saved 0.25 h\n"

    report = client.get("/api/v1/toil/report", headers=jonas).json()
    assert (report["start"], report["end"]) == ("2026-10-01", "2027-01-01")
    teams = {t["team"]: t for t in report["teams"]}
    # platform: 1.5 h + 2 h of toil (September's is the quarter before) against 3 members x
    # 40 h x 92/7 weeks; payments: 3 h against 2 members; storefront: none.
    weeks = 92 / 7
    assert teams["platform"]["toil_hours"] == 3.5
    assert teams["platform"]["ratio"] == pytest.approx(3.5 / (3 * 40 * weeks))
    assert teams["payments"]["ratio"] == pytest.approx(3 / (2 * 40 * weeks))
    assert teams["storefront"]["ratio"] == 0.0
    assert [(c["category"], c["hours"]) for c in report["categories"]] == [
        ("certificates", 4.5),
        ("access", 2.0),
    ]
    assert report["hours_saved"] == {"2026-11": 1.25}  # two cert renewals and the bot's run
    printed = ninefold("toil", "report", "--quarter", "2026-Q4", "--team", "platform", env=env)
    assert "toil from 2026-10-01 to 2027-01-01 (exclusive)" in printed.stdout
    assert "0.2%" in printed.stdout  # 3.5 / 1577.1
    assert "saved by automation in 2026-11: 1 h" in printed.stdout  # its two renewals


@pytest.mark.parametrize(
    ("body", "status", "said"),
    [
        ({"task": "x", "duration": "-30m", "category": "access"}, 422, "malformed duration"),
        ({"task": "x", "duration": "26h", "category": "access"}, 422, "more than a day"),
        ({"task": "x", "duration": "30", "category": "access"}, 422, "has no unit"),
        ({"task": "x", "duration": "1h", "category": "access", "team": "nope"}, 422, "no team"),
        ({"task": "x", "duration": "1h", "category": "access", "day": "2026-12-01"}, 422,
         "in the future"),
        ({"task": "x", "duration": "1h", "category": "access", "person": "priya"}, 403,
         "own toil only"),
        ({"task": "", "duration": "1h", "category": "access"}, 422, "task"),
    ],
)  # fmt: skip
def test_bad_toil_is_refused_saying_what_is_wrong(
    env: dict[str, str],
    client: TestClient,
    engine: Engine,
    clock: FrozenClock,
    body: dict[str, str],
    status: int,
    said: str,
) -> None:
    jonas = bearer(engine, "jonas", Role.RESPONDER, clock())
    answer = client.post("/api/v1/toil", json=body, headers=jonas)
    assert answer.status_code == status
    assert said in answer.text
    assert client.get("/api/v1/toil", headers=jonas).json()["total"] == 0


def test_the_cli_refuses_a_person_of_two_teams_or_none_and_an_unknown_automation(
    env: dict[str, str], engine: Engine, clock: FrozenClock
) -> None:
    make_user(engine, "solo", Role.RESPONDER, now=clock())
    teamless = ninefold(
        "toil", "log", "1h", "x", "--category", "access", "--person", "solo", env=env, clock=clock
    )
    assert (teamless.returncode, teamless.stderr) == (
        1,
        "error: solo is in no team: say which team the toil is for (team)\n",
    )
    missing = ninefold("toil", "run", "nope", env=env, clock=clock)
    assert (missing.returncode, missing.stderr) == (1, "error: no automation 'nope'\n")
    quarter = ninefold("toil", "report", "--quarter", "Q4", env=env, clock=clock)
    assert quarter.returncode == 2
    assert "write a quarter as 2026-Q4" in quarter.stderr


def test_the_page_logs_toil_and_shows_the_ratio_and_categories(
    env: dict[str, str], client: TestClient, engine: Engine, clock: FrozenClock
) -> None:
    make_user(engine, "tess", Role.RESPONDER, now=clock())
    assert log_in(client, "tess").status_code == 303
    form = {
        CSRF_FORM_FIELD: csrf_token(client, "/toil"),
        "task": "purge <b>cache</b>",
        "duration": "1h",
        "category": "cache",
        "team": "storefront",
    }
    done = client.post("/toil", data=form, follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, "/toil?done=logged")
    page = client.get("/toil?done=logged").text
    assert "Toil logged." in page
    assert "purge &lt;b&gt;cache&lt;/b&gt;" in page
    # 1 h against 3 members x 40 h x 92/7 weeks: 0.06%.
    assert re.search(r'data-team="storefront">.*?<td>0\.1%</td>', page, re.S)
    assert '<text x="0" y="16" font-size="12">cache</text>' in page
    bad = client.post("/toil", data={**form, "duration": "90"}, follow_redirects=False)
    assert bad.status_code == 422
    assert "has no unit" in bad.text
