"""Backups of Ninefold's own database and restores from them: `ninefold db backup|restore`.

SQLite goes through its online backup API: one read transaction copies every page, so the
copy is a state some commit left, and in WAL mode `serve` and the workers go on writing
meanwhile. PostgreSQL goes through its own client programs (pg_dump, pg_restore, psql), which
know its formats and versions better than any code here could.

A restore replaces the whole database in one transaction, or leaves it as it was: SQLite's
backup API writes the target under its own lock; on PostgreSQL, psql runs the drop of
Ninefold's tables and the archive pg_restore renders in one transaction. A database that
holds data is replaced only when asked to (`force`).

The database's schema revision travels with the data (the `alembic_version` table): a
restored backup of an older Ninefold is upgraded by `ninefold db upgrade`; one of a newer
Ninefold is refused, since this one cannot read its schema.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect, literal, select, table, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

import ninefold.tables  # noqa: F401  (registers every table on Base.metadata)
from ninefold import migrations
from ninefold.db import Base, make_engine
from ninefold.errors import Conflict, Invalid

SQLITE_MAGIC = b"SQLite format 3\x00"
ARCHIVE_MAGIC = b"PGDMP"  # pg_dump's custom format
REVISIONS_TABLE = "alembic_version"
LOCK_TIMEOUT = "30s"  # a restore waits this long for `serve` and workers to let go of a table
_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
OTHER_FILES = {
    b"\x1f\x8b": "a gzip file: uncompress it first",
    b"--": "text, perhaps a plain SQL dump: restore one of those with psql; "
    "`ninefold db restore` reads what `ninefold db backup` writes",
}


@dataclass(frozen=True)
class Backup:
    database: str  # the URL, password hidden
    path: Path
    revision: str
    size: int


@dataclass(frozen=True)
class Restored:
    database: str
    path: Path
    revision: str


def backup(url: str, path: Path, *, force: bool = False) -> Backup:
    """Copy the database at `url` to the file `path`, written whole or not at all."""
    parsed = make_url(url)
    database = _sqlite_file(parsed, path) if parsed.get_backend_name() == "sqlite" else None
    _check_destination(path, force)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if database is None:
            revision = _postgres_backup(parsed, partial)
        else:
            revision = _sqlite_backup(database, partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(_shown(parsed), path, revision, path.stat().st_size)


def restore(url: str, path: Path, *, force: bool = False) -> Restored:
    """Replace the database at `url` with the backup in `path`."""
    parsed = make_url(url)
    kind = _kind_of(path)
    wanted = "sqlite" if parsed.get_backend_name() == "sqlite" else "postgresql"
    if kind != wanted:
        raise Invalid(
            f"{path}: a {_NAMES[kind]} backup, but the configured database is {_NAMES[wanted]} "
            f"({_shown(parsed)}); a backup is restored into the kind of database it came from"
        )
    if wanted == "sqlite":
        revision = _sqlite_restore(_sqlite_file(parsed, path), path, force)
    else:
        revision = _postgres_restore(parsed, path, force)
    return Restored(_shown(parsed), path, revision)


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _check_destination(path: Path, force: bool) -> None:
    if path.is_dir():
        raise Invalid(f"{path}: is a directory; name the file to write the backup to")
    if not path.parent.is_dir():
        raise Invalid(f"{path}: the directory {path.parent} does not exist")
    if path.exists() and not force:
        raise Conflict(f"{path}: exists already; pass --force to replace it")


def _kind_of(path: Path) -> str:
    """What the backup file is, from its first bytes; anything else is refused by name."""
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise Invalid(f"{path}: no such file") from None
    except IsADirectoryError:
        raise Invalid(f"{path}: is a directory, not a backup file") from None
    except OSError as exc:
        raise Invalid(f"{path}: cannot be read: {exc.strerror}") from None
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(ARCHIVE_MAGIC):
        return "postgresql"
    what = next((why for magic, why in OTHER_FILES.items() if head.startswith(magic)), None)
    raise Invalid(
        f"{path}: not a Ninefold backup (neither a SQLite database nor a pg_dump archive)"
        + (f"; it looks like {what}" if what else "")
    )


def _check_known(revision: str | None, path: Path) -> str:
    if revision is None:
        raise Invalid(f"{path}: not a Ninefold backup: it holds no {REVISIONS_TABLE} table")
    from alembic.script import ScriptDirectory

    known = {script.revision for script in ScriptDirectory(str(migrations.HERE)).walk_revisions()}
    if revision not in known:
        raise Invalid(
            f"{path}: a backup at schema revision {revision}, which this version of Ninefold "
            f"does not know (it knows up to {migrations.head()}); restore it with the Ninefold "
            "that wrote it, or a newer one"
        )
    return revision


@contextmanager
def _connected(url: URL) -> Iterator[Engine]:
    """An engine on the database, disposed at the end; a database out of reach is said so."""
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        yield engine
    except OperationalError as exc:
        raise Invalid(f"{_shown(url)}: cannot use the database: {exc.orig}") from None
    finally:
        engine.dispose()


def _refuse_to_overwrite(url: URL, force: bool) -> None:
    """A restore replaces everything: a database holding data is replaced only on purpose."""
    if force:
        return
    with _connected(url) as engine, engine.connect() as connection:
        names = sorted(set(inspect(connection).get_table_names()) - {REVISIONS_TABLE})
        holding = [
            name
            for name in names
            if connection.execute(select(literal(1)).select_from(table(name)).limit(1)).first()
        ]
    if holding:
        shown = ", ".join(holding[:5]) + (", ..." if len(holding) > 5 else "")
        raise Conflict(
            f"{_shown(url)} holds data ({len(holding)} tables with rows: {shown}); "
            "a restore replaces all of it: back it up first, then pass --force"
        )


# --- SQLite -----------------------------------------------------------------------------


def _sqlite_file(url: URL, backup: Path) -> Path:
    """The database's file, which the backup's must not be."""
    if not url.database or url.database == ":memory:":
        raise Invalid(f"{_shown(url)}: an in-memory database has nothing to back up or restore")
    database = Path(url.database)
    if backup.resolve() == database.resolve():
        raise Invalid(f"{backup}: is the database itself; name another file")
    return database


@contextmanager
def _sqlite_open(path: Path, mode: str) -> Iterator[sqlite3.Connection]:
    """A connection that never creates the file (mode `ro` or `rw`), closed at the end."""
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    with closing(sqlite3.connect(uri, uri=True, timeout=30)) as connection:
        yield connection


def _sqlite_revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # no such table
        return None
    return str(row[0]) if row else None


def _sqlite_backup(database: Path, partial: Path) -> str:
    if not database.is_file():
        raise Invalid(f"{database}: no such database; nothing to back up")
    with _sqlite_open(database, "ro") as source:
        revision = _sqlite_revision(source)
        if revision is None:
            raise Invalid(f"{database}: holds no Ninefold schema; nothing to back up")
        with closing(sqlite3.connect(partial)) as copy:
            source.backup(copy)  # in one step: one read transaction, never restarted by writes
            # One self-contained file: no -wal file beside it to copy along.
            copy.execute("PRAGMA journal_mode=DELETE")
    return revision


def _sqlite_restore(database: Path, path: Path, force: bool) -> str:
    with _sqlite_open(path, "ro") as source:
        revision = _check_known(_sqlite_checked(source, path), path)
        if database.exists():
            _refuse_to_overwrite(make_url(f"sqlite:///{database}"), force)
        database.parent.mkdir(parents=True, exist_ok=True)
        try:
            with closing(sqlite3.connect(database, timeout=30)) as target:
                source.backup(target)
                target.execute("PRAGMA journal_mode=WAL")  # what Ninefold runs it in
        except sqlite3.OperationalError as exc:
            raise Invalid(
                f"{database}: cannot be replaced ({exc}); stop `serve` and the workers first"
            ) from None
    return revision


def _sqlite_checked(source: sqlite3.Connection, path: Path) -> str | None:
    """The backup's revision, once SQLite has read every page of it and found it sound."""
    try:
        problems = source.execute("PRAGMA quick_check").fetchall()
        if problems == [("ok",)]:
            return _sqlite_revision(source)
        shown = "; ".join(str(row[0]) for row in problems[:3])
    except sqlite3.DatabaseError as exc:
        shown = str(exc)
    raise Invalid(f"{path}: a damaged SQLite database: {shown}")


