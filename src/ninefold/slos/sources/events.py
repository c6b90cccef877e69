"""Per-minute good and total event counts of an SLO, read from an event file with DuckDB.

An event file holds one row per request: CSV (with a header row), Parquet, or NDJSON (one JSON
object per line). A row has a time and one column that says whether it was good:

- a good/bad flag: boolean, 1/0, or the text true/false, t/f, 1/0, good/bad;
- an HTTP status code: bad when it is in `--bad-status` (default: 500 and above);
- a latency: good when at most the threshold.

Times are ISO 8601 text (an offset is honoured, none means UTC), timestamps of a Parquet file,
or epoch seconds or milliseconds; without `time_unit` the unit of epoch numbers is told from
their size (seconds from 1973 to 5138 are 1e8 to 1e11, milliseconds 1e11 to 1e14), and a file
whose numbers fall in both ranges, or in neither, is refused rather than guessed.

DuckDB reads the file once, in parallel and out of memory, and returns one row per minute; the
minute labelled `t` holds the events of `(t - 60 s, t]`, the convention of `slos.status`, so an
event at exactly 10:01:00 counts in the minute ending 10:01:00. Rows it cannot read (a time
that does not parse, a flag that is neither good nor bad) fail the whole file, naming the first
such row by its 1-based data row number (the header is not a row): a status computed over a
silently shortened file would be wrong without saying so.
"""

# S608: the queries are built from the file's path and the user's column names, quoted by
# `_literal` and `_ident`; DuckDB takes neither identifiers nor table functions as parameters.
# ruff: noqa: S608

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, get_args

import duckdb
import numpy as np

from ninefold.errors import Invalid
from ninefold.slos.core.model import Slo
from ninefold.slos.sources.prometheus import Array, Counts
from ninefold.slos.sources.report import Report, history_start, report_of
from ninefold.slos.spec.event_columns import (
    MICROS,
    EventColumns,
    TimeUnit,
)

Format = Literal["csv", "parquet", "ndjson"]
FORMATS: tuple[str, ...] = get_args(Format)
SUFFIXES: dict[str, Format] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
}
COMPRESSED = (".gz", ".zst")
# Epoch numbers whose unit can be told from their size: 1e8 s is 1973-03-03 and 1e11 s is
# the year 5138; the same instants in milliseconds are 1e11 and 1e14. Nothing is both.
PLAUSIBLE: dict[TimeUnit, tuple[float, float]] = {"s": (1e8, 1e11), "ms": (1e11, 1e14)}
# Times a report can show (Python's datetime stops at 9999); 1900 keeps 0 s and 0 ms out.
EARLIEST = int(datetime(1900, 1, 1, tzinfo=UTC).timestamp())
LATEST = int(datetime(9999, 12, 31, tzinfo=UTC).timestamp())


_GOOD_WORDS = ("good", "true", "t")
_BAD_WORDS = ("bad", "false", "f")
_TIMESTAMP_TYPES = ("TIMESTAMP", "DATE")
_NUMERIC_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
    "DECIMAL",
)


def file_format(path: Path, given: str | None = None) -> Format:
    """The format `--format` names, or the one the file's suffix says (`.csv.gz` is CSV)."""
    if given is not None:
        if given not in FORMATS:
            raise Invalid(f"--format: {given!r} is not csv, parquet or ndjson")
        return given  # type: ignore[return-value]  # checked above
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in COMPRESSED:
        suffixes.pop()
    found = SUFFIXES.get(suffixes[-1]) if suffixes else None
    if found is None:
        raise Invalid(
            f"{path}: cannot tell the format from the file name; "
            "give --format csv, parquet or ndjson"
        )
    return found


# --- SQL -------------------------------------------------------------------------------


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _kind(sql_type: str) -> str:
    """ "numeric", "timestamp", "text", "boolean" or the type itself."""
    base = sql_type.split("(", maxsplit=1)[0].split(" ", maxsplit=1)[0].upper()
    if base in _NUMERIC_TYPES:
        return "numeric"
    if base.startswith(_TIMESTAMP_TYPES):
        return "timestamp"
    if base == "VARCHAR":
        return "text"
    if base == "BOOLEAN":
        return "boolean"
    return sql_type


@dataclass(frozen=True)
class _Parse:
    """SQL expressions over one row of the source: its time in microseconds since the epoch
    and its verdict, each NULL where the row cannot be read; `number` is the time as an epoch
    number (NULL unless the times are numbers) and `problem` says what is wrong with the time
    and the verdict column (used on the first unreadable row only)."""

    micros: str
    good: str
    number: str
    time_problem: str
    verdict_problem: str


