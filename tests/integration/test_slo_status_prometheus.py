"""`ninefold slo status` against a real Prometheus over 35 days of backfilled history with a
known outage; every number is checked against what this test computes by hand.

The history: checkout serves 1,000 requests a minute with 0.05% errors, except a 30-minute
outage ten days ago at 20% errors.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from tests.factories import EXAMPLES
from tests.integration.conftest import (
    BASELINE_BAD,
    DAY_MINUTES,
    HISTORY,
    OUTAGE_BAD,
    OUTAGE_MINUTES,
    OUTAGE_START,
    TRAFFIC,
)


def status(prometheus: str, at: int) -> dict:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ninefold",
            "slo",
            "status",
            str(EXAMPLES / "slos" / "checkout.yaml"),
            "--prometheus",
            prometheus,
            "--json",
            "--at",
            datetime.fromtimestamp(at, UTC).isoformat(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ,
    )
    assert result.returncode == 0, result.stderr
    (report,) = json.loads(result.stdout)
    return report


def by_hand(history: dict[str, np.ndarray], last: int, minutes: int) -> tuple[float, float]:
    """Bad and total events in the `minutes` steps ending with index `last`."""
    window = slice(last - minutes + 1, last + 1)
    return float(history["bad"][window].sum()), float(
        (history["bad"] + history["good"])[window].sum()
    )


def test_the_period_numbers_match_the_hand_computed_ones(
    prometheus: str, history: dict[str, np.ndarray]
) -> None:
    last = HISTORY - 1
    report = status(prometheus, int(history["timestamps"][last]))
    bad, total = by_hand(history, last, 30 * DAY_MINUTES)
    assert (report["bad_events"], report["total_events"]) == (bad, total)
    assert bad == BASELINE_BAD * (30 * DAY_MINUTES - OUTAGE_MINUTES) + OUTAGE_BAD * OUTAGE_MINUTES
    assert report["attainment"] == pytest.approx(1 - bad / total, abs=1e-9)
    budget_events = 0.001 * total
    assert report["bad_events_left"] == pytest.approx(budget_events - bad, abs=1e-3)
    assert report["budget_remaining"] == pytest.approx(1 - bad / budget_events, abs=1e-6)
    assert report["period_burn"] == pytest.approx((bad / total) / 0.001, abs=1e-6)
    assert report["burn_rates"]["1h"] == pytest.approx(BASELINE_BAD / TRAFFIC / 0.001)
    minutes_left = report["budget_remaining"] * 30 * DAY_MINUTES / report["burn_rates"]["1h"]
    assert report["minutes_to_exhaustion"] == pytest.approx(minutes_left, abs=0.1)
    assert report["alerts_holding"] == []


def test_during_the_outage_the_page_conditions_hold(
    prometheus: str, history: dict[str, np.ndarray]
) -> None:
    last = OUTAGE_START + 19  # twenty minutes into the outage
    report = status(prometheus, int(history["timestamps"][last]))
    for window, minutes in (("5m", 5), ("1h", 60), ("6h", 360), ("1d", DAY_MINUTES)):
        bad, total = by_hand(history, last, minutes)
        assert report["burn_rates"][window] == pytest.approx(bad / total / 0.001, abs=1e-6), window
    holding = {(a["severity"], a["long"], a["short"]) for a in report["alerts_holding"]}
    one_hour = by_hand(history, last, 60)
    assert one_hour[0] / one_hour[1] / 0.001 > 14.4
    assert ("page", "1h", "5m") in holding
    assert ("ticket", "1d", "2h") in holding


def test_prometheus_down_is_exit_2_with_the_url() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ninefold",
            "slo",
            "status",
            str(EXAMPLES),
            "--prometheus",
            "http://127.0.0.1:9",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "http://127.0.0.1:9" in result.stderr
    assert "unreachable" in result.stderr


def test_a_query_prometheus_refuses_is_exit_2_with_the_reason(
    prometheus: str, tmp_path: Path
) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        'version: "prometheus/v1"\nservice: x\nslos:\n  - name: y\n    objective: 99\n    sli:\n      raw:\n'
        "        error_ratio_query: rate(http_requests_total[{{.window}}]) / on() rate(http_requests_total[{{.window}}])\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "ninefold", "slo", "status", str(spec), "--prometheus", prometheus],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert prometheus in result.stderr
    assert "refused the query" in result.stderr
