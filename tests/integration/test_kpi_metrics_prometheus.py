"""The KPIs on /metrics, scraped by a real Prometheus: every panel of `ninefold kpi
dashboard` queries series that exist, with the figures of the KPI table; promtool finds
nothing to say about the exposition."""

from __future__ import annotations

import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from ninefold.reports.catalogue import CATALOGUE
from ninefold.reports.dashboard import dashboard
from tests.integration.prometheus_server import PROMTOOL, running_prometheus
from tests.support.clock import FrozenClock
from tests.support.live_server import serving

pytestmark = [
    pytest.mark.pinned,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
NOW = datetime(2026, 4, 2, tzinfo=UTC)


@pytest.fixture
def api(client: TestClient, admin_headers: dict[str, str], clock: FrozenClock) -> TestClient:
    """Two incidents in the 30 days before NOW: checkout (payments) 80 min, search
    (storefront) 40 min."""
    clock.set(NOW)
    client.headers.update(admin_headers)
    for days, minutes, service in ((20, 80, "checkout"), (10, 40, "search")):
        start = NOW - timedelta(days=days)
        number = client.post(
            "/api/v1/incidents",
            json={"title": "x", "severity": "SEV2", "services": [service],
                  "impact_start": start.isoformat()},
        ).json()["id"]  # fmt: skip
        end = (start + timedelta(minutes=minutes)).isoformat()
        client.patch(
            f"/api/v1/incidents/{number}/instants", json={"mitigated": end, "resolved": end}
        )
    return client


def query(prometheus: str, expr: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{prometheus}/api/v1/query", params={"query": expr}, timeout=10).json()
    assert answer["status"] == "success", (expr, answer)
    return list(answer["data"]["result"])


def test_prometheus_scrapes_the_kpis_the_dashboard_charts(api: TestClient, tmp_path: Path) -> None:
    with (
        serving(api.app) as ninefold,
        running_prometheus(tmp_path / "tsdb", tmp_path, ninefold) as prometheus,
    ):
        exposition = httpx.get(f"{ninefold}/metrics", timeout=10).text
        linted = subprocess.run([PROMTOOL, "check", "metrics"], input=exposition, capture_output=True,
                                text=True, timeout=60)  # fmt: skip
        assert linted.returncode == 0, linted.stdout + linted.stderr
        overall = 'ninefold_kpi_mttr_seconds{team="",service="",tier="",severity=""}'
        deadline = time.monotonic() + 30
        while not query(prometheus, overall):
            assert time.monotonic() < deadline, "Prometheus did not scrape the KPIs in 30 s"
            time.sleep(0.5)
        [mttr] = query(prometheus, overall)
        assert float(mttr["value"][1]) == 3600.0  # 60 minutes
        by_team = {
            r["metric"]["team"]: float(r["value"][1])
            for r in query(prometheus, 'ninefold_kpi_mttr_seconds{team!=""}')
        }
        assert by_team == {"payments": 80 * 60.0, "storefront": 40 * 60.0}
        [sev2] = query(prometheus, 'ninefold_kpi_mttr_seconds{severity="SEV2"}')
        assert float(sev2["value"][1]) == 3600.0
        assert query(prometheus, 'ninefold_kpi_mttr_seconds{severity="SEV1"}') == []  # no data
        [meets] = query(
            prometheus,
            'ninefold_kpi_meets_target{kpi="mttd",team="",service="",tier="",severity=""}',
        )
        # Detected when declared (at NOW), days after their impact began: far over 10 minutes.
        assert meets["value"][1] == "0"
        board = dashboard({})
        assert len(board["panels"]) == len(CATALOGUE)
        for panel in board["panels"]:
            for team in ("", "storefront"):
                expr = panel["targets"][0]["expr"].replace("$team", team)
                query(prometheus, expr)
        [mttd] = [p for p in board["panels"] if p["title"] == "Time to detect (mean)"]
        assert mttd["fieldConfig"]["defaults"]["thresholds"]["steps"][1] == {
            "color": "red",
            "value": 600.0,  # 10 minutes
        }
        # The documented bound: per KPI, everything, each team, each tier, each tier-0/1
        # service, and for the 9 incident and action item KPIs each severity; as many again
        # for meets_target at most.
        services = api.get("/api/v1/services", params={"limit": 500}).json()["items"]
        top = sum(1 for s in services if s["tier"] in (0, 1))
        teams = api.get("/api/v1/teams").json()["total"]
        bound = 2 * (18 * (1 + teams + 4 + top) + 9 * 4)
        [count] = query(prometheus, 'count({__name__=~"ninefold_kpi_.+"})')
        assert 0 < float(count["value"][1]) <= bound
