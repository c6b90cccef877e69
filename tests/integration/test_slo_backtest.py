"""`ninefold slo backtest` over the backfilled Prometheus: the replay of the known outage as
the CLI reports it equals the engine's replay of the counts this test wrote.

The replay runs `python -m ninefold` as a user does; the refusals run the same command
in-process (`tests.support.cli`), which spares an interpreter start each.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from ninefold.slos.backtest.replay import backtest
from ninefold.slos.core.alert_policies import workbook_policies
from tests.factories import EXAMPLES
from tests.integration.conftest import HISTORY, OUTAGE_MINUTES, OUTAGE_START
from tests.support.cli import Completed, ninefold

CHECKOUT = EXAMPLES / "slos" / "checkout.yaml"


def run(prometheus: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "ninefold",
            "slo",
            "backtest",
            str(CHECKOUT),
            "--prometheus",
            prometheus,
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )


def run_in_process(prometheus: str, *args: str) -> Completed:
    return ninefold("slo", "backtest", CHECKOUT, "--prometheus", prometheus, *args)


def test_the_known_outage_is_replayed_as_the_engine_replays_the_written_counts(
    prometheus: str, history: dict[str, np.ndarray], tmp_path: Path
) -> None:
    stamp = history["timestamps"]
    end = datetime.fromtimestamp(int(stamp[-1]), UTC)
    start = datetime.fromtimestamp(int(stamp[OUTAGE_START - 1]), UTC)
    outage = (start, start + timedelta(minutes=OUTAGE_MINUTES))
    incidents = tmp_path / "incidents.csv"
    incidents.write_text(f"start,end\n{outage[0].isoformat()},{outage[1].isoformat()}\n")
    result = run(
        prometheus, "--days", "30", "--at", end.isoformat(), "--incidents", str(incidents), "--json"
    )
    assert result.returncode == 0, result.stderr
    reported = {(r["policy"], r["severity"]): r for r in json.loads(result.stdout)}

    first = HISTORY - 30 * 1440
    expected = backtest(
        stamp[first:].astype(float),
        history["good"][first:],
        (history["good"] + history["bad"])[first:],
        objective=0.999,
        period=timedelta(days=30),
        policies=workbook_policies(timedelta(days=30)),
        incidents=[outage],
    )
    for engine in expected.results:
        cli = reported[(engine.policy, engine.severity)]
        assert len(cli["alerts"]) == len(engine.alerts), engine.policy
        assert cli["recall"] == engine.recall
        (incident,) = cli["incidents"]
        want = engine.incidents[0]
        assert incident["detection_minutes"] == (
            None if want.detection is None else want.detection.total_seconds() / 60
        )
        assert incident["reset_minutes"] == (
            None if want.reset is None else want.reset.total_seconds() / 60
        )
    page = reported[("multiwindow-multi-burn-rate", "page")]
    assert page["recall"] == 1.0
    assert page["incidents"][0]["detection_minutes"] <= 5


def test_an_unknown_policy_is_refused(prometheus: str) -> None:
    result = run_in_process(prometheus, "--policy", "guesswork")
    assert result.returncode == 1
    assert "unknown policy guesswork" in result.stderr


def test_a_malformed_incidents_file_names_the_line(prometheus: str, tmp_path: Path) -> None:
    incidents = tmp_path / "incidents.csv"
    incidents.write_text("start,end\n2026-11-01T10:00:00Z,yesterday\n")
    result = run_in_process(prometheus, "--incidents", str(incidents))
    assert result.returncode == 1
    assert f"{incidents}:2:" in result.stderr
