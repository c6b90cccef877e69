"""Where utilisation series come from: a CSV or Parquet file (read with DuckDB) or a PromQL
query over Prometheus' range API. Each failure says which file and line, or which query."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np

from ninefold.adapters.prometheus import PrometheusClient
from ninefold.capacity.model import Array
from ninefold.errors import Invalid

READERS = {".csv": "read_csv({path}, header = true, all_varchar = true)",
           ".parquet": "read_parquet({path})"}  # fmt: skip
NUMBER = r"-?[0-9]+(\.[0-9]+)?"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def read_file(path: Path) -> tuple[Array, Array]:
    """Columns `time` (ISO 8601, UTC unless it says otherwise, or epoch seconds) and `value`."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise Invalid(f"{path}: read CSV (.csv) or Parquet (.parquet) files, not {path.suffix!r}")
    if not path.is_file():
        raise Invalid(f"{path}: no such file")
    source = reader.format(path=_literal(str(path)))
    # The path is quoted as an SQL string literal; nothing else in the query is from outside.
    query = f"""
        WITH raw AS (
            SELECT row_number() OVER () AS n, CAST(time AS VARCHAR) AS time_text,
                   CAST(value AS VARCHAR) AS value_text
            FROM {source})
        SELECT n, time_text, value_text,
               CASE WHEN regexp_full_match(time_text, '{NUMBER}')
                    THEN TRY_CAST(time_text AS DOUBLE)
                    ELSE epoch(TRY_CAST(time_text AS TIMESTAMPTZ)) END,
               TRY_CAST(value_text AS DOUBLE)
        FROM raw ORDER BY n"""  # noqa: S608
    with duckdb.connect(":memory:") as db:
        db.execute("SET TimeZone = 'UTC'")
        try:
            rows = db.execute(query).fetchall()
        except duckdb.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise Invalid(
                f"{path}: cannot read it: {reason} (columns time and value needed)"
            ) from None
    csv = path.suffix.lower() == ".csv"
    for n, time_text, value_text, t, v in rows:
        # A CSV's data start on line 2, under the header; a Parquet file has rows, not lines.
        where = f"{path}:{n + 1}" if csv else f"{path}: row {n}"
        if t is None:
            raise Invalid(f"{where}: time {time_text!r} is neither ISO 8601 nor epoch seconds")
        if v is None:
            raise Invalid(f"{where}: value {value_text!r} is not a number")
    times = np.array([float(r[3]) for r in rows], dtype=np.float64)
    values = np.array([float(r[4]) for r in rows], dtype=np.float64)
    return times, values


def read_prometheus(
    url: str, query: str, end: datetime, history: timedelta, step: int
) -> tuple[Array, Array]:
    """One series of the query over `history` up to `end`, one point every `step` seconds."""
    aligned = datetime.fromtimestamp(end.timestamp() // step * step, end.tzinfo)
    with PrometheusClient(url) as client:
        found = client.query_range(query, aligned - history, aligned, step)
    if len(found) != 1:
        said = "no series" if not found else f"{len(found)} series"
        raise Invalid(f"the query {query!r} returned {said}; it must return one (sum it)")
    return found[0].timestamps, found[0].values
