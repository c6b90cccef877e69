"""Benchmark (g): the DORA table of every team over a million changes, and `change record`
through the API.

The history: 500 services of 25 teams, one year of changes (production and staging, some
failed or cancelled, rollbacks recorded or recognised as redeploys of earlier versions,
hotfixes, incidents caused and fixed) and three commits a change on average, seeded. It is
bulk-loaded straight into the `changes` and `change_commits` tables of a migrated database,
with the columns `chain.decide` derives (`role`, `undoes_id`, `fixes_deploy_id`) decided per
service here, as `service.record` would have left them: going through `record` a million
times would measure the loading, not the report.

- The DORA table: `dora_report.report` for a quarter with a row per team (the whole call: the
  catalog read, the deploys and commits loaded, the figures of the quarter and of the one
  before), against one DuckDB query computing the same figures from the same rows, held in
  DuckDB's memory: the least the aggregate can cost. Every figure of every team must agree.
- Recording: changes POSTed one at a time to a real `ninefold serve` on loopback (one client,
  then two at once), into the database holding the history, against the same rows written by
  one executemany per table in one transaction of that database.
"""

from __future__ import annotations

import bisect
import math
import sqlite3
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import httpx
import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine, delete, func, insert, select

from bench.measure import Spread
from bench.storm_stack import (
    machine_cpu,
    postgres_problem,
    process_cpu,
    recreate_database,
    serve_env,
    serving,
)
from ninefold import migrations
from ninefold.auth import service as auth_service
from ninefold.auth.model import Principal, Role
from ninefold.auth.schemas import UserSpec
from ninefold.catalog import service as catalog
from ninefold.catalog.schemas import ServiceSpec, TeamSpec
from ninefold.changes import chain
from ninefold.changes.dora import Period
from ninefold.changes.dora_report import Selection, report
from ninefold.changes.schemas import DoraFigures, DoraReport
from ninefold.changes.tables import Change, ChangeCommit
from ninefold.clock import system_clock
from ninefold.db import make_engine, make_session_factory, unit_of_work

YEAR_START = datetime(2025, 12, 1, tzinfo=UTC)
YEAR_END = datetime(2026, 12, 1, tzinfo=UTC)
QUARTER = Period(datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))
SERVICES = 500
TEAMS = 25
COMMITS_PER_CHANGE = 3
REPORT_RUNS = 3  # timed reports per database
QUERY_RUNS = 5  # timed DuckDB queries, after one uncounted
FLOOR_RUNS = 5
CLIENTS = 2  # the concurrent recording
ADMIN = Principal("bench", Role.ADMIN, "config")
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/ninefold_bench_changes"
KINDS = ("deploy", "config", "infrastructure", "feature_flag")
OUTCOMES = ("success", "failed", "cancelled")
US = 1_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CHANGE_COLUMNS = (
    "id",
    "service",
    "kind",
    "environment",
    "production",
    "version",
    "external_id",
    "content_hash",
    "author",
    "description",
    "url",
    "started_at",
    "finished_at",
    "outcome",
    "rollback",
    "reverts_id",
    "hotfix",
    "hotfix_of_id",
    "fixes_incident",
    "caused_incident",
    "freeze",
    "source",
    "recorded_by",
    "recorded_at",
    "commit_count",
    "role",
    "undoes_id",
    "fixes_deploy_id",
)
COMMIT_COLUMNS = ("id", "change_id", "position", "sha", "authored_at", "author", "title")

Ints = npt.NDArray[np.int64]


def _us(instant: datetime) -> int:
    return (instant - EPOCH) // timedelta(microseconds=1)