class _Reader:
    def __init__(self, path: Path, columns: EventColumns, fmt: Format) -> None:
        self.path, self.columns, self.fmt = path, columns, fmt
        self.db = duckdb.connect(":memory:")
        # Times without an offset are UTC, whatever the machine's zone.
        self.db.execute("SET TimeZone = 'UTC'")

    def close(self) -> None:
        self.db.close()

    def fail(self, message: str) -> Invalid:
        return Invalid(f"{self.path}: {message}")

    def sql(self, query: str) -> list[tuple[object, ...]]:
        try:
            return self.db.execute(query).fetchall()
        except duckdb.Error as exc:
            raise self._unreadable(exc) from None

    def _unreadable(self, exc: duckdb.Error) -> Invalid:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return self.fail(f"cannot read as {self.fmt}: {reason}")

    def source(self, mapped: list[str] | None = None) -> str:
        """The table function reading the file. CSV and NDJSON are read as text (their types
        are only sniffed from the first rows, and a later row of another shape would stop the
        scan with DuckDB's own message); Parquet files carry their types."""
        path = _literal(str(self.path))
        if self.fmt == "csv":
            return f"read_csv({path}, header = true, all_varchar = true)"
        if self.fmt == "parquet":
            return f"read_parquet({path})"
        if mapped is None:
            return f"read_json({path}, format = 'newline_delimited')"
        types = ", ".join(f"{_literal(name)}: 'VARCHAR'" for name in mapped)
        return f"read_json({path}, format = 'newline_delimited', columns = {{{types}}})"

    def types(self) -> dict[str, str]:
        """Column name -> DuckDB type of the mapped columns, after checking they exist."""
        described = self.sql(f"DESCRIBE SELECT * FROM {self.source()}")
        found = {str(row[0]): str(row[1]) for row in described}
        wanted = list(dict.fromkeys((self.columns.time, self.columns.verdict)))
        missing = [name for name in wanted if name not in found]
        if missing:
            names = ", ".join(repr(name) for name in missing)
            raise self.fail(
                f"no column {names}; the columns are: {', '.join(repr(n) for n in found)}"
            )
        if self.fmt == "ndjson":
            return dict.fromkeys(wanted, "VARCHAR")
        return {name: found[name] for name in wanted}

    def first_value(self, column: str, source: str) -> str | None:
        rows = self.sql(
            f"SELECT CAST({_ident(column)} AS VARCHAR) FROM {source} "
            f"WHERE {_ident(column)} IS NOT NULL LIMIT 1"
        )
        return str(rows[0][0]).strip() if rows else None

    def time_unit(self, column: str, kind: str, source: str) -> TimeUnit | None:
        """The unit of epoch numbers, or None when the times are ISO 8601 text or timestamps."""
        if kind == "timestamp":
            return None
        if self.columns.time_unit is not None:
            return self.columns.time_unit
        first = self.first_value(column, source)
        if first is None:
            return None  # every time is empty: each row fails with its number
        try:
            number = float(first)
        except ValueError:
            return None  # ISO 8601 text
        for unit, (low, high) in PLAUSIBLE.items():
            if low <= abs(number) < high:
                return unit
        raise self.fail(
            f"time column {column!r}: {first} is too small or too large to be epoch seconds "
            "or milliseconds of a plausible date; give --time-unit s or ms"
        )

    def parse(self, types: dict[str, str], unit: TimeUnit | None) -> _Parse:
        columns = self.columns
        time = _ident(columns.time)
        kind = _kind(types[columns.time])
        if kind == "timestamp":
            # A timestamp without a zone is UTC; casting it to TIMESTAMPTZ would give the same
            # instant (the session is in UTC) at several times the cost on large files.
            zoned = "WITH TIME ZONE" in types[columns.time].upper()
            micros = f"epoch_us(CAST({time} AS {'TIMESTAMPTZ' if zoned else 'TIMESTAMP'}))"
            number = "NULL"
            time_problem = "'is empty'"
        elif unit is not None and kind in ("numeric", "text"):
            number = f"TRY_CAST({time} AS DOUBLE)"
            micros = (
                f"CASE WHEN isfinite({number}) "
                f"THEN TRY_CAST(round({number} * {MICROS[unit]}) AS BIGINT) END"
            )
            name = "seconds" if unit == "s" else "milliseconds"
            time_problem = f"'is not a number of epoch {name}'"
        elif kind == "text":
            micros = f"epoch_us(TRY_CAST({time} AS TIMESTAMPTZ))"
            number = "NULL"
            time_problem = "'is not an ISO 8601 time such as 2026-11-23T10:00:00Z'"
        else:
            raise self.fail(
                f"time column {columns.time!r} holds {types[columns.time]}, not times; "
                "expected ISO 8601 text, timestamps or epoch numbers"
            )
        time_problem = f"CASE WHEN {time} IS NULL THEN 'is empty' ELSE {time_problem} END"
        good, verdict_problem = self._verdict(types)
        return _Parse(micros, good, number, time_problem, verdict_problem)

    def _verdict(self, types: dict[str, str]) -> tuple[str, str]:
        columns = self.columns
        column = _ident(columns.verdict)
        kind = _kind(types[columns.verdict])
        if columns.good:
            if kind == "boolean":
                return column, "'is empty'"
            value = column if kind == "numeric" else f"TRY_CAST({column} AS DOUBLE)"
            if kind not in ("numeric", "text"):
                raise self.fail(
                    f"good column {columns.good!r} holds {types[columns.good]}; expected "
                    "booleans, 1/0 or good/bad"
                )
            words = f"lower(trim(CAST({column} AS VARCHAR)))"
            good = (
                f"CASE WHEN {words} IN {_GOOD_WORDS} OR {value} = 1 THEN true "
                f"WHEN {words} IN {_BAD_WORDS} OR {value} = 0 THEN false END"
            )
            return good, "'is not true/false, 1/0 or good/bad'"
        name = "status" if columns.status else "latency"
        if kind == "numeric":
            number = f"CAST({column} AS DOUBLE)"
        elif kind == "text":
            number = f"TRY_CAST(trim({column}) AS DOUBLE)"
        else:
            raise self.fail(
                f"{name} column {columns.verdict!r} is not numeric: it holds "
                f"{types[columns.verdict]}"
            )
        if columns.status:
            bad = " OR ".join(
                f"({number} >= {low})" if high is None else f"({number} BETWEEN {low} AND {high})"
                for low, high in columns.bad_status
            )
            good = f"CASE WHEN isfinite({number}) THEN NOT ({bad}) END"
        else:
            good = (
                f"CASE WHEN isfinite({number}) THEN {number} <= {columns.latency_threshold!r} END"
            )
        return good, "'is not a number'"

    def first_unreadable(self, parse: _Parse, condition: str) -> tuple[int, str, str, str, str]:
        """The first row (1-based) where `condition` holds, its raw time and verdict, and
        what is wrong with each. One thread, so that rows are numbered in file order."""
        columns = self.columns
        self.sql("SET threads = 1")
        rows = self.sql(
            f"SELECT n, time_text, verdict_text, "
            f"CASE WHEN micros IS NULL THEN time_problem END, "
            f"CASE WHEN good IS NULL THEN verdict_problem END FROM ("
            f"SELECT row_number() OVER () AS n, "
            f"CAST({_ident(columns.time)} AS VARCHAR) AS time_text, "
            f"CAST({_ident(columns.verdict)} AS VARCHAR) AS verdict_text, "
            f"{parse.micros} AS micros, {parse.good} AS good, {parse.number} AS number, "
            f"{parse.time_problem} AS time_problem, {parse.verdict_problem} AS verdict_problem "
            f"FROM {self.source([columns.time, columns.verdict])}"
            f") WHERE {condition} ORDER BY n LIMIT 1"
        )
        found = rows[0]
        return int(str(found[0])), *(str(v) if v is not None else "" for v in found[1:])  # type: ignore[return-value]

    def minutes(self, step: int) -> Counts:
        types = self.types()
        columns = self.columns
        source = self.source(list(dict.fromkeys((columns.time, columns.verdict))))
        kind = _kind(types[columns.time])
        unit = self.time_unit(columns.time, kind, source)
        parse = self.parse(types, unit)
        # ceil(us / step): the step ending at or after the event, so (t - step, t] holds it.
        result = self.db_fetch(
            f"SELECT CAST(ceil(micros / {step * 1_000_000}.0) AS BIGINT) AS step, "
            f"count(*) AS total, count(*) FILTER (WHERE good) AS good, "
            f"count(*) FILTER (WHERE good IS NULL) AS unreadable, "
            f"min(number) AS low, max(number) AS high "
            f"FROM (SELECT {parse.micros} AS micros, {parse.good} AS good, "
            f"{parse.number} AS number FROM {source}) GROUP BY ALL ORDER BY step NULLS FIRST"
        )
        steps = result["step"]
        no_time = np.ma.getmaskarray(steps)
        rows = int(result["total"].sum())
        if rows == 0:
            raise self.fail("no events: the file has no data rows")
        unreadable = int(result["total"][no_time].sum()) + int(result["unreadable"].sum())
        if unreadable:
            raise self._row_error(parse, "micros IS NULL OR good IS NULL", unreadable)
        if unit is not None and self.columns.time_unit is None:
            low, high = PLAUSIBLE[unit]
            numbers = np.abs(np.concatenate((result["low"], result["high"])))
            if not ((numbers >= low) & (numbers < high)).all():
                name = "seconds" if unit == "s" else "milliseconds"
                raise self._row_error(
                    parse,
                    f"NOT (abs(number) >= {low!r} AND abs(number) < {high!r})",
                    reason=f"does not look like epoch {name} as the first time does; "
                    "give --time-unit s or ms",
                )
        seconds = steps * step
        if seconds.min() < EARLIEST or seconds.max() > LATEST:
            raise self._row_error(
                parse,
                f"NOT (micros BETWEEN {EARLIEST * 1_000_000} AND {LATEST * 1_000_000})",
                reason="is not between the years 1900 and 9999"
                + (f" as epoch {'seconds' if unit == 's' else 'milliseconds'}" if unit else ""),
            )
        return Counts(
            np.asarray(steps, dtype=np.float64) * step,
            np.asarray(result["good"], dtype=np.float64),
            np.asarray(result["total"], dtype=np.float64),
        )

    def db_fetch(self, query: str) -> dict[str, Any]:
        """Columns as NumPy arrays (masked where a column has NULLs)."""
        try:
            return self.db.execute(query).fetchnumpy()
        except duckdb.Error as exc:
            raise self._unreadable(exc) from None

    def _row_error(
        self, parse: _Parse, condition: str, count: int = 0, reason: str | None = None
    ) -> Invalid:
        """The first row where `condition` holds, and what is wrong with it: `reason` about its
        time, or else what the parsing expressions say."""
        row, time_text, verdict_text, time_problem, verdict_problem = self.first_unreadable(
            parse, condition
        )
        columns = self.columns
        more = f" ({count} rows cannot be read)" if count > 1 else ""
        if reason is not None:
            return self.fail(f"row {row}: time column {columns.time!r}: {time_text} {reason}")
        if time_problem:
            what = f"{time_text!r} {time_problem}" if time_text else "is empty"
            return self.fail(f"row {row}: time column {columns.time!r}: {what}{more}")
        role = "good" if columns.good else "status" if columns.status else "latency"
        what = f"{verdict_text!r} {verdict_problem}" if verdict_text else "is empty"
        return self.fail(f"row {row}: {role} column {columns.verdict!r}: {what}{more}")


