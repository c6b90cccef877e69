"""Capacity end to end (SQLite and PostgreSQL) on the examples' files: the forecasts from the
CLI and the API (the disk crosses its threshold in 28 days, each more accurate than the
seasonal-naive forecast), the pages; CSV and Parquet files refused at the line that is wrong,
a gappy series and a short one refused, `ninefold check` on a resource's file and query."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.factories import EXAMPLES
from tests.integration.conftest import examples_environment
from tests.integration.test_web import log_in
from tests.support.cli import ninefold
from tests.support.clock import FrozenClock

pytestmark = pytest.mark.pinned
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def env(tmp_path: Path, database_url: str, engine: Engine, clock: FrozenClock) -> dict[str, str]:
    clock.set(NOW)
    return examples_environment(tmp_path, database_url, engine, clock())


def test_the_examples_forecasts_from_the_cli_the_api_and_the_pages(
    env: dict[str, str], examples_api: TestClient, clock: FrozenClock
) -> None:
    shown = ninefold("capacity", "forecast", env=env, clock=clock)
    assert shown.returncode == 0, shown.stderr
    [disk] = [line for line in shown.stdout.splitlines() if "orders-db-disk" in line]
    assert "369.2 GiB (2026-11-30 00:00)" in disk
    assert "400 GiB" in disk
    assert "28 days" in disk
    [cpu] = [line for line in shown.stdout.splitlines() if "checkout-cpu" in line]
    assert "not within 30 days" in cpu

    listed = examples_api.get("/api/v1/resources", params={"service": "postgres"}).json()
    assert [r["name"] for r in listed["items"]] == ["orders-db-disk"]
    found = examples_api.get(
        "/api/v1/resources/orders-db-disk/forecast", params={"days": 60}
    ).json()
    assert (found["threshold"], found["days_until_threshold"]) == (400, 28)
    assert found["crossing_at"] == "2026-12-28T00:00:00Z"
    assert found["last"] == {"at": "2026-11-30T00:00:00Z", "value": 369.2}
    assert len(found["history"]) == 182
    assert len(found["forecast"]) == 60
    assert found["forecast"][0]["at"] == "2026-12-01T00:00:00Z"
    accuracy = found["accuracy"]
    assert (accuracy["metric"], accuracy["held_out"]) == ("MAPE", 7)
    assert accuracy["model"] < accuracy["seasonal_naive"]
    values = sorted(p["value"] for p in found["history"])
    # Rank 0.95 x 181 = 171.95 of 0..181: between the 172nd and 173rd smallest.
    assert found["p95"] == pytest.approx(values[171] + 0.95 * (values[172] - values[171]))
    assert found["headroom"] == pytest.approx((500 - found["p95"]) / 500)
    assert examples_api.get("/api/v1/resources/nowhere/forecast").status_code == 404
    assert examples_api.get("/api/v1/resources/orders-db-disk/forecast?days=0").status_code == 422

    browser = TestClient(examples_api.app)
    log_in(browser, "ada")
    page = browser.get("/capacity").text
    assert '<tr data-resource="orders-db-disk">' in page
    assert '<span class="badge">28 days</span>' in page
    detail = browser.get("/capacity/orders-db-disk").text
    assert 'aria-label="orders-db-disk: utilisation in GiB and forecast"' in detail
    assert "Forecast to cross 400 GiB in 28 days, on 2026-12-28 00:00 UTC." in detail


def _config(tmp_path: Path, resource: str) -> Path:
    config = tmp_path / "config"
    (config / "capacity").mkdir(parents=True)
    for name in ("users.yaml", "teams.yaml", "services.yaml"):
        (config / name).write_text((EXAMPLES / name).read_text())
    (config / "resources.yaml").write_text("resources:\n" + resource)
    return config


DISK = """  - name: disk
    service: postgres
    kind: disk
    unit: GiB
    limit: 100
    step: 1h
    season: 1d
    file: capacity/disk.{suffix}