def _instant(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


# --- the history ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalog:
    services: list[str]
    owners: list[str]
    tiers: list[int]

    @property
    def teams(self) -> list[str]:
        return sorted(set(self.owners))


def make_catalog(seed: int) -> Catalog:
    """Most teams own a random share of the services; the last two own four quiet services
    each, so that the frequency bands below "on demand" come up in the table too."""
    rng = np.random.default_rng(seed)
    teams = [f"team-{k:02d}" for k in range(1, TEAMS + 1)]
    busy = SERVICES - 8
    owners = [teams[int(k)] for k in rng.integers(0, TEAMS - 2, busy)]
    owners += [teams[-2]] * 4 + [teams[-1]] * 4
    tiers = [int(t) for t in rng.choice(4, SERVICES, p=[0.1, 0.3, 0.4, 0.2])]
    return Catalog([f"svc-{k:03d}" for k in range(1, SERVICES + 1)], owners, tiers)


@dataclass
class History:
    """The changes in id order (ids 1..n, in order of finish) and their commits, as columns."""

    service: Ints  # index into the catalog
    finished: Ints  # microseconds since the epoch
    started: Ints
    production: npt.NDArray[np.bool_]
    kind: Ints
    outcome: Ints
    version: list[str]
    rollback: list[bool]
    reverts: list[int | None]
    hotfix: list[bool]
    hotfix_of: list[int | None]
    fixes_incident: list[int | None]
    caused_incident: list[int | None]
    author: Ints
    role: list[str | None]
    undoes: list[int | None]
    fixes_deploy: list[int | None]
    commit_count: Ints
    commit_change: Ints  # index of the change (id - 1)
    commit_position: Ints
    commit_authored: Ints
    commit_sha: list[str]

    @property
    def changes(self) -> int:
        return len(self.service)

    @property
    def commits(self) -> int:
        return len(self.commit_change)

    def counts(self) -> dict[str, int]:
        in_chain = sum(1 for role in self.role if role is not None)
        rollbacks = sum(1 for role in self.role if role == "rollback")
        return {
            "changes": self.changes,
            "commits": self.commits,
            "production": int(self.production.sum()),
            "in_chain": in_chain,
            "deploys": in_chain - rollbacks,
            "rollbacks": rollbacks,
            "recorded_rollbacks": sum(self.rollback),
            "hotfixes": sum(self.hotfix),
            "caused_incident": sum(1 for i in self.caused_incident if i is not None),
            "fixes_incident": sum(1 for i in self.fixes_incident if i is not None),
        }


def spread_over_services(
    rng: np.random.Generator,
    count: int,
    services: int,
    quiet: Sequence[int],
    start: datetime,
    end: datetime,
) -> tuple[Ints, Ints]:
    """`count` changes' services (indexes) and finishing instants, in order of finish: the
    last `len(quiet)` services `quiet` changes each (the quiet services of the last two
    teams), the others a log-normal share of the rest, at random instants in [start, end)."""
    weights = rng.lognormal(0.0, 1.0, services - len(quiet))
    counts = np.concatenate([rng.multinomial(count - sum(quiet), weights / weights.sum()), quiet])
    service = np.repeat(np.arange(services, dtype=np.int64), counts)
    first, span = _us(start), _us(end) - _us(start)
    finished = rng.integers(0, span, count, dtype=np.int64)
    order = np.argsort(finished, kind="stable")
    return service[order], finished[order] + first


def make_history(changes: int, seed: int) -> History:
    """A seeded year of changes. Of the successful production deploys, 3% redeploy the
    version before the live one (recognised as rollbacks), 1% are recorded as rollbacks (half
    naming the deploy they undo), 3% are hotfixes (a fifth naming the deploy before the
    previous one), 1% redeploy the live version, the rest deploy a new version."""
    rng = np.random.default_rng(seed + 1)
    quiet = [round(changes * 6e-5)] * 4 + [round(changes * 8e-6)] * 4
    service, finished = spread_over_services(rng, changes, SERVICES, quiet, YEAR_START, YEAR_END)
    started = finished - rng.integers(60 * US, 1800 * US, changes, dtype=np.int64)
    production = rng.random(changes) < 0.8
    kind = rng.choice(4, changes, p=[0.94, 0.03, 0.02, 0.01]).astype(np.int64)
    outcome = rng.choice(3, changes, p=[0.92, 0.06, 0.02]).astype(np.int64)
    in_chain = production & (kind == 0) & (outcome == 0)
    caused_mask = production & (rng.random(changes) < 0.02)
    caused_ids = np.cumsum(caused_mask)
    fixes_mask = production & (rng.random(changes) < 0.01)
    fixes_ids = rng.integers(1, max(2, int(caused_ids[-1]) + 1), changes)

    service_list, chained = service.tolist(), in_chain.tolist()
    version, rollback, reverts, hotfix, hotfix_of = _versions(
        service_list, chained, rng.random(changes).tolist(), rng.random(changes).tolist()
    )
    role, undoes, fixes_deploy = _decided(
        service_list, finished.tolist(), chained, version, rollback, reverts, hotfix, hotfix_of
    )

    commit_count = rng.multinomial(changes * COMMITS_PER_CHANGE, np.full(changes, 1 / changes))
    commit_change = np.repeat(np.arange(changes, dtype=np.int64), commit_count)
    total = len(commit_change)
    firsts = np.cumsum(commit_count) - commit_count
    position = np.arange(total, dtype=np.int64) - np.repeat(firsts, commit_count)
    lead = (rng.lognormal(math.log(20 * 3600), 1.3, total) * US).astype(np.int64)
    late = rng.random(total) < 0.01  # authored after the deploy: kept, not in lead time
    lead[late] = -rng.integers(1, 3600 * US, int(late.sum()), dtype=np.int64)
    hexes = rng.bytes(20 * total).hex()
    return History(
        service=service,
        finished=finished,
        started=started,
        production=production,
        kind=kind,
        outcome=outcome,
        version=version,
        rollback=rollback,
        reverts=reverts,
        hotfix=hotfix,
        hotfix_of=hotfix_of,
        fixes_incident=[int(i) if m else None for i, m in zip(fixes_ids, fixes_mask, strict=True)],
        caused_incident=[
            int(i) if m else None for i, m in zip(caused_ids, caused_mask, strict=True)
        ],
        author=rng.integers(0, 2000, changes, dtype=np.int64),
        role=role,
        undoes=undoes,
        fixes_deploy=fixes_deploy,
        commit_count=commit_count.astype(np.int64),
        commit_change=commit_change,
        commit_position=position,
        commit_authored=finished[commit_change] - lead,
        commit_sha=[hexes[k : k + 40] for k in range(0, 40 * total, 40)],
    )


def _versions(
    service: list[int], in_chain: list[bool], action: list[float], pick: list[float]
) -> tuple[list[str], list[bool], list[int | None], list[bool], list[int | None]]:
    """Each change's version and what CI said of it, walking every service's changes in
    order of finish (see make_history). Changes outside the chain carry the version the
    service's next deploy will bring."""
    count = len(service)
    version = [""] * count
    rollback, hotfix = [False] * count, [False] * count
    reverts: list[int | None] = [None] * count
    hotfix_of: list[int | None] = [None] * count
    seen: list[list[int]] = [[] for _ in range(SERVICES)]  # versions deployed, ascending
    live = [0] * SERVICES  # 0: none yet
    upcoming = [1] * SERVICES
    last = [0] * SERVICES  # the latest two real deploys' ids (0: none)
    before_last = [0] * SERVICES
    for index in range(count):
        s = service[index]
        if not in_chain[index]:
            version[index] = f"1.{upcoming[s]}.0"
            continue
        now, u, chosen = live[s], action[index], 0
        at = bisect.bisect_left(seen[s], now)
        earlier = seen[s][at - 1] if now and at > 0 else 0
        if u < 0.03 and earlier:
            chosen = earlier
        elif u < 0.04 and now:
            chosen = earlier or now
            rollback[index] = True
            if pick[index] < 0.5 and last[s]:
                reverts[index] = last[s]
        else:
            if u < 0.07 and now:
                hotfix[index] = True
                if pick[index] < 0.2 and before_last[s]:
                    hotfix_of[index] = before_last[s]
            if 0.07 <= u < 0.08 and now:
                chosen = now
            else:
                chosen = upcoming[s]
                upcoming[s] += 1
                seen[s].append(chosen)
            before_last[s], last[s] = last[s], index + 1
        version[index] = f"1.{chosen}.0"
        live[s] = chosen
    return version, rollback, reverts, hotfix, hotfix_of


def _decided(
    service: list[int],
    finished: list[int],
    in_chain: list[bool],
    version: list[str],
    rollback: list[bool],
    reverts: list[int | None],
    hotfix: list[bool],
    hotfix_of: list[int | None],
) -> tuple[list[str | None], list[int | None], list[int | None]]:
    """`role`, `undoes_id` and `fixes_deploy_id` of every change, as `service.rechain`
    leaves them: `chain.decide` over each service's successful production deploys."""
    links: dict[int, list[chain.Link]] = defaultdict(list)
    for index, s in enumerate(service):
        if in_chain[index]:
            links[s].append(
                chain.Link(
                    index + 1,
                    version[index],
                    _instant(finished[index]),
                    rollback[index],
                    reverts[index],
                    hotfix[index],
                    hotfix_of[index],
                )
            )
    count = len(service)
    role: list[str | None] = [None] * count
    undoes: list[int | None] = [None] * count
    fixes: list[int | None] = [None] * count
    for chain_links in links.values():
        for change_id, decided in chain.decide(chain_links).items():
            role[change_id - 1] = decided.role.value
            undoes[change_id - 1] = decided.undoes
            fixes[change_id - 1] = decided.fixes
    return role, undoes, fixes


# --- loading --------------------------------------------------------------------------------

CHUNK = 100_000


def _stamps(us: Ints, zone: str) -> list[str]:
    """Instants as the text the database keeps: SQLAlchemy's SQLite form (UTC, no zone,
    always six digits of microseconds, which its comparisons rely on), or with `+00`."""
    text = np.datetime_as_string(us.astype("datetime64[us]"), unit="us").tolist()
    return [f"{t[:10]} {t[11:]}{zone}" for t in text]


def _change_rows(
    h: History, cat: Catalog, zone: str, lo: int, hi: int
) -> Iterator[tuple[object, ...]]:
    started, finished = _stamps(h.started[lo:hi], zone), _stamps(h.finished[lo:hi], zone)
    recorded = _stamps(h.finished[lo:hi] + 2 * US, zone)
    service, kind = h.service[lo:hi].tolist(), h.kind[lo:hi].tolist()
    outcome, count = h.outcome[lo:hi].tolist(), h.commit_count[lo:hi].tolist()
    production, author = h.production[lo:hi].tolist(), h.author[lo:hi].tolist()
    for i, k in enumerate(range(lo, hi)):
        yield (
            k + 1,
            cat.services[service[i]],
            KINDS[kind[i]],
            "production" if production[i] else "staging",
            production[i],
            h.version[k],
            f"ci-{k + 1}",
            f"{k + 1:064x}",
            f"dev-{author[i]:04d}",
            "",
            "",
            started[i],
            finished[i],
            OUTCOMES[outcome[i]],
            h.rollback[k],
            h.reverts[k],
            h.hotfix[k],
            h.hotfix_of[k],
            h.fixes_incident[k],
            h.caused_incident[k],
            None,
            "api",
            "bench",
            recorded[i],
            count[i],
            h.role[k],
            h.undoes[k],
            h.fixes_deploy[k],
        )


def _commit_rows(h: History, zone: str, lo: int, hi: int) -> Iterator[tuple[object, ...]]:
    authored = _stamps(h.commit_authored[lo:hi], zone)
    change, position = h.commit_change[lo:hi].tolist(), h.commit_position[lo:hi].tolist()
    for i, k in enumerate(range(lo, hi)):
        yield (
            k + 1,
            change[i] + 1,
            position[i],
            h.commit_sha[k],
            authored[i],
            f"dev-{change[i] % 2000:04d}",
            f"commit {position[i]} of change {change[i] + 1}",
        )


def load(engine: Engine, h: History, cat: Catalog) -> None:
    """Bulk-load the history in one transaction, the way one restores a dump: the plain
    indexes dropped and built again afterwards from the database's own definitions, the
    foreign-key checks off for the connection (the rows are consistent by construction),
    executemany on SQLite and COPY on PostgreSQL. Only the setup is faster for it: the
    tables, indexes and rows end up as `record` would have left them."""
    postgresql = engine.dialect.name == "postgresql"
    zone = "+00" if postgresql else ""

    def rows(table: str, lo: int, hi: int) -> Iterator[tuple[object, ...]]:
        if table == "changes":
            return _change_rows(h, cat, zone, lo, hi)
        return _commit_rows(h, zone, lo, hi)

    tables = (("changes", CHANGE_COLUMNS, h.changes), ("change_commits", COMMIT_COLUMNS, h.commits))
    raw = engine.raw_connection()
    try:
        connection: Any = raw.driver_connection
        cursor = connection.cursor()
        if postgresql:
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes i "
                "WHERE tablename IN ('changes', 'change_commits') "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
            )
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name IN ('changes', 'change_commits') AND sql IS NOT NULL"
            )
        indexes: list[tuple[str, str]] = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for table, columns, count in tables:
            names = ", ".join(f'"{column}"' for column in columns)
            for lo in range(0, count, CHUNK):
                chunk = rows(table, lo, min(count, lo + CHUNK))
                if postgresql:
                    with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                        for row in chunk:
                            copy.write_row(row)
                else:
                    marks = ", ".join("?" * len(columns))
                    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", chunk)
        for _, definition in indexes:
            cursor.execute(definition)
        if postgresql:
            for table in ("changes", "change_commits"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                )
        connection.commit()
        if postgresql:  # what autovacuum would do within a minute of such a load
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("ANALYZE changes")
            cursor.execute("ANALYZE change_commits")
            connection.commit()
        else:
            cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        raw.close()


