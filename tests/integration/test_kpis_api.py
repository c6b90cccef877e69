"""The KPI table through the API and the CLI (SQLite and PostgreSQL): figures from what was
recorded, the records behind each, and the refusals."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ninefold.auth.model import Role
from tests.factories import make_user
from tests.integration.test_web import log_in, parse
from tests.support.cli import ninefold
from tests.support.clock import FrozenClock

pytestmark = pytest.mark.pinned
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
MARCH = {"from": "2026-03-01", "to": "2026-04-01"}


@pytest.fixture
def api(client: TestClient, admin_headers: dict[str, str], clock: FrozenClock) -> TestClient:
    """Two incidents of March and one of February, with their instants."""
    clock.set(datetime(2026, 4, 2, tzinfo=UTC))
    client.headers.update(admin_headers)
    for start, minutes, service in (
        (T0 - timedelta(days=25), 100, "checkout"),
        (T0, 80, "checkout"),
        (T0 + timedelta(days=3), 40, "search"),
    ):
        number = client.post(
            "/api/v1/incidents",
            json={
                "title": "x",
                "severity": "SEV2",
                "services": [service],
                "impact_start": start.isoformat(),
            },
        ).json()["id"]
        end = (start + timedelta(minutes=minutes)).isoformat()
        client.patch(
            f"/api/v1/incidents/{number}/instants", json={"mitigated": end, "resolved": end}
        )
    return client


def rows(answer: Any) -> dict[str, Any]:
    return {row["key"]: row for row in answer["rows"]}


def test_march_against_february_with_the_incidents_behind_the_figure(api: TestClient) -> None:
    """March: incidents 2 (80 min) and 3 (40 min), mean 60. The period before is the 31 days
    before March (from 29 January), holding incident 1 (100 min): -40%."""
    answer = api.get("/api/v1/kpis", params=MARCH).json()
    assert (answer["start"], answer["previous_start"]) == (
        "2026-03-01T00:00:00Z",
        "2026-01-29T00:00:00Z",
    )
    assert answer["partial"] is False
    mttr = rows(answer)["mttr"]
    assert (mttr["value"], mttr["previous"], mttr["change"], mttr["meets"]) == (
        60.0,
        100.0,
        -0.4,
        True,
    )
    assert mttr["counted"] == ["2", "3"]
    assert rows(answer)["mtta_p50"]["value"] is None  # no pages: no data, not 0
    search = rows(api.get("/api/v1/kpis", params={**MARCH, "team": "storefront"}).json())
    assert (search["mttr"]["value"], search["mttr"]["counted"]) == (40.0, ["3"])


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"from": "2026-04-01", "to": "2026-03-01"}, "to", "must be after from"),
        ({**MARCH, "team": "nobody"}, "team", "unknown team 'nobody'"),
        ({**MARCH, "service": "nope"}, "service", "unknown service 'nope'"),
        ({**MARCH, "tier": "7"}, "tier", "less than or equal to 3"),
    ],
)
def test_bad_questions_are_refused_naming_the_parameter(
    api: TestClient, params: dict[str, str], field: str, words: str
) -> None:
    answer = api.get("/api/v1/kpis", params=params)
    assert answer.status_code == 422
    assert words in answer.text
    assert field in answer.text


def test_a_period_that_has_not_ended_is_marked_partial(api: TestClient) -> None:
    answer = api.get("/api/v1/kpis", params={"from": "2026-04-01", "to": "2026-05-01"}).json()
    assert answer["partial"] is True


def test_the_cli_prints_the_same_table_as_json_csv_and_text(
    api: TestClient, tmp_path: Path, database_url: str, clock: FrozenClock
) -> None:
    env = {"NINEFOLD_DATA_DIR": str(tmp_path), "NINEFOLD_DATABASE_URL": database_url}
    args = ("kpi", "--from", "2026-03-01", "--to", "2026-04-01")
    as_json = ninefold(*args, "--format", "json", env=env, clock=clock)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == api.get("/api/v1/kpis", params=MARCH).json()
    as_csv = ninefold(*args, "--format", "csv", env=env, clock=clock).stdout.splitlines()
    assert as_csv[0] == "key,title,unit,value,previous,change,target,meets,records"
    assert "mttr,Time to recover (mean),minutes,60.0,100.0,-0.4,change ≤ -15%,True,2" in as_csv
    text = ninefold(*args, env=env, clock=clock).stdout
    assert "KPIs of all services, 2026-03-01 00:00 to 2026-04-01 00:00 UTC" in text


def test_targets_from_the_configuration_replace_the_defaults_and_bad_ones_are_named(
    api: TestClient, tmp_path: Path, database_url: str, clock: FrozenClock
) -> None:
    """mttr fell 40%: it meets the default (down 15%), not a target of down 50%."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "kpis.yaml").write_text(
        "kpi_targets:\n  - name: mttr\n    change_at_most: -0.5\n  - name: happiness\n    at_least: 1\n"
    )
    env = {"NINEFOLD_DATA_DIR": str(tmp_path), "NINEFOLD_DATABASE_URL": database_url}
    checked = ninefold("check", config, env=env, clock=clock)
    assert checked.returncode == 1
    assert (
        "kpis.yaml:4: kpi_targets[1].name: no KPI named 'happiness'; KPIs: mttd,"
        in checked.stdout + checked.stderr
    )
    (config / "kpis.yaml").write_text("kpi_targets:\n  - name: mttr\n    change_at_most: -0.5\n")
    args = (
        "--config",
        config,
        "kpi",
        "--from",
        "2026-03-01",
        "--to",
        "2026-04-01",
        "--format",
        "json",
    )
    found = rows(json.loads(ninefold(*args, env=env, clock=clock).stdout))
    assert (found["mttr"]["target"], found["mttr"]["meets"]) == ("change ≤ -50%", False)
    assert found["mttd"]["target"] == "≤ 10 minutes"  # the default stands


