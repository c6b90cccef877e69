"""Writers of one SQLite file wait their turn in the kernel instead of retrying.

SQLite lets one connection write at a time; the others retry on a timer (its busy handler
sleeps 1, 2, 5 ... up to 100 ms between tries). Under a steady stream of writes, such as an
alert storm on `serve`, a writer in another process, the worker routing pages, retried into a
lock that a request thread had taken again in between, over and over: its pages went out
minutes late (docs/benchmarks.md, (d)). So a connection about to write first takes an
exclusive `flock` on a file beside the database, blocking, and lets it go when its transaction
ends: the kernel wakes a waiter when the holder lets go. Within a process, threads first queue
on a lock of their own, so each process has at most one writer waiting on the file, and a
worker's writes alternate with the server's instead of losing to its thirty request threads.

Reads take nothing: in WAL mode they never wait for the writer. A process that dies holding
the file lock loses it with its file descriptors.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
WAIT_SECONDS = 30.0  # as long as SQLite's own busy timeout (ninefold.db)
HELD = "ninefold_write_turn"


class WriterQueue:
    """The turn to write one SQLite file, for this process's connections."""

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + ".writers")
        self.local = threading.Lock()
        self.fd: int | None = None

    def take(self) -> None:
        if not self.local.acquire(timeout=WAIT_SECONDS):
            raise TimeoutError(f"no turn to write {self.path.parent} within {WAIT_SECONDS:.0f} s")
        try:
            if self.fd is None:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except BaseException:
            self.local.release()
            raise

    def give(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        self.local.release()


def take_turns(engine: Engine, database: Path) -> None:
    """Make `engine`'s connections queue for their turn before their first write of a
    transaction, and give it back when the transaction ends."""
    writers = WriterQueue(database)

    @event.listens_for(engine, "before_cursor_execute")
    def _before(connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        info = connection.connection.info
        if not info.get(HELD) and statement.lstrip()[:7].upper().startswith(WRITES):
            writers.take()
            info[HELD] = True

    def _end(info: dict[str, Any]) -> None:
        if info.pop(HELD, False):
            writers.give()

    @event.listens_for(engine, "commit")
    def _commit(connection: Any) -> None:
        _end(connection.connection.info)

    @event.listens_for(engine, "rollback")
    def _rollback(connection: Any) -> None:
        _end(connection.connection.info)

    # A connection handed back with its turn still held (a transaction left open) gives it up.
    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        _end(record.info)
