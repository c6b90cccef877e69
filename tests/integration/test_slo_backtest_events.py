"""`ninefold slo backtest --events FILE` on event files this test writes, with a known outage.

The history: checkout serves 20 requests a minute for five days from 2026-01-01T00:00Z, one
every 3 seconds from a second past each minute (so every request of minute `m` counts in the
minute ending at `m + 1`), with one request in 2,000 a 500: a steady burn of half the budget
of the 99.9% SLO. From minute 6,000, every request fails for 30 minutes. The replay covers
the last 4 days (`--days 4`): minutes 1,440 to 7,199, so the 3-day windows are whole when the
outage starts.

By hand, for `multiwindow-multi-burn-rate` (threshold `factor x 0.001` on the error ratio):

- page: the first outage minute (ending at 6,001) holds 20 bad of 20, so the 1h/5m pair
  (14.4x: > 1.44%) fires at once: detected after 1 minute. It keeps firing while the 30-minute
  window holds an outage minute (6x: 20 bad in 600 > 0.6%, and the 6-hour window has 600 bad
  in 7,200): the last outage minute ends at 6,030 and leaves that window at 6,060, where the
  baseline's one bad request in 100 minutes is far below it. So one alert, 6,001 to 6,060:
  reset after 30 minutes. Budget spent before detection: 20 bad over the budget of 30 days
  at the replay's traffic, 0.001 x 115,200 x 30 / 4 = 864 bad events.
- ticket: the 3d/6h pair (1x) needs more than 86.4 bad in 3 days; the baseline holds 43 or 44
  of them, so it fires once three outage minutes (60 bad) are in: detected after 3 minutes.

The same counts, written as counters into a Prometheus, give the same report to the letter.

The table and the refusal of a composite SLO run `python -m ninefold` as a user does; every
other command runs the same entry point in-process (`tests.support.cli`), sparing an
interpreter start each.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pytest

from ninefold.slos.backtest.replay import backtest
from ninefold.slos.cli.backtest import as_json
from ninefold.slos.cli.specs import load_specs
from ninefold.slos.core.alert_policies import slo_policy, workbook_policies
from tests.factories import EXAMPLES
from tests.integration.prometheus_server import checkout_prometheus
from tests.support.cli import Completed, ninefold

CHECKOUT = EXAMPLES / "slos" / "checkout.yaml"
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
MINUTES = 5 * 1440
PER_MINUTE = 20
OUTAGE_START, OUTAGE_MINUTES = 6000, 30
DAYS = 4
END = T0 + 60 * MINUTES  # the end of the minute of the last event: --at by default
FIRST = MINUTES - DAYS * 1440  # the first minute replayed
MULTIWINDOW = "multiwindow-multi-burn-rate"
STATUS_COLUMNS = ("--time-column", "ts", "--status-column", "code")


def history() -> dict[str, np.ndarray]:
    index = np.arange(MINUTES * PER_MINUTE)
    minute, k = index // PER_MINUTE, index % PER_MINUTE
    outage = (minute >= OUTAGE_START) & (minute < OUTAGE_START + OUTAGE_MINUTES)
    code = np.where(outage, 503, np.where(index % 2000 == 7, 500, 200))
    return {"t": T0 + 60 * minute + 3 * k + 1, "minute": minute, "code": code}


HISTORY = history()


def minute_counts() -> dict[str, np.ndarray]:
    """Good and total requests of every minute, labelled by the minute's end."""
    total = np.bincount(HISTORY["minute"], minlength=MINUTES).astype(float)
    bad = np.bincount(HISTORY["minute"], weights=HISTORY["code"] >= 500, minlength=MINUTES)
    return {"end": T0 + 60 * np.arange(1, MINUTES + 1), "good": total - bad, "total": total}


def iso(t: int) -> str:
    return datetime.fromtimestamp(int(t), UTC).isoformat()