def write_catalog(engine: Engine, cat: Catalog, clients: int) -> list[str]:
    """The teams and services through the catalog's own use cases, and an admin with one API
    token per client (two CI systems would hold a token each)."""
    now = system_clock()  # the server runs on the system clock too
    with unit_of_work(make_session_factory(engine)) as session:
        auth_service.create_user(session, ADMIN, UserSpec(name="bench", role=Role.ADMIN), now)
        for team in cat.teams:
            catalog.create_team(session, ADMIN, TeamSpec(name=team), now)
        for name, owner, tier in zip(cat.services, cat.owners, cat.tiers, strict=True):
            catalog.create_service(
                session, ADMIN, ServiceSpec(name=name, owner=owner, tier=tier), now
            )
        return [
            auth_service.create_token(session, ADMIN, "bench", Role.ADMIN, now, f"ci-{k}").secret
            for k in range(clients)
        ]


# --- the DORA table, by Ninefold and by DuckDB ------------------------------------------------


def time_report(engine: Engine) -> tuple[list[float], DoraReport]:
    """The whole `report` call, each run in a session of its own (nothing cached between).
    No uncounted run: at half a minute each there is nothing a warm-up would change, the
    load just before having left the database in the OS page cache."""
    factory = make_session_factory(engine)
    seconds: list[float] = []
    found: DoraReport | None = None
    for _ in range(REPORT_RUNS):
        with factory() as session:
            start = time.perf_counter()
            found = report(session, QUARTER, Selection(), group_by="team")
            seconds.append(time.perf_counter() - start)
            session.rollback()
    assert found is not None
    return seconds, found


