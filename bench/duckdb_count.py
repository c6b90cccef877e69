"""The baselines of benchmark (b): bare DuckDB aggregates over an event file, each in a process
of its own. Prints `{"rows": N, "errors": M, "minutes": K}`.

- default: `count(*)` and the rows with `status >= 500`: one read of both columns;
- `--per-minute`: the same counts grouped by the minute that ends at or after each request,
  the shape of result `ninefold slo status --events` builds, without its checks.

Usage: python -m bench.duckdb_count [--per-minute] FILE.parquet
"""

from __future__ import annotations

import argparse
import json
import sys

import duckdb

TOTAL = "SELECT count(*), count(*) FILTER (WHERE status >= 500), 1 FROM read_parquet($path)"
PER_MINUTE = """
    SELECT sum(requests), sum(errors), count(*) FROM (
        SELECT CAST(ceil(epoch_us(timestamp) / 60000000.0) AS BIGINT) AS minute,
               count(*) AS requests, count(*) FILTER (WHERE status >= 500) AS errors
        FROM read_parquet($path) GROUP BY minute
    )
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-minute", action="store_true")
    parser.add_argument("path")
    args = parser.parse_args()
    with duckdb.connect() as db:
        db.execute("SET TimeZone = 'UTC'")
        found = db.execute(PER_MINUTE if args.per_minute else TOTAL, {"path": args.path})
        rows, errors, minutes = found.fetchone() or (0, 0, 0)
    json.dump({"rows": int(rows), "errors": int(errors), "minutes": int(minutes)}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
