"""Runs the benchmarks and prints the results; docs/benchmarks.md explains them.

    python -m bench.run                      # everything, full size (from the repository root)
    python -m bench.run --rows 10000000      # a quicker event-file benchmark
    python -m bench.run --only engine --slos 100
    python -m bench.run --only storm --alerts 1000 --repeated 5000 --database sqlite
    python -m bench.run --only delivery
    python -m bench.run --only changes --changes 100000 --records 50
    python -m bench.run --only kpis --kpi-scale 0.1

Exit status 1 when a benchmark fails, two tools disagree on a number, or the alert storm lost
or duplicated anything; a peer that is not installed (slo-generator) or a PostgreSQL server
that does not answer is reported and skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import traceback
from importlib import metadata
from pathlib import Path

from bench.measure import MIB, Spread, run_process
from ninefold.clock import system_clock

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = (
    "engine", "events", "slo-generator", "storm", "delivery", "changes", "kpis", "capacity"
)  # fmt: skip
PACKAGES = ("sqlalchemy", "psycopg", "uvicorn", "httpx", "aiosmtpd")  # versions printed


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, str]:
    import duckdb
    import numpy

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = "unknown"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    prometheus = subprocess.run(
        ["prometheus", "--version"], capture_output=True, text=True, check=False
    )
    return {
        "date": system_clock().strftime("%Y-%m-%d"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "duckdb": duckdb.__version__,
        "prometheus": prometheus.stdout.split("(")[0].replace("prometheus, version", "").strip()
        or "not installed",
        **{name: _version(name) for name in PACKAGES},
    }


def engine(slos: int, days: int, repeats: int, seed: int) -> dict[str, object]:
    """Benchmark (a): each operation in a process of its own (see bench/engine.py)."""
    from bench.engine import OPS

    found: dict[str, dict] = {}
    for op in OPS:
        command = [sys.executable, "-m", "bench.engine", op, "--slos", str(slos)]
        command += ["--days", str(days), "--repeats", str(repeats), "--seed", str(seed)]
        done = run_process(command, cwd=ROOT).check(f"bench.engine {op}")
        found[op] = json.loads(done.stdout)
    floor_sum = Spread.of(found["floor-sum"]["seconds"]).median
    floor_cumsum = Spread.of(found["floor-cumsum"]["seconds"]).median
    floor_rss = found["floor-sum"]["peak_rss"]
    lines = [
        f"(a) engine: {slos:,} SLOs x {days} days of 1-minute good/total counts "
        f"({found['status']['input_bytes'] / MIB:,.0f} MiB of float64), median of {repeats} "
        "in-process runs after a warm-up; one process per operation; working memory is the "
        "peak RSS less the RSS once the inputs were built",
        "  operation      time (min-max)              per SLO    x sum   x cumsum"
        "   peak RSS (x sum's)   working memory",
    ]
    for op in OPS:
        result = found[op]
        time = Spread.of(result["seconds"])
        result["median_s"] = time.median
        result["x_floor_sum"] = time.median / floor_sum
        result["x_floor_cumsum"] = time.median / floor_cumsum
        result["peak_rss_x_floor_sum"] = result["peak_rss"] / floor_rss
        working = (result["peak_rss"] - result["rss_with_inputs"]) / MIB
        lines.append(
            f"  {op:<13}  {time.show():<26}  {time.median / slos * 1000:>6.3f} ms"
            f"  {result['x_floor_sum']:>6.1f}  {result['x_floor_cumsum']:>8.2f}"
            f"  {result['peak_rss'] / MIB:>6.0f} MiB ({result['peak_rss_x_floor_sum']:.2f})"
            f"   {working:>11.1f} MiB"
        )
    lines.append(
        f"  checks: status {found['status']['check']}; backtest {found['backtest']['check']}"
    )
    print("\n".join(lines), flush=True)
    return {"slos": slos, "days": days, "repeats": repeats, "operations": found}


def events(rows: int, runs: int, cache: Path) -> tuple[dict[str, object], bool]:
    from bench.event_file import run

    print(f"(b) writing or reusing the event file of {rows:,} rows in {cache} ...", flush=True)
    result = run(rows, runs, cache)
    print(result.text(), flush=True)
    return result.summary(), result.agree


def peer(runs: int, seed: int) -> tuple[dict[str, object], bool]:
    from bench.peer_slo_generator import peer_problem, run

    problem = peer_problem()
    if problem is not None:
        print(f"(c) slo-generator: NOT RUN: {problem}", flush=True)
        return {"skipped": problem}, True
    print(
        "(c) backfilling 35 days into a Prometheus on a loopback port and waiting for it to "
        "compact them (about 2 minutes) ...",
        flush=True,
    )
    result = run(runs, seed)
    print(result.text(), flush=True)
    return result.summary(), result.agree


def storm(args: argparse.Namespace) -> tuple[dict[str, object], bool]:
    from bench.storm import run

    result = run(
        args.database or ["sqlite", "postgresql"],
        args.alerts,
        args.repeated,
        args.concurrency,
        args.storm_runs,
        args.seed,
        args.postgres,
        args.workers,
    )
    print(result.text(), flush=True)
    return result.summary(), result.ok


def delivery(args: argparse.Namespace) -> dict[str, object]:
    from bench.big_delivery import RUNS, run

    found = run(args.database or ["sqlite", "postgresql"], args.postgres)
    print(
        f"(f) one Alertmanager request of the most alerts the intake takes, median of {RUNS} "
        "(new alerts each time, after a warm-up), against one executemany of as many rows",
        flush=True,
    )
    print("\n".join(d.text() for d in found), flush=True)
    return {d.database: {"request_s": d.request, "floor_s": d.floor} for d in found}


def changes(args: argparse.Namespace) -> tuple[dict[str, object], bool]:
    from bench.changes_dora import run

    result = run(
        args.database or ["sqlite", "postgresql"],
        args.changes_postgres,
        args.changes,
        args.records,
        args.seed,
    )
    print(result.text(), flush=True)
    return result.summary(), result.ok


def kpi_table(args: argparse.Namespace) -> tuple[dict[str, object], bool]:
    from bench.kpis import run

    result = run(args.kpi_scale, args.seed, args.kpi_pages)
    print(result.text(), flush=True)
    return result.summary(), result.ok


def capacity(args: argparse.Namespace) -> tuple[dict[str, object], bool]:
    from bench.capacity_co2 import run

    result = run(args.folds)
    print(result.text(), flush=True)
    return result.summary(), result.ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description="Benchmarks of the SLO engine and the alert intake (docs/benchmarks.md).",
    )
    parser.add_argument(
        "--only", action="append", choices=BENCHMARKS, help="run only this benchmark (repeatable)"
    )
    parser.add_argument("--slos", type=int, default=1000, help="(a) SLOs (default 1000)")
    parser.add_argument("--days", type=int, default=30, help="(a) days of counts (default 30)")
    parser.add_argument(
        "--repeats", type=int, default=3, help="(a) timed runs per operation (default 3)"
    )
    parser.add_argument(
        "--rows", type=int, default=100_000_000, help="(b) event rows (default 100,000,000)"
    )
    parser.add_argument(
        "--runs", type=int, default=5, help="(b), (c) whole-process runs each (default 5)"
    )
    parser.add_argument(
        "--alerts", type=int, default=10_000, help="(d) distinct alerts (default 10,000)"
    )
    parser.add_argument(
        "--repeated",
        type=int,
        default=50_000,
        help="(d) repeated deliveries of those alerts (default 50,000)",
    )
    parser.add_argument(
        "--concurrency", type=int, default=32, help="(d) requests in flight (default 32)"
    )
    parser.add_argument(
        "--database",
        action="append",
        choices=("sqlite", "postgresql"),
        help="(d), (f), (g) only this database (repeatable; default both)",
    )
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/ninefold_bench",
        help="(d) the PostgreSQL database to drop, create and storm (default %(default)s)",
    )
    parser.add_argument(
        "--storm-runs", type=int, default=1, help="(d) storms per database (default 1)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="(d) run serve --no-worker and this many ninefold worker processes "
        "(default 0: the worker inside serve)",
    )
    parser.add_argument(
        "--changes",
        type=int,
        default=1_000_000,
        help="(g) changes of history, with 3 commits each on average (default 1,000,000)",
    )
    parser.add_argument(
        "--records",
        type=int,
        default=100,
        help="(g) changes recorded through the API, by one client and again by two (default 100)",
    )
    parser.add_argument(
        "--changes-postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/ninefold_bench_changes",
        help="(g) the PostgreSQL database to drop, create and load (default %(default)s)",
    )
    parser.add_argument(
        "--kpi-scale",
        type=float,
        default=1.0,
        help="(h) size of the history: 1 is 50,000 incidents, 2,000,000 pages and 1,000,000 "
        "deploys over two years (default 1)",
    )
    parser.add_argument(
        "--kpi-pages",
        type=int,
        default=3,
        help="(h) teams whose quarterly report is built and whose KPI page is requested "
        "through `ninefold serve`, 0 for none (default 3)",
    )
    parser.add_argument(
        "--folds", type=int, default=10, help="(i) years of the CO2 series held out (default 10)"
    )
    parser.add_argument("--seed", type=int, default=20261123, help="seed of the synthetic data")
    parser.add_argument(
        "--cache",
        type=Path,
        default=ROOT / "bench" / ".cache",
        help="where the event files are kept (default bench/.cache)",
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = parser.parse_args(argv)
    chosen = args.only or list(BENCHMARKS)

    about = machine()
    print(
        f"{about['date']}  {about['cpu']}, {about['cores']} cores, {about['memory']}; "
        f"Python {about['python']}, NumPy {about['numpy']}, DuckDB {about['duckdb']}, "
        f"Prometheus {about['prometheus']}; SQLAlchemy {about['sqlalchemy']}, "
        f"psycopg {about['psycopg']}, Uvicorn {about['uvicorn']}, httpx {about['httpx']}, "
        f"aiosmtpd {about['aiosmtpd']}",
        flush=True,
    )
    results: dict[str, object] = {"machine": about}
    ok = True
    for name in chosen:
        try:
            if name == "engine":
                results[name] = engine(args.slos, args.days, args.repeats, args.seed)
            elif name == "events":
                results[name], agree = events(args.rows, args.runs, args.cache)
                ok &= agree
            elif name == "slo-generator":
                results[name], agree = peer(args.runs, args.seed)
                ok &= agree
            elif name == "delivery":
                results[name] = delivery(args)
            elif name == "changes":
                results[name], agree = changes(args)
                ok &= agree
            elif name == "kpis":
                results[name], agree = kpi_table(args)
                ok &= agree
            elif name == "capacity":
                results[name], agree = capacity(args)
                ok &= agree
            else:
                results[name], agree = storm(args)
                ok &= agree
        except Exception as exc:  # one failed benchmark must not hide the others' figures
            ok = False
            results[name] = {"failed": str(exc)}
            print(f"{name}: FAILED: {exc}", file=sys.stderr, flush=True)
            traceback.print_exc()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