def _ids(values: Sequence[int | None]) -> npt.NDArray[np.int64]:
    return np.array([0 if v is None else v for v in values], dtype=np.int64)


def _instant_sql(dialect: str, column: str) -> str:
    """An instant column as DuckDB can take it: SQLite's UTC text as it is; PostgreSQL's
    `timestamptz` as integer microseconds since the epoch (exact, and no Python datetimes)."""
    if dialect == "postgresql":
        return f"CAST(extract(epoch FROM {column}) * 1000000 AS BIGINT)"
    return column


def _instants(values: Sequence[Any], dialect: str) -> npt.NDArray[Any]:
    if dialect == "postgresql":
        return np.array(values, dtype=np.int64)
    return np.array(values, dtype=object)


def _as_timestamp(dialect: str, column: str) -> str:
    if dialect == "postgresql":
        return f"make_timestamp({column})"
    return f"CAST({column} AS TIMESTAMP)"


def duckdb_copy(engine: Engine) -> duckdb.DuckDBPyConnection:
    """The rows the report reads, read back from the database into DuckDB tables (not
    timed): the catalog's services with their teams, the changes' DORA columns, the commits'
    authored times. The DuckDB query then pays for no reading or parsing."""
    dialect = engine.dialect.name
    raw = engine.raw_connection()
    try:
        cursor: Any = raw.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(
            "SELECT s.name, t.name FROM services s JOIN teams t ON t.id = s.owner_team_id"
        )
        services = cursor.fetchall()
        cursor.execute(
            f"SELECT id, service, {_instant_sql(dialect, 'finished_at')}, role, undoes_id, "
            "fixes_deploy_id, hotfix, fixes_incident, caused_incident FROM changes"
        )
        changes = cursor.fetchall()
        authored = _instant_sql(dialect, "authored_at")
        cursor.execute(f"SELECT change_id, {authored} FROM change_commits")
        commits = cursor.fetchall()
    finally:
        raw.close()
    db = duckdb.connect()
    c = list(zip(*changes, strict=True))
    m = list(zip(*commits, strict=True))
    s = list(zip(*services, strict=True))
    db.register(
        "staged_changes",
        {
            "id": np.array(c[0], dtype=np.int64),
            "service": np.array(c[1], dtype=str),
            "finished": _instants(c[2], dialect),
            "role": np.array([r or "" for r in c[3]], dtype=str),
            "undoes_id": _ids(c[4]),
            "fixes_deploy_id": _ids(c[5]),
            "hotfix": np.array(c[6], dtype=bool),
            "fixes_incident": _ids(c[7]),
            "caused_incident": _ids(c[8]),
        },
    )
    db.register(
        "staged_commits",
        {"change_id": np.array(m[0], dtype=np.int64), "authored": _instants(m[1], dialect)},
    )
    db.register(
        "staged_services",
        {"service": np.array(s[0], dtype=str), "team": np.array(s[1], dtype=str)},
    )
    db.execute(
        "CREATE TABLE services AS SELECT CAST(service AS VARCHAR) AS service, "
        "CAST(team AS VARCHAR) AS team FROM staged_services"
    )
    db.execute(
        "CREATE TABLE changes AS SELECT id, CAST(service AS VARCHAR) AS service, "
        f"{_as_timestamp(dialect, 'finished')} AS finished_at, "
        "NULLIF(CAST(role AS VARCHAR), '') AS role, "
        "NULLIF(undoes_id, 0) AS undoes_id, NULLIF(fixes_deploy_id, 0) AS fixes_deploy_id, "
        "hotfix, NULLIF(fixes_incident, 0) AS fixes_incident, "
        "NULLIF(caused_incident, 0) AS caused_incident FROM staged_changes"
    )
    db.execute(
        "CREATE TABLE commits AS SELECT change_id, "
        f"{_as_timestamp(dialect, 'authored')} AS authored_at "
        "FROM staged_commits"
    )
    for name in ("staged_changes", "staged_commits", "staged_services"):
        db.unregister(name)
    return db


