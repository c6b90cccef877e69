"""Each worker's heartbeat: a row in `workers` that the worker rewrites while it runs.

The row lives in the database, not in a process, so that any server's `/metrics` can say
whether a worker on another machine is alive. A worker beats from its loop (between jobs and
while idle), not from a thread of its own: a worker stuck in one job stops beating, which is
the point. It beats every `BEAT_EVERY`; it counts as up while its last beat is younger than
`FRESH_FOR`, one default lease: a worker silent for longer is one whose claimed jobs other
workers take over anyway. A worker that stops cleanly removes its row (`leave`); one that
dies keeps it, shown as down, until `FORGET_AFTER` has passed, and then the next beat of any
worker deletes it, so the table holds the workers of the last hour, not of every restart ever.

The times are the worker's clock against the reading server's: the machines' clocks must
agree to well within `FRESH_FOR` (NTP does).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ninefold.worker.tables import WorkerSeen

BEAT_EVERY = timedelta(seconds=15)
FRESH_FOR = timedelta(minutes=2)
FORGET_AFTER = timedelta(hours=1)


def beat(session: Session, name: str, started_at: datetime, now: datetime, jobs_run: int) -> None:
    """Record that worker `name` (running since `started_at`, `jobs_run` jobs so far) is
    alive at `now`, and forget the workers silent for longer than `FORGET_AFTER`.

    One statement whatever the race: two processes given the same name (a misconfiguration)
    overwrite each other's row rather than fail.
    """
    values = {"name": name, "started_at": started_at, "seen_at": now, "jobs_run": jobs_run}
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(WorkerSeen).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["name"],
            set_={
                "started_at": statement.excluded.started_at,
                "seen_at": statement.excluded.seen_at,
                "jobs_run": statement.excluded.jobs_run,
            },
        )
    )
    session.execute(delete(WorkerSeen).where(WorkerSeen.seen_at < now - FORGET_AFTER))


def leave(session: Session, name: str) -> None:
    """A worker stopping on purpose: it is gone, not down."""
    session.execute(delete(WorkerSeen).where(WorkerSeen.name == name))


def is_up(seen_at: datetime, now: datetime) -> bool:
    return now - seen_at <= FRESH_FOR


def seen(session: Session) -> list[WorkerSeen]:
    """Every worker that has beaten and not left nor been forgotten, by name."""
    return list(session.scalars(select(WorkerSeen).order_by(WorkerSeen.name)))