# --- PostgreSQL -------------------------------------------------------------------------


def conninfo(url: URL) -> tuple[str, dict[str, str]]:
    """The libpq connection string of a SQLAlchemy URL, and the environment that goes with it.

    The password travels in PGPASSWORD, never on a command line, where `ps` shows it to
    every user of the machine. The URL's query (sslmode=require, host=/run/postgresql) is
    made of libpq keywords already, as psycopg passes it on.
    """
    keywords: dict[str, str | None] = {
        "host": url.host,
        "port": str(url.port) if url.port else None,
        "user": url.username,
        "dbname": url.database,
    }
    for key, value in url.query.items():
        keywords[key] = value if isinstance(value, str) else value[-1]
    password = keywords.pop("password", None) or url.password
    env = {"PGPASSWORD": str(password)} if password else {}
    return " ".join(f"{k}={_quoted(v)}" for k, v in keywords.items() if v is not None), env


def _quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def dump_refusal(client_version: str, server_version_num: int) -> str | None:
    """Why pg_dump cannot dump this server, or None when it can.

    pg_dump reads servers of its own major version and older ones (`pg_dump (PostgreSQL)
    15.20` dumps a 15 or a 12, not a 16, whose server_version_num is 160004).
    """
    found = re.search(r"\)\s*(\d+)", client_version)
    if found is None:
        return f"cannot tell the version of pg_dump from {client_version.strip()!r}"
    client, server = int(found.group(1)), server_version_num // 10000
    if client >= server:
        return None
    return (
        f"pg_dump {client} cannot back up a PostgreSQL {server} server: install the client "
        f"programs of version {server} or newer (Debian: postgresql-client-{server}) and put "
        "them first on PATH"
    )


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise Invalid(
            f"{name} is not installed; the PostgreSQL client programs do PostgreSQL backups "
            "(Debian: apt-get install postgresql-client)"
        )
    return found