WEEK_US = 7 * 86_400 * US

# The DORA table of KPIS.md, for a period and the one before it, a row per team and period;
# the definitions as `dora.figures` applies them with no incidents known (a deploy's own
# `caused_incident` still makes it failed; a deploy fixing an incident is rework, the incident
# being unknown and so taken as open).
DORA_SQL = f"""
WITH periods AS (
    SELECT 'current' AS period, $start::TIMESTAMP AS p_start, $end::TIMESTAMP AS p_end
    UNION ALL
    SELECT 'previous', $previous::TIMESTAMP, $start::TIMESTAMP
),
teams AS (SELECT DISTINCT team FROM services),
rolled AS (
    SELECT undoes_id AS id, min(finished_at) AS at FROM changes
    WHERE role = 'rollback' AND undoes_id IS NOT NULL GROUP BY undoes_id
),
fixed AS (
    SELECT fixes_deploy_id AS id, min(finished_at) AS at FROM changes
    WHERE role = 'deploy' AND fixes_deploy_id IS NOT NULL GROUP BY fixes_deploy_id
),
deploys AS (
    SELECT p.period, p.p_start, s.team, c.id, c.finished_at, c.hotfix, c.fixes_incident,
           c.caused_incident, r.at AS rolled_back_at, f.at AS hotfixed_at
    FROM changes c
    JOIN services s ON s.service = c.service
    JOIN periods p ON c.finished_at >= p.p_start AND c.finished_at < p.p_end
    LEFT JOIN rolled r ON r.id = c.id
    LEFT JOIN fixed f ON f.id = c.id
    WHERE c.role = 'deploy'
),
marked AS (
    SELECT *,
        rolled_back_at IS NOT NULL OR hotfixed_at IS NOT NULL OR caused_incident IS NOT NULL
            AS failed,
        (epoch_us(coalesce(rolled_back_at, hotfixed_at)) - epoch_us(finished_at)) / 1e6
            AS recovery
    FROM deploys
),
counted AS (
    SELECT period, team, count(*) AS deploys,
        count(*) FILTER (WHERE failed) AS failed,
        count(*) FILTER (WHERE rolled_back_at IS NOT NULL) AS rolled_back,
        count(*) FILTER (WHERE failed AND recovery >= 0) AS recovered,
        quantile_cont(recovery, 0.5) FILTER (WHERE failed AND recovery >= 0) AS recovery_s,
        count(*) FILTER (WHERE hotfix OR fixes_incident IS NOT NULL) AS reworked,
        list(id ORDER BY id) FILTER (WHERE failed) AS failed_ids
    FROM marked GROUP BY period, team
),
lead AS (
    SELECT period, team, count(*) AS pairs, quantile_cont(seconds, 0.5) AS lead_s
    FROM (
        SELECT d.period, d.team,
            (epoch_us(d.finished_at) - epoch_us(m.authored_at)) / 1e6 AS seconds
        FROM deploys d JOIN commits m ON m.change_id = d.id
    )
    WHERE seconds > 0 GROUP BY period, team
),
week_days AS (
    SELECT period, team, (epoch_us(finished_at) - epoch_us(p_start)) // {WEEK_US} AS week,
        count(DISTINCT CAST(finished_at AS DATE)) AS days
    FROM deploys GROUP BY ALL
),
weekly AS (
    SELECT g.period, g.team, quantile_cont(coalesce(w.days, 0), 0.5) AS days
    FROM (
        SELECT period, team, unnest(range(0, CAST(ceil(
            (epoch_us(p_end) - epoch_us(p_start)) / {WEEK_US}) AS BIGINT))) AS week
        FROM periods, teams
    ) g
    LEFT JOIN week_days w USING (period, team, week)
    GROUP BY g.period, g.team
),
month_days AS (
    SELECT period, team, date_trunc('month', finished_at) AS month,
        count(DISTINCT CAST(finished_at AS DATE)) AS days
    FROM deploys GROUP BY ALL
),
monthly AS (
    SELECT g.period, g.team, quantile_cont(coalesce(m.days, 0), 0.5) AS days
    FROM (
        SELECT period, team,
            unnest(range(date_trunc('month', p_start), p_end, INTERVAL 1 MONTH)) AS month
        FROM periods, teams
    ) g
    LEFT JOIN month_days m USING (period, team, month)
    GROUP BY g.period, g.team
)
SELECT t.team, p.period,
    coalesce(c.deploys, 0) AS deploys,
    coalesce(c.deploys, 0) / ((epoch_us(p.p_end) - epoch_us(p.p_start)) / 86400e6)
        AS deploys_per_day,
    coalesce(c.deploys, 0) / ((epoch_us(p.p_end) - epoch_us(p.p_start)) / 86400e6) * 7
        AS deploys_per_week,
    CASE WHEN w.days >= 3 THEN 'on demand' WHEN w.days >= 1 THEN 'weekly'
         WHEN m.days >= 1 THEN 'monthly' ELSE 'fewer than monthly' END AS frequency_band,
    coalesce(l.pairs, 0) AS lead_time_pairs,
    l.lead_s / 60 AS lead_time_minutes,
    coalesce(c.failed, 0) AS failed,
    CASE WHEN c.deploys > 0 THEN c.failed / c.deploys END AS change_failure_rate,
    coalesce(c.rolled_back, 0) AS rolled_back,
    CASE WHEN c.deploys > 0 THEN c.rolled_back / c.deploys END AS rollback_rate,
    coalesce(c.recovered, 0) AS recovered,
    c.recovery_s / 60 AS recovery_minutes,
    coalesce(c.reworked, 0) AS reworked,
    CASE WHEN c.deploys > 0 THEN c.reworked / c.deploys END AS rework_rate,
    coalesce(c.failed_ids, []) AS failed_ids
FROM teams t CROSS JOIN periods p
LEFT JOIN counted c ON c.team = t.team AND c.period = p.period
LEFT JOIN lead l ON l.team = t.team AND l.period = p.period
JOIN weekly w ON w.team = t.team AND w.period = p.period
JOIN monthly m ON m.team = t.team AND m.period = p.period
ORDER BY t.team, p.period
"""
FIGURES = (
    "deploys",
    "deploys_per_day",
    "deploys_per_week",
    "frequency_band",
    "lead_time_pairs",
    "lead_time_minutes",
    "failed",
    "change_failure_rate",
    "rolled_back",
    "rollback_rate",
    "recovered",
    "recovery_minutes",
    "reworked",
    "rework_rate",
)