def at_minute(minute: int) -> str:
    return iso(T0 + 60 * minute)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The history as CSV (ISO 8601 times, status codes) and as Parquet (epoch milliseconds,
    a boolean good column), and the outage as the incidents file."""
    work = tmp_path_factory.mktemp("backtest-events")
    csv_file = work / "requests.csv"
    with csv_file.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["ts", "code"])
        writer.writerows(
            (iso(t).replace("+00:00", "Z"), code)
            for t, code in zip(HISTORY["t"], HISTORY["code"], strict=True)
        )
    parquet = work / "requests.parquet"
    with duckdb.connect() as db:
        db.execute("SET TimeZone = 'UTC'")
        db.execute(
            f"""COPY (
                SELECT epoch_ms(CAST(ts AS TIMESTAMPTZ)) AS at_ms, CAST(code AS INTEGER) < 500 AS ok
                FROM read_csv('{csv_file}', all_varchar = true, header = true)
            ) TO '{parquet}' (FORMAT parquet)"""  # noqa: S608 (the test's own paths)
        )
    incidents = work / "incidents.csv"
    end = OUTAGE_START + OUTAGE_MINUTES
    incidents.write_text(f"start,end\n{at_minute(OUTAGE_START)},{at_minute(end)}\n")
    return {"csv": csv_file, "parquet": parquet, "incidents": incidents}


@pytest.fixture(scope="module")
def counts_prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same per-minute counts as counters, a sample at the end of every minute."""
    work = tmp_path_factory.mktemp("backtest-prometheus")
    counts = minute_counts()
    bad = counts["total"] - counts["good"]
    with checkout_prometheus(work, counts["end"], counts["good"], bad) as url:
        yield url


def run_process(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ninefold", "slo", "backtest", str(CHECKOUT), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=180,
    )


def run(*args: str | Path) -> Completed:
    return ninefold("slo", "backtest", CHECKOUT, *args)


def replay(*args: str | Path) -> list[dict]:
    result = run("--days", str(DAYS), *args, "--json")
    assert result.returncode == 0, result.stderr
    found: list[dict] = json.loads(result.stdout)
    return found


def by_policy(found: list[dict]) -> dict[tuple[str, str], dict]:
    return {(r["policy"], r["severity"]): r for r in found}


# --- the replay ------------------------------------------------------------------------


def test_the_outage_is_detected_and_reset_as_computed_by_hand(files: dict[str, Path]) -> None:
    found = by_policy(
        replay("--events", files["csv"], *STATUS_COLUMNS, "--incidents", files["incidents"])
    )
    page = found[(MULTIWINDOW, "page")]
    assert page["alerts"] == [{"start": at_minute(6001), "end": at_minute(6060)}]
    (incident,) = page["incidents"]
    assert incident["start"] == at_minute(OUTAGE_START)
    assert incident["detection_minutes"] == 1
    assert incident["reset_minutes"] == 30
    budget_events = 0.001 * DAYS * 1440 * PER_MINUTE * 30 / DAYS
    assert incident["budget_spent_before_detection"] == pytest.approx(20 / budget_events)
    assert (page["precision"], page["recall"]) == (1.0, 1.0)
    ticket = found[(MULTIWINDOW, "ticket")]
    assert ticket["incidents"][0]["detection_minutes"] == 3


def test_the_replay_is_the_engines_replay_of_the_counts(files: dict[str, Path]) -> None:
    """Every policy, alert and score, to the letter, as `backtest` replays the hand-made
    per-minute counts of the replayed days."""
    (slo,) = load_specs([CHECKOUT], timedelta(days=30))[0].slos
    counts = minute_counts()
    start = datetime.fromisoformat(at_minute(OUTAGE_START))
    expected = backtest(
        counts["end"][FIRST:].astype(float),
        counts["good"][FIRST:],
        counts["total"][FIRST:],
        objective=0.999,
        period=timedelta(days=30),
        policies=(*workbook_policies(timedelta(days=30)), slo_policy(slo)),
        incidents=[(start, start + timedelta(minutes=OUTAGE_MINUTES))],
    )
    found = replay("--events", files["csv"], *STATUS_COLUMNS, "--incidents", files["incidents"])
    assert found == as_json(expected)