"""


def _csv(rows: list[str]) -> str:
    return "time,value\n" + "".join(f"{row}\n" for row in rows)


def _hours(n: int, skip: set[int] = frozenset()) -> list[str]:  # type: ignore[assignment]
    return [
        f"{1_780_000_000 // 3600 * 3600 + 3600 * k},{40 + k % 24}"
        for k in range(n)
        if k not in skip
    ]


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        (["2026-05-01T00:00:00Z,1", "yesterday,2"], "disk.csv:3: time 'yesterday' is neither ISO 8601 nor epoch seconds"),
        (["2026-05-01T00:00:00Z,1", "2026-05-01T01:00:00Z,lots"], "disk.csv:3: value 'lots' is not a number"),
        (_hours(80, skip={30, 31, 32, 33}), "4 points missing after 2026-05-30T01:00:00Z"),
        (_hours(50), "the series has 50 points; a forecast needs 3 seasons of 24 (72)"),
        ([*_hours(80)[:10], _hours(80)[9], *_hours(80)[10:]], "two points at 2026-05-29T05:00:00Z"),
    ],
)  # fmt: skip
def test_a_file_that_would_make_a_wrong_forecast_is_refused_saying_where(
    env: dict[str, str], clock: FrozenClock, tmp_path: Path, rows: list[str], says: str
) -> None:
    config = _config(tmp_path, DISK.format(suffix="csv"))
    (config / "capacity" / "disk.csv").write_text(_csv(rows))
    assert ninefold("apply", config, env=env, clock=clock).returncode == 0
    refused = ninefold("capacity", "forecast", "disk", "--config", config, env=env, clock=clock)
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: resource disk: ")
    assert says in refused.stderr


def test_a_parquet_file_with_gaps_filled_forecasts_like_its_csv(
    env: dict[str, str], clock: FrozenClock, tmp_path: Path
) -> None:
    config = _config(tmp_path, DISK.format(suffix="parquet"))
    csv = tmp_path / "disk.csv"
    csv.write_text(_csv(_hours(24 * 5, skip={50, 51})))
    with duckdb.connect() as db:
        # Written as a service's exporter would: a TIMESTAMP column and a DOUBLE one.
        parquet = config / "capacity" / "disk.parquet"
        copy = (
            "COPY (SELECT to_timestamp(CAST(time AS DOUBLE)) AS time, "  # noqa: S608 (paths of this test)
            f"CAST(value AS DOUBLE) AS value FROM read_csv('{csv}', all_varchar = true)) "
            f"TO '{parquet}' (FORMAT parquet)"
        )
        db.execute(copy)
    assert ninefold("apply", config, env=env, clock=clock).returncode == 0
    shown = ninefold("capacity", "forecast", "disk", "--config", config, env=env, clock=clock)
    assert shown.returncode == 0, shown.stderr
    # 40 + k % 24 for 120 hours, the two missing ones filled in as they were: each of 40..63
    # five times, so the P95 (rank 0.95 x 119 = 113.05 of 0..119) is 62: 38% headroom.
    assert "│ 38.0%" in shown.stdout


def test_check_finds_a_missing_file_and_a_query_that_is_not_promql(
    env: dict[str, str], clock: FrozenClock, tmp_path: Path
) -> None:
    config = _config(
        tmp_path,
        DISK.format(suffix="csv")
        + "  - name: conns\n    service: nowhere\n    kind: connections\n    unit: connections\n"
        "    limit: 200\n    query: sum(pg_stat_activity_count\n",
    )
    found = ninefold("check", config, env=env, clock=clock)
    assert found.returncode == 1
    said = found.stdout + found.stderr
    assert f"resources.yaml:9: resources[0].file: no file capacity/disk.csv in {config}" in said
    assert "resources.yaml:11: resources[1].service: no service named 'nowhere'" in said
    assert "resources.yaml:15: resources[1].query: not PromQL" in said