def quarter_parameters(quarter: Period) -> dict[str, datetime]:
    """`$start`, `$end` and `$previous` (the start of the quarter before) of a DuckDB query
    over `quarter` and the one before: naive UTC instants, as its TIMESTAMP columns hold."""

    def naive(instant: datetime) -> datetime:
        return instant.astimezone(UTC).replace(tzinfo=None)

    return {
        "start": naive(quarter.start),
        "end": naive(quarter.end),
        "previous": naive(quarter.previous().start),
    }


def time_duckdb(db: duckdb.DuckDBPyConnection) -> tuple[list[float], list[tuple[Any, ...]]]:
    parameters = quarter_parameters(QUARTER)
    seconds: list[float] = []
    rows: list[tuple[Any, ...]] = []
    for run in range(QUERY_RUNS + 1):
        start = time.perf_counter()
        rows = db.execute(DORA_SQL, parameters).fetchall()
        elapsed = time.perf_counter() - start
        if run:
            seconds.append(elapsed)
    return seconds, rows


def _same(ours: object, theirs: object) -> bool:
    if ours is None or theirs is None:
        return ours is None and theirs is None
    if isinstance(ours, float) or isinstance(theirs, float):
        assert isinstance(ours, int | float)
        assert isinstance(theirs, int | float)
        return math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-9)
    return ours == theirs


def disagreements(found: DoraReport, rows: list[tuple[Any, ...]]) -> tuple[int, list[str]]:
    """Figures compared, and every one on which Ninefold and DuckDB differ."""
    duck = {(row[0], row[1]): row[2:] for row in rows}
    problems: list[str] = []
    compared = 0
    for row in found.rows:
        periods: tuple[tuple[str, DoraFigures], ...] = (
            ("current", row.current),
            ("previous", row.previous),
        )
        for period, figures in periods:
            theirs = duck.pop((row.name, period), None)
            if theirs is None:
                problems.append(f"{row.name} {period}: no row from DuckDB")
                continue
            for name, value in zip(FIGURES, theirs, strict=False):
                ours = getattr(figures, name)
                ours = str(ours) if name == "frequency_band" else ours
                compared += 1
                if not _same(ours, value):
                    problems.append(f"{row.name} {period} {name}: Ninefold {ours}, DuckDB {value}")
            if period == "current":
                compared += 1
                if sorted(row.failed_deploys) != list(theirs[-1]):
                    problems.append(f"{row.name}: the failed deploys' ids differ")
    problems += [f"{team} {period}: no row from Ninefold" for team, period in duck]
    return compared, problems


# --- recording through the API ----------------------------------------------------------------


def _iso(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def bodies(count: int, first: int, cat: Catalog, seed: int) -> list[dict[str, Any]]:
    """Changes as CI sends them after the year of history: a deploy of a new version of a
    random service, to production (four in five) or staging, with three commits."""
    rng = np.random.default_rng(seed + 2 + first)
    services = rng.integers(0, SERVICES, count).tolist()
    staging = (rng.random(count) < 0.2).tolist()
    found = []
    for k in range(count):
        number = first + k
        finished = YEAR_END + timedelta(seconds=10 * number)
        found.append(
            {
                "service": cat.services[services[k]],
                "environment": "staging" if staging[k] else "production",
                "version": f"2.{number}.0",
                "external_id": f"bench-record-{number}",
                "author": f"dev-{number % 2000:04d}",
                "url": f"https://ci.example.com/runs/{number}",
                "started_at": _iso(finished - timedelta(minutes=5)),
                "finished_at": _iso(finished),
                "commits": [
                    {
                        "sha": f"{number:032x}{c:08x}",
                        "authored_at": _iso(finished - timedelta(hours=c + 1)),
                        "author": f"dev-{(number + c) % 2000:04d}",
                        "title": f"commit {c} of run {number}",
                    }
                    for c in range(COMMITS_PER_CHANGE)
                ],
            }
        )
    return found


@dataclass(frozen=True)
class Recording:
    clients: int
    changes: int
    wall: float
    latencies: list[float]
    serve_cpu: float  # seconds, `serve` with its worker
    machine_cpu: float  # core-seconds busy, every process (the database's too)
    errors: list[str]

    @property
    def per_s(self) -> float:
        return self.changes / self.wall

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.latencies, q)) if self.latencies else math.nan