# --- the adapter -------------------------------------------------------------------------


def event_counts(
    path: Path, columns: EventColumns, fmt: str | None = None, step: int = 60
) -> Counts:
    """Good and total events per step of the whole file, for the steps that have events (the
    step labelled `t` holds the events of `(t - step, t]`); `Invalid` naming the file, and the
    row where one is to blame, when it cannot be read."""
    found = file_format(path, fmt)
    if not path.exists():
        raise Invalid(f"{path}: no such file")
    if path.is_dir():
        raise Invalid(f"{path}: is a directory, not an event file")
    if path.stat().st_size == 0:
        raise Invalid(f"{path}: the file is empty")
    reader = _Reader(path, columns, found)
    try:
        return reader.minutes(step)
    finally:
        reader.close()


def within(counts: Counts, start: datetime, end: datetime, step: int = 60) -> Counts:
    """The steps of `counts` in `(start, end]`, with the steps between the file's first and
    last event that have no events filled in as zero: no traffic, rather than no data (which
    matters to time slices). Steps before the file's first event or after its last stay out.
    """
    if counts.timestamps.size == 0:
        return counts
    low = max(counts.timestamps[0], (start.timestamp() // step + 1) * step)
    high = min(counts.timestamps[-1], end.timestamp() // step * step)
    grid: Array = (
        np.arange(low, high + step / 2, step, dtype=np.float64) if low <= high else (np.empty(0))
    )
    keep = (counts.timestamps >= low) & (counts.timestamps <= high)
    index = ((counts.timestamps[keep] - low) // step).astype(np.int64)
    good, total = np.zeros_like(grid), np.zeros_like(grid)
    good[index] = counts.good[keep]
    total[index] = counts.total[keep]
    return Counts(grid, good, total)


def last_event(counts: Counts) -> datetime:
    """The end of the file's last step with events: where `--at` defaults for an event file."""
    return datetime.fromtimestamp(float(counts.timestamps[-1]), UTC)


def from_events(counts: Counts, slos: list[Slo], now: datetime, step: int = 60) -> list[Report]:
    """The status of each SLO at `now` over the counts of an event file."""
    return [report_of(slo, within(counts, history_start(slo, now), now, step), now) for slo in slos]