def test_csv_parquet_and_prometheus_give_the_same_replay(
    files: dict[str, Path], counts_prometheus: str
) -> None:
    incidents = ("--incidents", files["incidents"])
    from_csv = replay("--events", files["csv"], *STATUS_COLUMNS, *incidents)
    from_parquet = replay(
        "--events",
        files["parquet"],
        "--time-column",
        "at_ms",
        "--time-unit",
        "ms",
        "--good-column",
        "ok",
        *incidents,
    )
    from_prometheus = replay("--prometheus", counts_prometheus, "--at", iso(END), *incidents)
    assert from_parquet == from_csv
    assert from_prometheus == from_csv
    assert by_policy(from_csv)[(MULTIWINDOW, "page")]["incidents"][0]["detection_minutes"] == 1


def test_at_ends_the_replay_earlier(files: dict[str, Path]) -> None:
    """Ending at minute 6,010 cuts the page alert short: it still fires at the last
    evaluation."""
    found = by_policy(
        replay(
            "--events",
            files["parquet"],
            "--time-column",
            "at_ms",
            "--good-column",
            "ok",
            "--at",
            at_minute(6010),
        )
    )
    assert found[(MULTIWINDOW, "page")]["alerts"] == [{"start": at_minute(6001), "end": None}]


def test_the_table_reports_the_detection(files: dict[str, Path]) -> None:
    args = ("--days", str(DAYS), "--incidents", files["incidents"], "--policy", MULTIWINDOW)
    result = run_process("--events", files["csv"], *STATUS_COLUMNS, *args)
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "page" in line)
    assert MULTIWINDOW in row
    assert "1 min" in row
    assert "30 min" in row


# --- bad input -------------------------------------------------------------------------


def failure(*args: str | Path) -> str:
    result = run(*args)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: "), result.stderr
    return result.stderr


def test_events_and_prometheus_are_exclusive(files: dict[str, Path]) -> None:
    message = failure(
        "--events", files["csv"], "--prometheus", "http://127.0.0.1:9", *STATUS_COLUMNS
    )
    assert "--events and --prometheus are exclusive" in message


def test_an_event_option_needs_events() -> None:
    message = failure("--status-column", "code", "--bad-status", "5xx")
    assert "--status-column, --bad-status: only with --events FILE" in message


def test_a_missing_column_is_named(files: dict[str, Path]) -> None:
    message = failure("--events", files["csv"], "--time-column", "ts", "--status-column", "status")
    assert f"{files['csv']}: no column 'status'; the columns are: 'ts', 'code'" in message


def test_an_unparsable_time_names_the_row(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text(
        "ts,code\n2026-01-01T00:00:01Z,200\n2026-01-01T00:01:01Z,500\nyesterday,200\n"
    )
    message = failure("--events", events, *STATUS_COLUMNS)
    assert f"{events}: row 3: time column 'ts': 'yesterday' is not an ISO 8601 time" in message


def test_a_range_without_events_is_refused(files: dict[str, Path]) -> None:
    message = failure("--events", files["csv"], *STATUS_COLUMNS, "--at", "2025-06-01T00:00:00Z")
    assert "0 minutes of events from 2025-05-02T00:00:00+00:00 to 2025-06-01T00:00:00+00:00" in (
        message
    )
    assert "a backtest needs at least 2" in message


def test_a_composite_slo_is_refused_with_the_reason() -> None:
    spec = Path(__file__).parent.parent / "fixtures" / "openslo-v1" / "composite.yaml"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ninefold",
            "slo",
            "backtest",
            str(spec),
            "--prometheus",
            "http://127.0.0.1:9",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "is a composite SLO, which backtest does not replay" in result.stderr
