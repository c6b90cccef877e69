"""`ninefold slo status` of a threshold SLO and a composite SLO against a real Prometheus, over
the 35 days of checkout history of tests/integration/conftest.py (1,000 requests a minute,
0.05% errors, a 30-minute outage at 20% ten days ago), checked against numbers computed here.

The threshold SLI is checkout's error rate over 2 minutes, good below 1%: 0.05% is good, and
every sample whose 2 minutes hold an outage minute is bad. The composite weighs the request
SLO (99.9%) 3 and the threshold SLO (99%) 1: 0.75 and 0.25, an objective of 99.675% and a
budget of 0.325%.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.integration.conftest import DAY_MINUTES, HISTORY, OUTAGE_START
from tests.integration.test_slo_status_prometheus import by_hand

ERROR_RATE = (
    'sum(rate(http_requests_total{job="checkout", code="500"}[2m])) / '
    'sum(rate(http_requests_total{job="checkout"}[2m]))'
)

SPECS = f"""\
apiVersion: openslo/v1
kind: SLI
metadata:
  name: calm
spec:
  thresholdMetric:
    metricSource:
      type: Prometheus
      spec:
        query: '{ERROR_RATE}'
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: calm
spec:
  service: checkout
  indicatorRef: calm
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99
      op: lt
      value: 0.01
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: journey
spec:
  service: checkout
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
      compositeWeight: 3
      indicator:
        metadata:
          name: requests
        spec:
          ratioMetric:
            counter: true
            bad:
              metricSource:
                type: Prometheus
                spec:
                  query: http_requests_total{{job="checkout", code=~"5.."}}
            total:
              metricSource:
                type: Prometheus
                spec:
                  query: http_requests_total{{job="checkout"}}
    - target: 0.99
      op: lt
      value: 0.01
      compositeWeight: 1
      indicatorRef: calm
"""
BUDGET = 0.75 * 0.001 + 0.25 * 0.01


def status(prometheus: str, spec: Path, at: int, *extra: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ninefold",
            "slo",
            "status",
            str(spec),
            "--prometheus",
            prometheus,
            "--at",
            datetime.fromtimestamp(at, UTC).isoformat(),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=os.environ,
    )
    assert result.returncode == 0, result.stderr
    return result


def reports(prometheus: str, spec: Path, at: int) -> dict[str, dict[str, Any]]:
    found = json.loads(status(prometheus, spec, at, "--json").stdout)
    return {report["slo"]: report for report in found}


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "slos.yaml"
    path.write_text(SPECS)
    return path


def test_the_threshold_and_the_composite_over_the_period(
    prometheus: str, history: dict[str, np.ndarray], spec: Path
) -> None:
    last = HISTORY - 1
    found = reports(prometheus, spec, int(history["timestamps"][last]))
    calm, journey = found["calm"], found["journey"]
    # One sample a minute over 30 days; the outage's 30 minutes are bad, and with Prometheus
    # 2's closed ranges the minute after it too (its 2 minutes still hold the last one).
    assert calm["total_events"] == 30 * DAY_MINUTES
    breached = calm["bad_events"]
    assert breached in (30, 31)
    assert calm["attainment"] == pytest.approx(1 - breached / (30 * DAY_MINUTES), abs=1e-9)

    bad, total = by_hand(history, last, 30 * DAY_MINUTES)
    requests_error = bad / total
    calm_error = breached / (30 * DAY_MINUTES)
    error = 0.75 * requests_error + 0.25 * calm_error
    assert journey["objective"] == 0.99675
    assert journey["error_budget"] == pytest.approx(BUDGET)
    assert journey["attainment"] == pytest.approx(1 - error, abs=1e-9)
    assert journey["budget_remaining"] == pytest.approx(1 - error / BUDGET, abs=1e-6)
    assert journey["good_events"] is None
    # The last hour: 0.05% errors on requests, no breached sample.
    assert journey["burn_rates"]["1h"] == pytest.approx(0.75 * 0.0005 / BUDGET, abs=1e-6)
    assert [(c["slo"], c["weight"]) for c in journey["components"]] == [
        ("journey.requests", 0.75),
        ("journey.calm", 0.25),
    ]
    assert journey["components"][0]["attainment"] == pytest.approx(1 - requests_error, abs=1e-9)
    assert journey["components"][1]["attainment"] == calm["attainment"]
    assert journey["alerts_holding"] == []


def test_during_the_outage_the_composite_pages(
    prometheus: str, history: dict[str, np.ndarray], spec: Path
) -> None:
    last = OUTAGE_START + 19  # twenty minutes into the outage
    journey = reports(prometheus, spec, int(history["timestamps"][last]))["journey"]
    bad, total = by_hand(history, last, 60)
    # The last hour's 60 samples: the twenty outage minutes breach the threshold.
    burn = (0.75 * bad / total + 0.25 * 20 / 60) / BUDGET
    assert journey["burn_rates"]["1h"] == pytest.approx(burn, abs=1e-6)
    assert burn > 14.4
    holding = {(a["severity"], a["long"], a["short"]) for a in journey["alerts_holding"]}
    assert ("page", "1h", "5m") in holding


def test_the_table_shows_the_components_under_the_composite(
    prometheus: str, history: dict[str, np.ndarray], spec: Path
) -> None:
    table = status(prometheus, spec, int(history["timestamps"][HISTORY - 1])).stdout
    rows = [line for line in table.splitlines() if "journey" in line]
    assert len(rows) == 3, table
    assert "journey.requests (weight 0.75)" in rows[1]
    assert "journey.calm (weight 0.25)" in rows[2]