def post_all(base: str, tokens: list[str], sent: list[dict[str, Any]], clients: int) -> Recording:
    """POST the changes one per request, `clients` clients at once (a thread and a
    connection each), every answer checked."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(k: int, part: list[dict[str, Any]]) -> None:
        headers = {"Authorization": f"Bearer {tokens[k]}"}
        with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
            for body in part:
                start = time.perf_counter()
                answer = http.post("/api/v1/changes", json=body)
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    if answer.status_code != 201:
                        errors.append(f"{answer.status_code}: {answer.text[:300]}")

    threads = [threading.Thread(target=client, args=(k, sent[k::clients])) for k in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Recording(clients, len(sent), time.perf_counter() - start, latencies, 0, 0, errors)


def record_through_api(
    url: str, tokens: list[str], cat: Catalog, count: int, seed: int, work: Path
) -> tuple[Recording, Recording]:
    """A real `ninefold serve` (its worker inside, the default) on a loopback port: a warm-up,
    then `count` changes from one client, then `count` more from CLIENTS at once."""
    base, env = serve_env(work, url)
    found = []
    with serving(env, work / "serve.log", 0) as servers:
        warm = post_all(base, tokens, bodies(5, 0, cat, seed), 1)
        if warm.errors:
            raise RuntimeError(f"recording a change failed: {warm.errors[0]}")
        for first, clients in ((100, 1), (100 + count, CLIENTS)):
            cpu, (busy, _) = process_cpu(servers[0].pid), machine_cpu()
            done = post_all(base, tokens, bodies(count, first, cat, seed), clients)
            found.append(
                Recording(
                    clients,
                    count,
                    done.wall,
                    done.latencies,
                    process_cpu(servers[0].pid) - cpu,
                    machine_cpu()[0] - busy,
                    done.errors,
                )
            )
    return found[0], found[1]


def insert_floor(engine: Engine, sent: list[dict[str, Any]]) -> list[float]:
    """Seconds to write the rows that recording `sent` makes (a change row with everything
    `record` fills in, and its commits) with one executemany per table in one transaction,
    FLOOR_RUNS times; the rows are deleted after each run."""
    with engine.connect() as db:
        base = (db.scalar(select(func.max(Change.id))) or 0) + 1_000_000
        commit_base = (db.scalar(select(func.max(ChangeCommit.id))) or 0) + 1_000_000
    now = system_clock()  # as `recorded_at` is, in serve
    changes: list[dict[str, Any]] = []
    commits: list[dict[str, Any]] = []
    for k, body in enumerate(sent):
        production = body["environment"] == "production"
        changes.append(
            {
                "id": base + k,
                "service": body["service"],
                "kind": "deploy",
                "environment": body["environment"],
                "production": production,
                "version": body["version"],
                "external_id": f"floor-{k}",
                "content_hash": f"{k:064x}",
                "author": body["author"],
                "description": "",
                "url": body["url"],
                "started_at": datetime.fromisoformat(body["started_at"]),
                "finished_at": datetime.fromisoformat(body["finished_at"]),
                "outcome": "success",
                "rollback": False,
                "reverts_id": None,
                "hotfix": False,
                "hotfix_of_id": None,
                "fixes_incident": None,
                "caused_incident": None,
                "freeze": None,
                "source": "api",
                "recorded_by": "bench",
                "recorded_at": now,
                "commit_count": len(body["commits"]),
                "role": "deploy" if production else None,
                "undoes_id": None,
                "fixes_deploy_id": None,
            }
        )
        for position, commit in enumerate(body["commits"]):
            commits.append(
                {
                    "id": commit_base + len(commits),
                    "change_id": base + k,
                    "position": position,
                    "sha": commit["sha"],
                    "authored_at": datetime.fromisoformat(commit["authored_at"]),
                    "author": commit["author"],
                    "title": commit["title"],
                }
            )
    seconds = []
    for _ in range(FLOOR_RUNS):
        start = time.perf_counter()
        with engine.begin() as db:
            db.execute(insert(Change), changes)
            db.execute(insert(ChangeCommit), commits)
        seconds.append(time.perf_counter() - start)
        _delete_from(engine, base)
    return seconds


def _delete_from(engine: Engine, base: int) -> None:
    """Delete the changes from id `base` on, and their commits, with the foreign-key actions
    off: nothing refers to these rows, and the self-references of `changes` have no index, so
    each deleted row would otherwise scan the table once per reference."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as db:
        if sqlite:  # outside a transaction, where SQLite takes it
            db.exec_driver_sql("PRAGMA foreign_keys = OFF")
        else:
            db.exec_driver_sql("SET LOCAL session_replication_role = replica")
        db.execute(delete(ChangeCommit).where(ChangeCommit.change_id >= base))
        db.execute(delete(Change).where(Change.id >= base))
        db.commit()
        if sqlite:
            db.exec_driver_sql("PRAGMA foreign_keys = ON")
            db.commit()


# --- the whole benchmark --------------------------------------------------------------------


@dataclass(frozen=True)
class DatabaseRun:
    database: str
    version: str
    load_s: float
    report_s: list[float]
    compared: int
    problems: list[str]
    floor_s: list[float]
    sequential: Recording
    concurrent: Recording

    @property
    def floor_per_s(self) -> float:
        return self.sequential.changes / statistics.median(self.floor_s)

    def text(self, duckdb_s: list[float]) -> list[str]:
        report, query = Spread.of(self.report_s), Spread.of(duckdb_s)
        agree = "all agree" if not self.problems else f"{len(self.problems)} DISAGREE"
        lines = [
            f"  {self.version}: loaded in {self.load_s:.0f} s; report {report.show()}, "
            f"x DuckDB {report.median / query.median:,.0f} "
            f"({report.low / query.high:,.0f}-{report.high / query.low:,.0f}); "
            f"{self.compared:,} figures compared with DuckDB's: {agree}",
        ]
        lines += [f"    {problem}" for problem in self.problems[:20]]
        floor = Spread.of([self.sequential.changes / s for s in self.floor_s])
        lines.append(
            f"    batched insert of the same {self.sequential.changes:,} changes and "
            f"{self.sequential.changes * COMMITS_PER_CHANGE:,} commits: "
            f"{floor.show('changes/s', 0)}"
        )
        for done in (self.sequential, self.concurrent):
            lines.append(
                f"    {done.clients} client{'s' if done.clients > 1 else ''}: "
                f"{done.per_s:,.1f} changes/s ({done.changes:,} in {done.wall:.1f} s), "
                f"latency p50 {done.percentile(50) * 1000:.1f} ms, "
                f"p99 {done.percentile(99) * 1000:.1f} ms; CPU a change: serve "
                f"{done.serve_cpu / done.changes * 1000:.0f} ms, whole machine "
                f"{done.machine_cpu / done.changes * 1000:.0f} ms; "
                f"x batched insert {done.per_s / self.floor_per_s:.4f}"
                + (f"; {len(done.errors)} FAILED, e.g. {done.errors[0]}" if done.errors else "")
            )
        return lines

    def summary(self) -> dict[str, object]:
        def recording(done: Recording) -> dict[str, object]:
            return {
                "clients": done.clients,
                "changes": done.changes,
                "wall_s": done.wall,
                "changes_per_s": done.per_s,
                "latency_p50_s": done.percentile(50),
                "latency_p99_s": done.percentile(99),
                "serve_cpu_s": done.serve_cpu,
                "machine_busy_core_s": done.machine_cpu,
                "errors": done.errors[:20],
                "x_batched_insert": done.per_s / self.floor_per_s,
            }

        return {
            "version": self.version,
            "load_s": self.load_s,
            "report_s": self.report_s,
            "figures_compared": self.compared,
            "disagreements": self.problems,
            "floor_s": self.floor_s,
            "floor_changes_per_s": self.floor_per_s,
            "sequential": recording(self.sequential),
            "concurrent": recording(self.concurrent),
        }