def test_the_kpi_page_links_each_figure_to_its_records(
    api: TestClient, engine: Engine, clock: FrozenClock
) -> None:
    make_user(engine, "ada", Role.VIEWER, now=clock())
    with TestClient(api.app) as browser:
        assert log_in(browser, "ada").status_code == 303
        page = parse(browser.get("/kpis?from=2026-03-01&to=2026-04-01"))
        row = page.one("tr", **{"data-kpi": "mttr"})
        assert "60.0 minutes" in row.text
        assert "2 incidents" in row.text
        # The chart: six 31-day periods, no data until the one of February's 100 min, then
        # March's 60 in green (it meets its target), and the target line at 100 x (1 - 15%).
        bars = [r.one("title").text for r in row.find_all("rect")]
        assert bars == [
            *(
                f"{day}: no data"
                for day in ("2025-09-27", "2025-10-28", "2025-11-28", "2025-12-29")
            ),
            "2026-01-29: 100.0 minutes",
            "2026-03-01: 60.0 minutes",
        ]
        assert row.find_all("rect")[-1].attrs["fill"] == "#2e7d32"
        assert row.one("line").one("title").text == "target: change ≤ -15%"
        link = row.find_all("a")[0].attrs["href"]
        assert link == "/kpis/mttr?from=2026-03-01&to=2026-04-01"
        records = parse(browser.get(link))
        counted = [a.attrs["href"] for a in records.one("ul", id="counted").find_all("a")]
        assert counted == ["/incidents/2", "/incidents/3"]
        detect = parse(browser.get("/kpis/mttd?from=2026-03-01&to=2026-04-01"))
        assert "Nothing left out." in detect.text
        assert browser.get("/kpis/happiness").status_code == 404


def test_each_figure_says_what_it_is_made_of_and_severity_narrows_the_incidents(
    api: TestClient, tmp_path: Path, database_url: str, clock: FrozenClock
) -> None:
    """mttr over 80 and 40 minutes: count 2, mean 60, P50 60, P90 40 + 0.9 x 40 = 76. All
    three incidents are SEV2: SEV1 has no data."""
    found = rows(api.get("/api/v1/kpis", params=MARCH).json())
    assert found["mttr"]["details"] == {"count": 2, "mean": 60.0, "p50": 60.0, "p90": 76.0}
    assert found["recurrence_rate"]["details"] == {"numerator": 0, "denominator": 2}
    assert (found["recurrence_rate"]["counted"], found["recurrence_rate"]["hits"]) == (
        ["2", "3"],
        [],
    )
    assert found["incident_rate"]["details"] == {"SEV1": 0, "SEV2": 2, "SEV3": 0, "SEV4": 0}
    sev1 = api.get("/api/v1/kpis", params={**MARCH, "severity": "SEV1"}).json()
    assert sev1["selection"] == "all services, SEV1 incidents"
    assert rows(sev1)["mttr"]["value"] is None
    assert api.get("/api/v1/kpis", params={**MARCH, "severity": "SEV9"}).status_code == 422
    env = {"NINEFOLD_DATA_DIR": str(tmp_path), "NINEFOLD_DATABASE_URL": database_url}
    wrong = ninefold("kpi", "--severity", "SEV9", env=env, clock=clock)
    assert (wrong.returncode, wrong.stderr) == (
        1,
        "error: --severity must be SEV1 to SEV4, not 'SEV9'\n",
    )
