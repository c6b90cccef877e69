"""The rows benchmark (h)'s KPI table reads, copied from the SQLite database into DuckDB's
memory, for the SQL floor (`floor`) to pay for no reading or parsing.

The on-call turns are copied as the benchmark laid them out, not as Ninefold computes them,
so `check_shifts` first makes sure the two are the same.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import duckdb
import numpy as np
from sqlalchemy import Engine

from bench.kpis.world import QUARTER, World, shift_rows, to_us
from ninefold.db import make_session_factory
from ninefold.reports import records


def check_shifts(engine: Engine, world: World) -> list[str]:
    """Ninefold's own shifts around the quarters (`records.shift_records`) against the turns
    the benchmark laid out: the DuckDB query reads the latter."""
    start, end = QUARTER.previous().start, QUARTER.end
    with make_session_factory(engine)() as session:
        theirs = records.shift_records(session, start, end)
    since, until = to_us(start - records.SHIFT_MARGIN), to_us(end + records.SHIFT_MARGIN)
    found = {(s.schedule, s.user, to_us(s.start), to_us(s.end)) for s in theirs}
    inside = {(s, u, a, b) for s, u, a, b in found if a > since and b < until}
    mine = {(s, u, a, b) for s, u, a, b in shift_rows(world) if a > since and b < until}
    return [] if inside == mine else [f"shifts differ: {len(inside ^ mine)} of {len(mine)}"]


def duckdb_copy(engine: Engine, world: World) -> duckdb.DuckDBPyConnection:
    """The rows the KPI table reads, read back from the SQLite database into DuckDB tables
    (not timed), instants as SQLite keeps them cast to TIMESTAMP; the on-call turns as laid
    out (checked against Ninefold's own by `check_shifts`), and each team's calendar of
    business days from its zone and holidays."""
    path = engine.url.database
    assert path is not None
    source = sqlite3.connect(path)
    db = duckdb.connect()
    db.execute("SET TimeZone = 'UTC'")

    def copy(name: str, query: str, casts: dict[str, str]) -> None:
        cursor = source.execute(query)
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
        values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
        staged = {c: np.array(v, dtype=object) for c, v in zip(columns, values, strict=True)}
        db.register("staged", staged)
        shown = ", ".join(f'CAST("{c}" AS {casts.get(c, "VARCHAR")}) AS "{c}"' for c in columns)
        db.execute(f"CREATE TABLE {name} AS SELECT {shown} FROM staged")
        db.unregister("staged")

    ts, big = "TIMESTAMP", "BIGINT"
    copy(
        "svc",
        "SELECT s.name AS service, t.name AS team, t.time_zone AS zone FROM services s "
        "JOIN teams t ON t.id = s.owner_team_id",
        {},
    )
    copy(
        "deps",
        "SELECT a.name AS service, b.name AS depends_on FROM service_dependencies d "
        "JOIN services a ON a.id = d.service_id JOIN services b ON b.id = d.depends_on_id",
        {},
    )
    copy(
        "inc",
        "SELECT id, severity, category, services, caused_by_change, declared_at, impact_start, "
        "detected_at, acknowledged_at, mitigated_at, resolved_at, impact_end FROM incidents",
        {
            "id": big,
            "caused_by_change": big,
            **dict.fromkeys(
                (
                    "declared_at",
                    "impact_start",
                    "detected_at",
                    "acknowledged_at",
                    "mitigated_at",
                    "resolved_at",
                    "impact_end",
                ),
                ts,
            ),
        },
    )
    db.execute(
        "CREATE TABLE parsed AS SELECT * REPLACE "
        "(CAST(from_json(services, '[\"VARCHAR\"]') AS VARCHAR[]) AS services) FROM inc; "
        "DROP TABLE inc; "
        "CREATE TABLE inc AS SELECT *, services[1] AS first_service FROM parsed; "
        "DROP TABLE parsed; "
        "CREATE TABLE inc_services AS SELECT id, unnest(services) AS service FROM inc"
    )
    copy(
        "inc_groups",
        "SELECT incident_id, group_id FROM incident_groups",
        {"incident_id": big, "group_id": big},
    )
    copy(
        "pm",
        "SELECT incident_id, reviewed_at FROM postmortems",
        {"incident_id": big, "reviewed_at": ts},
    )
    copy(
        "items",
        "SELECT id, team, due, closed_on FROM action_items",
        {"id": big, "due": "DATE", "closed_on": "DATE"},
    )
    copy(
        "grp",
        "SELECT id, service, created_at, acknowledged_at, resolved_at, resolved_by "
        "FROM alert_groups",
        {"id": big, "created_at": ts, "acknowledged_at": ts, "resolved_at": ts},
    )
    copy(
        "gev",
        "SELECT id, group_id, kind, at AS event_at, json_extract(detail, '$.answer') AS answer "
        "FROM alert_group_events WHERE kind IN ('acknowledged', 'actionable')",
        {"id": big, "group_id": big, "event_at": ts},
    )
    copy(
        "notif",
        "SELECT n.group_id, u.name AS person, n.sent_at FROM notifications n "
        "JOIN users u ON u.id = n.user_id",
        {"group_id": big, "sent_at": ts},
    )
    copy(
        "changes",
        "SELECT id, service, finished_at, role, undoes_id, fixes_deploy_id, hotfix, "
        "caused_incident FROM changes",
        {
            "id": big,
            "finished_at": ts,
            "undoes_id": big,
            "fixes_deploy_id": big,
            "hotfix": "BOOLEAN",
            "caused_incident": big,
        },
    )
    source.close()
    shifts = shift_rows(world)
    db.register(
        "staged",
        {
            "schedule": np.array([s[0] for s in shifts], dtype=object),
            "person": np.array([s[1] for s in shifts], dtype=object),
            "start_us": np.array([s[2] for s in shifts], dtype=np.int64),
            "end_us": np.array([s[3] for s in shifts], dtype=np.int64),
        },
    )
    db.execute(
        "CREATE TABLE shifts AS SELECT CAST(schedule AS VARCHAR) AS schedule, "
        "CAST(person AS VARCHAR) AS person, make_timestamp(start_us) AS start_at, "
        "make_timestamp(end_us) AS end_at FROM staged"
    )
    db.unregister("staged")
    teams, days, business = [], [], []
    first, last = date(2024, 6, 1), date(2027, 6, 1)
    for team in world.teams:
        off = set(world.holidays[team])
        day = first
        while day < last:
            teams.append(team)
            days.append(day)
            business.append(day.weekday() < 5 and day not in off)
            day += timedelta(days=1)
    db.register(
        "staged",
        {
            "team": np.array(teams, dtype=object),
            "day": np.array([d.isoformat() for d in days], dtype=object),
            "business": np.array(business, dtype=bool),
        },
    )
    db.execute(
        "CREATE TABLE calendar AS SELECT CAST(team AS VARCHAR) AS team, CAST(day AS DATE) AS day, "
        "business, sum(CAST(business AS INTEGER)) OVER (PARTITION BY team ORDER BY day) AS n "
        "FROM staged"
    )
    db.unregister("staged")
    return db
