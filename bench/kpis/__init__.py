"""Benchmark (h): the KPI table of every team for a quarter over two years of history, and
the KPI page at that size.

The history: 500 services of 25 teams (200 people, a weekly on-call rotation per team),
seeded, over the two years 2024-12-01 to 2026-12-01: 50,000 incidents (instants, severities,
categories, linked alert groups, postmortems and action items), 2,000,000 pages (first
notifications of an alert group to a person) on about 950,000 alert groups (acknowledgements,
answers, resolutions at the source or by hand, escalation up to four steps) and 1,000,000
production deploys (rollbacks, hotfixes, deploys naming the incident they caused, incidents
naming the deploy) with their commits. `--kpi-scale` multiplies the incidents, pages and
deploys (the catalog stays). It is bulk-loaded straight into the tables of a migrated SQLite
database, with every column the service layer fills in, as benchmark (g) does: going through
the use cases millions of times would measure the loading, not the report.

- The KPI table: `reports.kpis.kpi_table` for the third quarter of 2026 (and, as it always
  does, the quarter before) for each team, each call whole and in a session of its own, as
  `ninefold kpi --team T --from 2026-07-01 --to 2026-10-01` makes it, against one DuckDB
  query computing the same figures for every team and both quarters from the same rows held
  in DuckDB's memory: the least the aggregates can cost. Every figure, and what it is made
  of (counts, means, P50 and P90, numerators and denominators, incidents per severity), of
  every team and both quarters must agree.
- The KPI page: `GET /kpis?team=T&from=...&to=...` through a real `ninefold serve` on
  loopback, logged in through the login form, its server time (the request's wall time on
  loopback).
- The quarterly report: `reporting.make` of the quarterly report of 2026-Q3 for those teams,
  the document built (its KPI table over four quarters, and its sections), not rendered.
- Where the time goes: cProfile over one team's `kpi_table`.

The package, in the order the benchmark runs: `world` (the catalog, people and rotations,
written through the use cases), `history` and `paging` (drawing the history), `load`
(bulk-loading it into SQLite), `duckdb_copy` and `floor` (the same figures in DuckDB, and the
comparison), `measure` (timing Ninefold); `run` here runs them all.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench.kpis.duckdb_copy import check_shifts, duckdb_copy
from bench.kpis.floor import QUERY_RUNS, disagreements, time_duckdb
from bench.kpis.history import make_history
from bench.kpis.load import load
from bench.kpis.measure import Profile, Timed, kpi_page, kpi_tables, profile, quarterly_reports
from bench.kpis.world import QUARTER, write_catalog
from bench.measure import Spread
from ninefold import migrations
from ninefold.db import make_engine

PAGE_RUNS = 3  # timed page requests, teams in turn, after one uncounted


@dataclass(frozen=True)
class Result:
    scale: float
    counts: dict[str, int]
    generate_s: float
    load_s: float
    copy_s: float
    duckdb_s: list[float]
    table_s: dict[str, float]
    compared: int
    problems: list[str]
    profile: Profile | None
    page: list[Timed]
    reports: list[Timed]
    version: str

    @property
    def ok(self) -> bool:
        return not self.problems and not any(t.error for t in [*self.page, *self.reports])

    def text(self) -> str:
        n = self.counts
        query = Spread.of(self.duckdb_s)
        per_team = Spread.of(list(self.table_s.values()))
        total = sum(self.table_s.values())
        agree = "all agree" if not self.problems else f"{len(self.problems)} DISAGREE"
        lines = [
            f"(h) the KPI table of each of {n['teams']} teams for {QUARTER.start:%Y-%m-%d} to "
            f"{QUARTER.end:%Y-%m-%d} (and the quarter before) over two years of history, "
            f"scale {self.scale:g}: {n['incidents']:,} incidents ({n['postmortems']:,} "
            f"postmortems, {n['action_items']:,} action items), {n['pages']:,} pages on "
            f"{n['alert_groups']:,} alert groups, {n['changes']:,} changes ({n['deploys']:,} "
            f"deploys, {n['rollbacks']:,} rollbacks) with {n['commits']:,} commits; "
            f"{n['services']} services, {n['people']} people on call in {n['teams']} rotations",
            f"  generated in {self.generate_s:.0f} s, loaded into {self.version} in "
            f"{self.load_s:.0f} s, read into DuckDB in {self.copy_s:.0f} s",
            f"  DuckDB {duckdb.__version__}, one query for every team and both quarters, median "
            f"of {QUERY_RUNS} after a warm-up: {query.show()}",
            f"  kpi_table, one call per team: total {total:.1f} s; per team {per_team.show()}",
            f"  x DuckDB: all teams {total / query.median:,.0f}; one team "
            f"{per_team.median / query.median:,.0f} (the query answers all {n['teams']} teams)",
            f"  {self.compared:,} figures compared with DuckDB's: {agree}",
        ]
        lines += [f"    {problem}" for problem in self.problems[:60]]
        if len(self.problems) > 60:
            lines.append(f"    ... and {len(self.problems) - 60} more")
        for what, timed in (
            ("GET /kpis?team=T (logged in, `ninefold serve` on loopback)", self.page),
            ("the quarterly report of 2026-Q3 for team T (reporting.make)", self.reports),
        ):
            if not timed:
                continue
            spread = Spread.of([t.seconds for t in timed])
            lines.append(
                f"  {what}: {spread.show()}; x DuckDB (all teams) "
                f"{spread.median / query.median:,.0f}"
            )
            lines += [
                f"    {t.team}: {t.seconds:.1f} s, "
                + (f"FAILED: {t.error}" if t.error else f"{t.size:,} (bytes or sections)")
                for t in timed
            ]
        if self.profile is not None:
            p = self.profile
            lines.append(f"  cProfile of kpi_table for {p.team}: {p.total_s:.1f} s profiled")
            lines += [
                f"    {label:<44} {seconds:>7.1f} s {seconds / p.total_s:>5.0%}"
                for label, seconds in p.phases
            ]
            lines += ["    " + line for line in p.top.rstrip().splitlines()]
        return "\n".join(lines)

    def summary(self) -> dict[str, object]:
        return {
            "scale": self.scale,
            "counts": self.counts,
            "period": [QUARTER.start.isoformat(), QUARTER.end.isoformat()],
            "database": self.version,
            "generate_s": self.generate_s,
            "load_s": self.load_s,
            "duckdb_copy_s": self.copy_s,
            "duckdb_s": self.duckdb_s,
            "kpi_table_s": self.table_s,
            "figures_compared": self.compared,
            "disagreements": self.problems,
            "page": [vars(t) for t in self.page],
            "quarterly_report": [vars(t) for t in self.reports],
            "profile": None
            if self.profile is None
            else {
                "team": self.profile.team,
                "total_s": self.profile.total_s,
                "phases": dict(self.profile.phases),
            },
        }


def run(scale: float, seed: int, page_teams: int = PAGE_RUNS, keep: Path | None = None) -> Result:
    """Generate, migrate, load, check the shifts, copy into DuckDB, time the query, time
    `kpi_table` for every team, compare, profile one team, time the page."""
    print(f"(h) generating the history at scale {scale:g} ...", flush=True)
    start = time.perf_counter()
    history = make_history(scale, seed)
    generate_s = time.perf_counter() - start
    teams = history.world.teams
    with tempfile.TemporaryDirectory(prefix="ninefold-bench-kpis-") as tmp:
        work = keep or Path(tmp)
        path = work / "ninefold.db"
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        migrations.upgrade(engine)
        user_ids = write_catalog(engine, history.world)
        version = f"SQLite {sqlite3.sqlite_version}"
        print(f"(h) loading {version} ...", flush=True)
        start = time.perf_counter()
        load(engine, history, user_ids)
        load_s = time.perf_counter() - start
        problems = check_shifts(engine, history.world)
        print("(h) reading into DuckDB and timing the query ...", flush=True)
        start = time.perf_counter()
        duck = duckdb_copy(engine, history.world)
        copy_s = time.perf_counter() - start
        duckdb_s, rows = time_duckdb(duck)
        duck.close()
        print(f"(h) kpi_table for each of {len(teams)} teams ...", flush=True)
        table_s, found = kpi_tables(engine, teams)
        compared, differing = disagreements(found, rows)
        problems += differing
        total, query = sum(table_s.values()), statistics.median(duckdb_s)
        print(
            f"(h) kpi_table: {total:.1f} s for all teams, median "
            f"{statistics.median(table_s.values()):.1f} s; "
            f"DuckDB {query:.3f} s; {compared:,} figures compared, {len(differing)} differ",
            flush=True,
        )
        busiest = max(teams, key=history.world.cat.owners.count)
        print(f"(h) profiling kpi_table for {busiest} ...", flush=True)
        found_profile = profile(engine, busiest)
        ordered = sorted(teams, key=lambda t: table_s[t])
        middle = ordered[len(ordered) // 2 - page_teams // 2 :][:page_teams]
        page, reports = [], []
        if page_teams:
            print("(h) the quarterly report ...", flush=True)
            reports = quarterly_reports(engine, url, work, middle)
        engine.dispose()
        if page_teams:
            print("(h) the KPI page through `ninefold serve` ...", flush=True)
            page = kpi_page(url, middle, work)
    return Result(
        scale,
        history.counts(),
        generate_s,
        load_s,
        copy_s,
        duckdb_s,
        table_s,
        compared,
        problems,
        found_profile,
        page,
        reports,
        version,
    )
