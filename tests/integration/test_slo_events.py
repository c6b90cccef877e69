"""`ninefold slo status --events FILE` on event files this test writes, with a known outage;
every number is checked against what the test computes by hand from the rows it wrote.

The history: checkout serves 20 requests a minute for two days from 2026-01-01T00:00Z, one
every 3 seconds (so every minute's first request falls exactly on the minute), with one
request in 2,000 a 500. For 30 minutes, from minute 1,500, five requests a minute are 503s and
five more are 429s (bad only with `--bad-status 5xx,429`). Latencies cycle from 100 to 499 ms.

By hand, a window `(a, b]` holds the rows whose own time `t` has `a < t <= b`: no per-minute
bucketing is involved, so these numbers also check that the file is bucketed by minute ends.

The table and a missing file run `python -m ninefold` as a user does; every other command runs
the same entry point in-process (`tests.support.cli`), sparing an interpreter start each.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import numpy as np
import pytest

from ninefold.errors import Invalid
from ninefold.slos.sources.events import event_counts, within
from ninefold.slos.spec.event_columns import (
    EventColumns,
    event_columns,
    parse_bad_status,
    parse_threshold,
)
from tests.factories import EXAMPLES
from tests.support.cli import Completed, ninefold

CHECKOUT = EXAMPLES / "slos" / "checkout.yaml"
BUDGET = 0.001  # checkout: 99.9% over a rolling 30 days
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
MINUTES = 2 * 1440
PER_MINUTE = 20
OUTAGE_START, OUTAGE_MINUTES = 1500, 30
END = T0 + 60 * MINUTES  # the end of the minute holding the last event: --at by default
PLUS_ONE = timezone(timedelta(hours=1))
WINDOWS = {"5m": 300, "30m": 1800, "1h": 3600, "2h": 7200, "6h": 21600, "1d": 86400}
WORKBOOK = (("page", "1h", "5m", 14.4), ("page", "6h", "30m", 6.0))
WORKBOOK += (("ticket", "1d", "2h", 3.0), ("ticket", "3d", "6h", 1.0))


# --- the history and the files ---------------------------------------------------------


def history() -> dict[str, np.ndarray]:
    index = np.arange(MINUTES * PER_MINUTE)
    minute, k = index // PER_MINUTE, index % PER_MINUTE
    code = np.where(index % 2000 == 7, 500, 200)
    outage = (minute >= OUTAGE_START) & (minute < OUTAGE_START + OUTAGE_MINUTES)
    code = np.where(outage & (k % 4 == 1), 503, code)
    code = np.where(outage & (k % 4 == 3), 429, code)
    return {
        "t": T0 + 60 * minute + 3 * k,
        "code": code,
        "latency_ms": 100 + (index * 37) % 400,
    }


HISTORY = history()


def by_hand(bad: np.ndarray, now: int, seconds: int) -> tuple[int, int]:
    """Bad and total rows with `now - seconds < t <= now`."""
    inside = (HISTORY["t"] > now - seconds) & (HISTORY["t"] <= now)
    return int(bad[inside].sum()), int(inside.sum())


def iso(t: int) -> str:
    return datetime.fromtimestamp(int(t), UTC).isoformat().replace("+00:00", "Z")


def write_csv(path: Path) -> Path:
    """ISO 8601 text; every 7th time written with a +01:00 offset (the same instant)."""
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["ts", "code", "ok", "duration_ms"])
        for i, (t, code, latency) in enumerate(
            zip(HISTORY["t"], HISTORY["code"], HISTORY["latency_ms"], strict=True)
        ):
            text = iso(t)
            if i % 7 == 0:
                text = datetime.fromtimestamp(int(t), PLUS_ONE).isoformat()
            writer.writerow([text, code, int(code < 500), latency])
    return path


def write_ndjson(path: Path) -> Path:
    """Epoch milliseconds, JSON booleans."""
    with path.open("w") as f:
        for t, code, latency in zip(
            HISTORY["t"], HISTORY["code"], HISTORY["latency_ms"], strict=True
        ):
            row = {"ts": int(t) * 1000, "code": int(code), "ok": bool(code < 500)}
            f.write(json.dumps({**row, "duration_ms": int(latency)}) + "\n")
    return path


def write_parquet(csv_file: Path, path: Path) -> Path:
    """Typed columns, by DuckDB's COPY from the CSV: TIMESTAMPTZ times, epoch seconds as
    DOUBLE, integer codes, good/bad text flags and latencies in seconds."""
    source = str(csv_file).replace("'", "''")
    target = str(path).replace("'", "''")
    with duckdb.connect() as db:
        db.execute("SET TimeZone = 'UTC'")
        db.execute(
            f"""COPY (
                SELECT CAST(ts AS TIMESTAMPTZ) AS ts,
                       epoch_ms(CAST(ts AS TIMESTAMPTZ)) / 1000.0 AS epoch_s,
                       CAST(code AS INTEGER) AS code,
                       CASE WHEN ok = '1' THEN 'good' ELSE 'bad' END AS ok,
                       CAST(duration_ms AS DOUBLE) / 1000 AS duration_seconds
                FROM read_csv('{source}', all_varchar = true, header = true)
            ) TO '{target}' (FORMAT parquet)"""  # noqa: S608 (the test's own paths)
        )
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("events")
    csv_file = write_csv(work / "requests.csv")
    return {
        "csv": csv_file,
        "ndjson": write_ndjson(work / "requests.ndjson"),
        "parquet": write_parquet(csv_file, work / "requests.parquet"),
    }


def run_process(*args: str | Path, spec: Path = CHECKOUT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ninefold", "slo", "status", str(spec), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def run(*args: str | Path, spec: Path = CHECKOUT) -> Completed:
    return ninefold("slo", "status", spec, *args)


def report(*args: str | Path, spec: Path = CHECKOUT) -> dict:
    result = run(*args, "--json", spec=spec)
    assert result.returncode == 0, result.stderr
    (found,) = json.loads(result.stdout)
    return found


def check(found: dict, bad: np.ndarray, now: int) -> None:
    """Every number of the report against the rows."""
    assert found["period"]["end"] == datetime.fromtimestamp(now, UTC).isoformat()
    period_bad, total = by_hand(bad, now, 30 * 86400)
    assert (found["bad_events"], found["total_events"]) == (period_bad, total)
    assert found["good_events"] == total - period_bad
    assert found["attainment"] == pytest.approx(1 - period_bad / total, abs=1e-9)
    assert found["bad_events_left"] == pytest.approx(BUDGET * total - period_bad, abs=1e-3)
    assert found["budget_remaining"] == pytest.approx(1 - period_bad / (BUDGET * total), abs=1e-6)
    burns = {}
    for window, seconds in {**WINDOWS, "3d": 3 * 86400}.items():
        window_bad, window_total = by_hand(bad, now, seconds)
        burns[window] = window_bad / window_total / BUDGET
        assert found["burn_rates"][window] == pytest.approx(burns[window], abs=1e-6), window
    if found["budget_remaining"] <= 0:
        assert found["minutes_to_exhaustion"] == 0
    elif burns["1h"] == 0:
        assert found["minutes_to_exhaustion"] is None
    else:
        minutes_left = found["budget_remaining"] * 30 * 1440 / burns["1h"]
        assert found["minutes_to_exhaustion"] == pytest.approx(minutes_left, abs=0.1)
    holding = [
        (severity, long, short)
        for severity, long, short, factor in WORKBOOK
        if burns[long] > factor and burns[short] > factor
    ]
    assert [(a["severity"], a["long"], a["short"]) for a in found["alerts_holding"]] == holding


# --- the numbers -----------------------------------------------------------------------


def test_the_period_numbers_match_the_hand_computed_ones(files: dict[str, Path]) -> None:
    found = report("--events", files["csv"], "--time-column", "ts", "--status-column", "code")
    bad = HISTORY["code"] >= 500
    check(found, bad, END)
    # The 500s fall on every index 7 (mod 2,000); the one inside the outage has k = 7, so the
    # outage made it a 429.
    assert found["bad_events"] == len(range(7, MINUTES * PER_MINUTE, 2000)) + 5 * OUTAGE_MINUTES - 1
    assert found["alerts_holding"] == []


def test_during_the_outage_the_alerts_hold(files: dict[str, Path]) -> None:
    now = T0 + 60 * (OUTAGE_START + 20)  # twenty minutes into the outage
    found = report(
        "--events",
        files["csv"],
        "--time-column",
        "ts",
        "--status-column",
        "code",
        "--at",
        iso(now),
    )
    check(found, HISTORY["code"] >= 500, now)
    assert [a["severity"] for a in found["alerts_holding"]] == ["page", "page", "ticket", "ticket"]


def test_bad_status_takes_classes_and_codes(files: dict[str, Path]) -> None:
    found = report(
        "--events",
        files["ndjson"],
        "--time-column",
        "ts",
        "--status-column",
        "code",
        "--bad-status",
        "5xx,429",
    )
    code = HISTORY["code"]
    check(found, ((code >= 500) & (code <= 599)) | (code == 429), END)


def test_the_spec_gives_the_mapping_and_the_command_line_overrides_it(
    files: dict[str, Path], tmp_path: Path
) -> None:
    spec = tmp_path / "checkout.yaml"
    spec.write_text(
        CHECKOUT.read_text().replace(
            "  displayName: Checkout availability\n",
            "  displayName: Checkout availability\n"
            "  annotations:\n"
            "    ninefold.dev/events-time-column: ts\n"
            "    ninefold.dev/events-status-column: code\n"
            "    ninefold.dev/events-bad-status: 5xx,429\n",
        )
    )
    code = HISTORY["code"]
    check(report("--events", files["csv"], spec=spec), (code >= 500) | (code == 429), END)
    overridden = report("--events", files["csv"], "--bad-status", "5xx", spec=spec)
    check(overridden, code >= 500, END)


@pytest.mark.parametrize(
    ("fmt", "threshold"),
    [("csv", "300ms"), ("parquet", "0.3s")],
    ids=["milliseconds by the column name", "seconds by the column name"],
)
def test_a_request_is_good_up_to_the_latency_threshold(
    files: dict[str, Path], fmt: str, threshold: str
) -> None:
    column = "duration_ms" if fmt == "csv" else "duration_seconds"
    found = report(
        "--events",
        files[fmt],
        "--time-column",
        "ts",
        "--latency-column",
        column,
        "--latency-threshold",
        threshold,
    )
    check(found, HISTORY["latency_ms"] > 300, END)


def test_the_three_formats_give_the_same_report(files: dict[str, Path]) -> None:
    by_status = [
        report("--events", files[fmt], "--time-column", "ts", "--status-column", "code")
        for fmt in ("csv", "ndjson", "parquet")
    ]
    by_flag = [
        report("--events", files[fmt], "--time-column", "ts", "--good-column", "ok")
        for fmt in ("csv", "ndjson", "parquet")
    ]
    epoch_seconds = report(
        "--events", files["parquet"], "--time-column", "epoch_s", "--good-column", "ok"
    )
    assert all(found == by_status[0] for found in [*by_status, *by_flag, epoch_seconds])
    check(by_status[0], HISTORY["code"] >= 500, END)


def test_the_table_is_the_prometheus_table(files: dict[str, Path]) -> None:
    args = ("--events", files["parquet"], "--time-column", "ts", "--status-column", "code")
    result = run_process(*args)
    assert result.returncode == 0, result.stderr
    assert "burn 1h" in result.stdout
    row = next(line for line in result.stdout.splitlines() if "checkout" in line)
    assert "availability" in row
    assert "99.9%" in row


def test_slo_picks_one_of_several_specs(files: dict[str, Path]) -> None:
    args = ("--events", files["csv"], "--time-column", "ts", "--status-column", "code")
    result = run(*args, spec=EXAMPLES)
    assert result.returncode == 1
    assert "choose one with --slo SERVICE/NAME" in result.stderr
    assert "checkout/availability" in result.stderr
    found = report(*args, "--slo", "checkout/availability", spec=EXAMPLES)
    check(found, HISTORY["code"] >= 500, END)
    result = run(*args, "--slo", "checkout/nothing", spec=EXAMPLES)
    assert result.returncode == 1
    assert "--slo: no SLO 'checkout/nothing'" in result.stderr


def test_minutes_without_events_are_good_time_slices(tmp_path: Path) -> None:
    """A 1m time-slice SLO over events in minutes 1, 2 and 10: the seven quiet minutes
    between them had no traffic and count as good slices; only minute 2 is bad."""
    spec = tmp_path / "slices.yaml"
    text = CHECKOUT.read_text().replace(
        "budgetingMethod: Occurrences", "budgetingMethod: Timeslices"
    )
    spec.write_text(text.replace("target: 0.999", "target: 0.999\n      timeSliceWindow: 1m"))
    rows = [(T0 + 30, "good")] * 10 + [(T0 + 90, "good")] * 5 + [(T0 + 90, "bad")] * 5
    rows += [(T0 + 570, "good")] * 10
    events = tmp_path / "slices.csv"
    events.write_text("ts,result\n" + "".join(f"{t},{r}\n" for t, r in rows))
    found = report("--events", events, "--time-column", "ts", "--good-column", "result", spec=spec)
    assert found["budgeting"] == "Timeslices"
    assert found["period"]["end"] == iso(T0 + 600).replace("Z", "+00:00")
    assert found["attainment"] == pytest.approx(9 / 10)
    assert found["budget_minutes_left"] == pytest.approx(BUDGET * 30 * 1440 - 1, abs=1e-3)


# --- bad input -------------------------------------------------------------------------


def failure(*args: str | Path, process: bool = False) -> str:
    result = (run_process if process else run)(*args)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: "), result.stderr
    return result.stderr


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    message = failure("--events", missing, "--status-column", "code", process=True)
    assert f"{missing}: no such file" in message


def test_missing_columns_are_named_with_the_columns_there_are(files: dict[str, Path]) -> None:
    message = failure("--events", files["csv"], "--time-column", "when", "--good-column", "fine")
    assert "no column 'when', 'fine'" in message
    assert "the columns are: 'ts', 'code', 'ok', 'duration_ms'" in message


@pytest.mark.parametrize(
    ("suffix", "lines", "expected"),
    [
        (
            ".csv",
            [
                "ts,code",
                "2026-01-01T00:00:01Z,200",
                "2026-01-01T00:00:02Z,200",
                "2026-01-01T00:00:03Z,500",
                "2026-13-45T00:00:00Z,200",
                "yesterday,200",
            ],
            "row 4: time column 'ts': '2026-13-45T00:00:00Z' is not an ISO 8601 time",
        ),
        (
            ".csv",
            ["ts,code", "2026-01-01T00:00:01Z,200", ",200"],
            "row 2: time column 'ts': is empty",
        ),
        (
            ".jsonl",
            [
                '{"ts": 1767225601, "code": 200}',
                '{"ts": 1767225602, "code": 200}',
                '{"ts": "soon", "code": 200}',
            ],
            "row 3: time column 'ts': 'soon' is not a number of epoch seconds",
        ),
        (
            ".csv",
            ["ts,code", "1767225601,200", "1767225602000,200"],
            "row 2: time column 'ts': 1767225602000 does not look like epoch seconds",
        ),
    ],
    ids=[
        "a bad ISO time is named by row and value",
        "an empty time is named by row",
        "a word among epoch numbers is named by row",
        "milliseconds among seconds are named by row",
    ],
)
def test_unparsable_times_name_the_row(
    tmp_path: Path, suffix: str, lines: list[str], expected: str
) -> None:
    events = tmp_path / f"events{suffix}"
    events.write_text("\n".join(lines) + "\n")
    message = failure("--events", events, "--time-column", "ts", "--status-column", "code")
    assert expected in message
    assert f"{events}: " in message


def test_a_status_that_is_not_a_number_names_the_row(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text("ts,code\n2026-01-01T00:00:01Z,200\n2026-01-01T00:00:02Z,OK\n")
    message = failure("--events", events, "--time-column", "ts", "--status-column", "code")
    assert "row 2: status column 'code': 'OK' is not a number" in message


def test_a_status_column_of_another_type_is_refused(tmp_path: Path) -> None:
    events = tmp_path / "events.parquet"
    with duckdb.connect() as db:
        db.execute(
            f"COPY (SELECT TIMESTAMPTZ '2026-01-01 00:00:00+00' AS ts, true AS code) "
            f"TO '{events}' (FORMAT parquet)"
        )
    message = failure("--events", events, "--time-column", "ts", "--status-column", "code")
    assert "status column 'code' is not numeric: it holds BOOLEAN" in message


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", "", "the file is empty"),
        ("header.csv", "ts,code\n", "no events: the file has no data rows"),
        ("empty.ndjson", "", "the file is empty"),
    ],
    ids=["an empty file", "a header without rows", "an empty NDJSON file"],
)
def test_an_empty_file_is_refused(tmp_path: Path, name: str, content: str, expected: str) -> None:
    events = tmp_path / name
    events.write_text(content)
    message = failure("--events", events, "--time-column", "ts", "--status-column", "code")
    assert f"{events}: {expected}" in message


def test_a_parquet_file_without_rows_is_refused(tmp_path: Path) -> None:
    events = tmp_path / "none.parquet"
    with duckdb.connect() as db:
        db.execute(
            f"COPY (SELECT TIMESTAMPTZ '2026-01-01 00:00:00+00' AS ts, 200 AS code LIMIT 0) "
            f"TO '{events}' (FORMAT parquet)"
        )
    message = failure("--events", events, "--time-column", "ts", "--status-column", "code")
    assert "no events: the file has no data rows" in message


def test_events_and_prometheus_are_exclusive(files: dict[str, Path]) -> None:
    message = failure(
        "--events", files["csv"], "--prometheus", "http://127.0.0.1:9", "--status-column", "code"
    )
    assert "--events and --prometheus are exclusive" in message


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--time-column", "ts"], "--time-column: only with --events FILE"),
        (["--events", "x.csv"], "--events needs exactly one of --good-column, --status-column"),
        (
            ["--events", "x.csv", "--good-column", "ok", "--status-column", "code"],
            "(got --good-column and --status-column)",
        ),
        (["--events", "x.txt", "--good-column", "ok"], "cannot tell the format"),
        (["--events", "x.csv", "--latency-column", "latency"], "needs --latency-threshold"),
        (
            ["--events", "x.csv", "--latency-column", "latency", "--latency-threshold", "1s"],
            "cannot tell from its name whether 'latency' holds seconds or milliseconds",
        ),
        (["--events", "x.csv", "--status-column", "c", "--bad-status", "5x"], "'5x' is not"),
        (["--events", "x.csv", "--good-column", "ok", "--time-unit", "us"], "'us' is not s or ms"),
    ],
    ids=[
        "an event option needs --events",
        "no verdict column",
        "two verdict columns",
        "an unknown suffix",
        "a latency without threshold",
        "a latency of unknown unit",
        "a malformed status class",
        "an unknown time unit",
    ],
)
def test_options_that_do_not_fit_are_refused(args: list[str], expected: str) -> None:
    assert expected in failure(*args)


# --- the pieces, in process ------------------------------------------------------------


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        (["2026-01-01T00:01:00Z"], {T0 + 60: 1}),
        (["2026-01-01T00:01:00.000001Z"], {T0 + 120: 1}),
        (["2026-01-01T00:00:00.000001Z", "2026-01-01T00:00:59.999Z"], {T0 + 60: 2}),
        (["2026-01-01T01:01:00+01:00"], {T0 + 60: 1}),
        (["1767225660", "1767225660.5"], {T0 + 60: 1, T0 + 120: 1}),
        (["1767225660000", "1767225660001"], {T0 + 60: 1, T0 + 120: 1}),
    ],
    ids=[
        "an event on a minute boundary counts in the minute ending there",
        "a microsecond later it counts in the next minute",
        "a minute holds everything after its start up to its end",
        "an offset is honoured",
        "epoch seconds on and after a boundary",
        "epoch milliseconds on and after a boundary",
    ],
)
def test_minutes_are_labelled_by_their_end(
    tmp_path: Path, times: list[str], expected: dict[int, int]
) -> None:
    events = tmp_path / "edges.csv"
    events.write_text("ts,ok\n" + "".join(f"{t},1\n" for t in times))
    counts = event_counts(events, EventColumns(time="ts", good="ok"))
    assert dict(zip(counts.timestamps.tolist(), counts.total.tolist(), strict=True)) == expected
    assert counts.good.tolist() == counts.total.tolist()


def test_quiet_minutes_inside_the_file_are_filled_with_zeros(tmp_path: Path) -> None:
    events = tmp_path / "gaps.csv"
    events.write_text("ts,ok\n1767225630,1\n1767225630,0\n1767225870,1\n")
    counts = event_counts(events, EventColumns(time="ts", good="ok"))
    assert counts.timestamps.tolist() == [T0 + 60, T0 + 300]
    start = datetime.fromtimestamp(T0 - 3600, UTC)
    filled = within(counts, start, start + timedelta(hours=2))
    assert filled.timestamps.tolist() == [T0 + 60 * m for m in range(1, 6)]
    assert filled.total.tolist() == [2, 0, 0, 0, 1]
    assert filled.good.tolist() == [1, 0, 0, 0, 1]
    later = within(counts, datetime.fromtimestamp(T0 + 60, UTC), start + timedelta(hours=2))
    assert later.timestamps.tolist() == [T0 + 120, T0 + 180, T0 + 240, T0 + 300]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5xx", ((500, 599),)), ("5xx, 429", ((500, 599), (429, 429))), ("500-504", ((500, 504),))],
    ids=["a class", "a class and a code", "a range"],
)
def test_bad_status_lists(text: str, expected: tuple[tuple[int, int], ...]) -> None:
    assert parse_bad_status(text) == expected


def test_thresholds_and_latency_units() -> None:
    assert parse_threshold("300ms") == pytest.approx(0.3)
    assert parse_threshold("1.5s") == 1.5
    columns = event_columns(latency="latencyMs", latency_threshold="0.25s")
    assert (columns.latency_unit, columns.latency_threshold) == ("ms", 250)
    columns = event_columns(latency="latency", latency_threshold="300ms", latency_unit="s")
    assert columns.latency_threshold == pytest.approx(0.3)
    with pytest.raises(Invalid, match="not a duration"):
        parse_threshold("300")