@dataclass(frozen=True)
class Result:
    counts: dict[str, int]
    teams: int
    generate_s: float
    copy_s: float
    duckdb_s: list[float]
    records: int
    runs: list[DatabaseRun]
    skipped: dict[str, str]

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(
            not run.problems and not run.sequential.errors and not run.concurrent.errors
            for run in self.runs
        )

    def text(self) -> str:
        n = self.counts
        lines = [
            f"(g) DORA table of {self.teams} teams for {QUARTER.start:%Y-%m-%d} to "
            f"{QUARTER.end:%Y-%m-%d} (and the period before) over {n['changes']:,} changes "
            f"({n['deploys']:,} deploys, {n['rollbacks']:,} rollbacks, {n['hotfixes']:,} "
            f"hotfixes) and {n['commits']:,} commits of {SERVICES} services; median of "
            f"{REPORT_RUNS} reports, of {QUERY_RUNS} DuckDB queries after a warm-up",
            f"  history generated and decided in {self.generate_s:.0f} s; read into DuckDB in "
            f"{self.copy_s:.0f} s; DuckDB {duckdb.__version__}, one query over the rows in "
            f"memory: {Spread.of(self.duckdb_s).show()}",
            f"  change record: POST /api/v1/changes to `ninefold serve`, {self.records:,} "
            f"changes with {COMMITS_PER_CHANGE} commits each, one client, then {CLIENTS} at once",
        ]
        lines += [f"  {name}: NOT RUN: {why}" for name, why in self.skipped.items()]
        for run in self.runs:
            lines += run.text(self.duckdb_s)
        return "\n".join(lines)

    def summary(self) -> dict[str, object]:
        return {
            "counts": self.counts,
            "teams": self.teams,
            "period": [QUARTER.start.isoformat(), QUARTER.end.isoformat()],
            "generate_s": self.generate_s,
            "duckdb_copy_s": self.copy_s,
            "duckdb_s": self.duckdb_s,
            "records": self.records,
            "databases": {run.database: run.summary() for run in self.runs},
            "skipped": self.skipped,
        }


def run(databases: Sequence[str], postgres: str, changes: int, records: int, seed: int) -> Result:
    """Generate once; per database: migrate, catalog, load, report, floor, record. The DuckDB
    copy is read back from the first database loaded."""
    cat = make_catalog(seed)
    print(f"(g) generating {changes:,} changes ...", flush=True)
    start = time.perf_counter()
    history = make_history(changes, seed)
    generate_s = time.perf_counter() - start
    duck: duckdb.DuckDBPyConnection | None = None
    copy_s, duckdb_s, rows = 0.0, [0.0], list[tuple[Any, ...]]()
    runs, skipped = [], {}
    for database in databases:
        problem = postgres_problem(postgres) if database == "postgresql" else None
        if problem is not None:
            skipped[database] = problem
            continue
        with tempfile.TemporaryDirectory(prefix="ninefold-bench-changes-") as tmp:
            work = Path(tmp)
            if database == "sqlite":
                url, version = (
                    f"sqlite:///{work / 'ninefold.db'}",
                    f"SQLite {sqlite3.sqlite_version}",
                )
            else:
                url, version = postgres, "PostgreSQL " + recreate_database(postgres)
            engine = make_engine(url)
            migrations.upgrade(engine)
            tokens = write_catalog(engine, cat, CLIENTS)
            print(f"(g) loading {version} ...", flush=True)
            start = time.perf_counter()
            load(engine, history, cat)
            load_s = time.perf_counter() - start
            if duck is None:
                start = time.perf_counter()
                duck = duckdb_copy(engine)
                copy_s = time.perf_counter() - start
                duckdb_s, rows = time_duckdb(duck)
            print(f"(g) the DORA table on {version} ...", flush=True)
            report_s, found = time_report(engine)
            compared, problems = disagreements(found, rows)
            print(f"(g) change record on {version} ...", flush=True)
            sent = bodies(records, 100, cat, seed)
            floor_s = insert_floor(engine, sent)
            sequential, concurrent = record_through_api(url, tokens, cat, records, seed, work)
            engine.dispose()
        runs.append(
            DatabaseRun(
                database,
                version,
                load_s,
                report_s,
                compared,
                problems,
                floor_s,
                sequential,
                concurrent,
            )
        )
    if duck is not None:
        duck.close()
    return Result(
        history.counts(),
        len(cat.teams),
        generate_s,
        copy_s,
        duckdb_s,
        records,
        runs,
        skipped,
    )
