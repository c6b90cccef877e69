"""Benchmark (b): `ninefold slo status --events FILE` over a Parquet file of request rows,
against a bare DuckDB aggregate over the same file, both timed as whole processes.

The file is written by DuckDB itself from its `range()` table function (seconds for 100
million rows) and kept in the cache directory, one file per row count. Its rows are requests
to checkout spread evenly over the 30 days ending 2026-11-23T00:00Z (the last one exactly at
the end, so every row falls in the SLO period), with columns `timestamp` (a Parquet timestamp)
and `status` (an HTTP code): 0.05% are 500s, 2% 404s (not errors), and during a 30-minute
outage ten days before the end one request in five is a 503. Which row is which comes from
`hash(row number)`, so the file is the same on every machine (with the same DuckDB version).

The commands, run in turn after one uncounted round, each a whole process (Python start-up
included):
- `python -m ninefold slo status examples/slos/checkout.yaml --events FILE --status-column
  status --json`: the command measured;
- `python -m bench.duckdb_count FILE`: `SELECT count(*), count(*) FILTER (WHERE status >= 500)
  FROM read_parquet(FILE)` in DuckDB: the least a status of the file has to do (read both
  columns once); the ratio to it is the headline;
- `python -m bench.duckdb_count --per-minute FILE`: the same counts grouped by minute, the
  shape of result Ninefold's reader builds, without its checks;
- `python -m ninefold slo status --help`: what start-up and imports alone cost.
Ninefold and both aggregates must agree on the number of rows and of errors.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.measure import MIB, ProcessRun, Spread, alternate, ratio, run_process

ROOT = Path(__file__).resolve().parent.parent
CHECKOUT = ROOT / "examples" / "slos" / "checkout.yaml"
START = datetime(2026, 10, 24, tzinfo=UTC)
SPAN_US = 30 * 86_400 * 1_000_000  # 30 days
OUTAGE_DAY, OUTAGE_MINUTES = 20, 30  # the outage starts 20 days after START
FILE_VERSION = "v1"  # in the cached file's name: change it when the rows change


def write_events(path: Path, rows: int) -> None:
    """Write `rows` request rows as Parquet with DuckDB (see the module docstring)."""
    import duckdb

    outage_start = rows * OUTAGE_DAY // 30
    outage_end = outage_start + rows * OUTAGE_MINUTES // (30 * 1440)
    # Row i (0-based) is at START + (i + 1) x 30 days / rows: the last one exactly at the end.
    query = f"""
        COPY (
            SELECT
                TIMESTAMP '{START:%Y-%m-%d %H:%M:%S}'
                    + to_microseconds(CAST(round((i + 1) * ({SPAN_US}.0 / {rows})) AS BIGINT))
                    AS timestamp,
                CAST(CASE
                    WHEN i >= {outage_start} AND i < {outage_end} AND hash(i) % 5 = 0 THEN 503
                    WHEN hash(i) % 10000 < 5 THEN 500
                    WHEN hash(i) % 10000 < 205 THEN 404
                    ELSE 200
                END AS SMALLINT) AS status
            FROM range({rows}) AS r(i)
        ) TO '{str(path).replace("'", "''")}' (FORMAT parquet, COMPRESSION zstd)
    """
    with duckdb.connect() as db:
        db.execute("SET TimeZone = 'UTC'")
        db.execute("SET enable_progress_bar = false")
        db.execute(query)


def events_file(rows: int, cache: Path) -> Path:
    """The cached file of `rows` rows, written first when missing."""
    path = cache / f"events-{FILE_VERSION}-{rows}.parquet"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        write_events(partial, rows)
        partial.rename(path)
    return path


LABELS = {
    "ninefold": "ninefold slo status --events",
    "duckdb": "duckdb count(*), errors",
    "per-minute": "duckdb the same per minute",
    "startup": "ninefold slo status --help",
}


@dataclass(frozen=True)
class EventsResult:
    rows: int
    file_bytes: int
    runs: int
    found: dict[str, list[ProcessRun]]  # by the keys of LABELS
    counts: dict[str, tuple[float, float]]  # rows (events) and errors, by who counted

    @property
    def agree(self) -> bool:
        return len(set(self.counts.values())) == 1

    def wall(self, name: str) -> Spread:
        return Spread.of([r.wall for r in self.found[name]])

    def cpu(self, name: str) -> Spread:
        return Spread.of([r.cpu for r in self.found[name]])

    def rss(self, name: str) -> Spread:
        return Spread.of([r.peak_rss / MIB for r in self.found[name]])

    def ratio(self, name: str, to: str, figure: str = "wall") -> Spread:
        return ratio(
            [getattr(r, figure) for r in self.found[name]],
            [getattr(r, figure) for r in self.found[to]],
        )

    def summary(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "file_mib": round(self.file_bytes / MIB, 1),
            "runs": self.runs,
            "wall_s": {name: vars(self.wall(name)) for name in LABELS},
            "cpu_s": {name: vars(self.cpu(name)) for name in LABELS},
            "peak_rss_mib": {name: vars(self.rss(name)) for name in LABELS},
            "ninefold_over_duckdb_wall": vars(self.ratio("ninefold", "duckdb")),
            "ninefold_over_duckdb_peak_rss": vars(self.ratio("ninefold", "duckdb", "peak_rss")),
            "ninefold_over_per_minute_wall": vars(self.ratio("ninefold", "per-minute")),
            "ninefold_rows_per_s": self.rows / self.wall("ninefold").median,
            "counts": self.counts,
            "agree": self.agree,
        }

    def text(self) -> str:
        lines = [
            f"(b) slo status --events: {self.rows:,} rows of Parquet "
            f"({self.file_bytes / MIB:,.0f} MiB), median of {self.runs} runs each after one "
            "warm-up, whole processes"
        ]
        for name, label in LABELS.items():
            lines.append(
                f"  {label:<30} wall {self.wall(name).show():<24}  "
                f"cpu {self.cpu(name).show('s', 2):<22}  peak RSS {self.rss(name).show('MiB', 0)}"
            )
        lines += [
            f"  ninefold / duckdb count        wall {self.ratio('ninefold', 'duckdb').show('x', 1)}"
            f"   peak RSS {self.ratio('ninefold', 'duckdb', 'peak_rss').show('x', 2)}",
            f"  ninefold / duckdb per minute   wall "
            f"{self.ratio('ninefold', 'per-minute').show('x', 1)}",
            f"  ninefold: {self.rows / self.wall('ninefold').median / 1e6:,.1f} M rows/s "
            "(whole process)",
            "  rows, errors: "
            + "; ".join(f"{who} {n:,.0f}, {bad:,.0f}" for who, (n, bad) in self.counts.items())
            + (" -> agree" if self.agree else " -> DISAGREE"),
        ]
        return "\n".join(lines)


def run(rows: int, runs: int, cache: Path) -> EventsResult:
    path = events_file(rows, cache)
    python = sys.executable
    status = ["slo", "status", CHECKOUT, "--events", path, "--status-column", "status"]
    commands = {
        "ninefold": [python, "-m", "ninefold", *status, "--json"],
        "duckdb": [python, "-m", "bench.duckdb_count", path],
        "per-minute": [python, "-m", "bench.duckdb_count", "--per-minute", path],
        "startup": [python, "-m", "ninefold", "slo", "status", "--help"],
    }
    found = alternate(
        {
            name: lambda command=command, name=name: run_process(command, cwd=ROOT).check(name)
            for name, command in commands.items()
        },
        runs,
    )
    (report,) = json.loads(found["ninefold"][-1].stdout)
    counts = {"ninefold": (report["total_events"], report["bad_events"])}
    for name in ("duckdb", "per-minute"):
        counted = json.loads(found[name][-1].stdout)
        counts[name] = (float(counted["rows"]), float(counted["errors"]))
    return EventsResult(rows, path.stat().st_size, runs, found, counts)