def _run(argv: list[str], env: Mapping[str, str] | None = None) -> str:
    """Run a PostgreSQL client program; its own words on failure, with what it was doing."""
    result = subprocess.run(  # noqa: S603 (the program found on PATH, arguments built here)
        argv, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise Invalid(f"{Path(argv[0]).name} failed: {result.stderr.strip()}")
    return result.stdout


def _postgres_backup(url: URL, partial: Path) -> str:
    with _connected(url) as engine, engine.connect() as connection:
        revision = migrations.current(engine)
        server = int(connection.execute(text("SHOW server_version_num")).scalar_one())
    if revision is None:
        raise Invalid(f"{_shown(url)}: holds no Ninefold schema; nothing to back up")
    pg_dump = _program("pg_dump")
    refusal = dump_refusal(_run([pg_dump, "--version"]), server)
    if refusal:
        raise Invalid(refusal)
    connection_string, env = conninfo(url)
    _run([pg_dump, "--format=custom", f"--file={partial}", f"--dbname={connection_string}"], env)
    return revision


def _archive_revision(pg_restore: str, path: Path) -> str | None:
    """The revision in an archive's alembic_version table, read without restoring anything."""
    try:
        listing = _run([pg_restore, "--list", str(path)])
    except Invalid as exc:
        raise Invalid(
            f"{path}: pg_restore cannot read it (damaged, or written by a newer pg_dump than "
            f"this pg_restore): {exc.message}"
        ) from None
    if f"TABLE DATA public {REVISIONS_TABLE}" not in listing:
        return None
    data = _run([pg_restore, "--data-only", f"--table={REVISIONS_TABLE}", "--file=-", str(path)])
    copied = data.split(" FROM stdin;\n", 1)  # COPY ... FROM stdin;, a line a row, then \.
    first = copied[-1].split("\n", 1)[0] if len(copied) == 2 else "\\."
    return None if first == "\\." else first


def _postgres_restore(url: URL, path: Path, force: bool) -> str:
    pg_restore, psql = _program("pg_restore"), _program("psql")
    revision = _check_known(_archive_revision(pg_restore, path), path)
    _refuse_to_overwrite(url, force)
    # Ninefold's tables go first, those the archive lacks too (a newer schema's): left
    # behind, they would stand in the way of the `db upgrade` that follows.
    tables = ", ".join(f'"{name}"' for name in [REVISIONS_TABLE, *Base.metadata.tables])
    connection_string, env = conninfo(url)
    env["PGOPTIONS"] = f"{os.environ.get('PGOPTIONS', '')} -c lock_timeout={LOCK_TIMEOUT}"
    with tempfile.TemporaryDirectory(prefix="ninefold-restore-") as work:
        # Rendered whole before psql starts: a pg_restore failing halfway through a pipe
        # would hand psql a script cut short, which it would run and commit.
        script = Path(work) / "restore.sql"
        render = [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges"]
        apply = [
            psql,
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--dbname={connection_string}",
            f"--command=DROP TABLE IF EXISTS {tables} CASCADE",
            f"--file={script}",
        ]
        try:
            _run([*render, f"--file={script}", str(path)])
            _run(apply, env)
        except Invalid as exc:
            hint = " (stop `serve` and the workers first)" if "lock timeout" in exc.message else ""
            raise Invalid(f"nothing was restored{hint}: {exc.message}") from None
    return revision
