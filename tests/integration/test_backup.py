"""`ninefold db backup` and `ninefold db restore` on SQLite and PostgreSQL: a day of paging
backed up, restored into a fresh database and compared table by table; a SQLite backup taken
while another thread writes; an older backup restored over a newer database; and every kind
of wrong file refused with a message that says what is wrong."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, column, insert, select, table
from sqlalchemy.engine import make_url

import ninefold.tables  # registers every table on Base.metadata
from ninefold import backup, migrations
from ninefold.alerts.integrations import all_rows
from ninefold.app import create_app
from ninefold.auth.model import Role
from ninefold.auth.tables import AuditEntry
from ninefold.db import Base, make_engine, make_session_factory
from ninefold.settings import Settings
from tests.factories import load_examples, make_user
from tests.integration.conftest import bearer
from tests.integration.revision_rows import earlier_revisions
from tests.integration.spare_database import emptied, spare_database
from tests.support.cli import ninefold
from tests.support.clock import FrozenClock
from tests.support.paging import alertmanager_body, run_jobs

pytestmark = pytest.mark.pinned
T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # a Tuesday night
REVISIONS = table("alembic_version", column("version_num"))
OLD_AUDIT_ROW = {
    "at": T0,
    "actor": "cli:old",
    "via": "cli",
    "action": "create",
    "object_kind": "team",
    "object_name": "old-times",
    "after": {"name": "old-times"},
}


@pytest.fixture(scope="module")
def spare_postgres(postgres_url: str) -> Iterator[str]:
    with spare_database(postgres_url, "restored") as url:
        yield url


@pytest.fixture
def fresh_url(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A database of the same kind as `database_url` that nothing has touched yet."""
    if make_url(database_url).get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh' / 'ninefold.db'}"
    return emptied(request.getfixturevalue("spare_postgres"))


def db(*args: str | Path, url: str) -> Any:
    return ninefold("db", *args, env={"NINEFOLD_DATABASE_URL": url})


def busy_night(engine: Engine, settings: Settings, clock: FrozenClock) -> None:
    """The example shop, three alerts paged through the worker, one acknowledged, an incident
    declared from another, a deploy recorded: rows in most of Ninefold's tables."""
    clock.set(T0)
    load_examples(engine, now=T0)
    make_user(engine, "root", Role.ADMIN, now=T0)
    headers = bearer(engine, "root", Role.ADMIN, T0)
    with make_session_factory(engine)() as session:
        key = next(row.key for row in all_rows(session) if row.kind == "alertmanager")
    with TestClient(create_app(settings, engine, clock), headers=headers) as client:
        for name, service in [("CheckoutErrors", "checkout"), ("SearchSlow", "search")]:
            body = alertmanager_body(name, service=service, starts_at=T0 - timedelta(minutes=1))
            accepted = client.post(f"/api/v1/integrations/alertmanager/{key}", json=body)
            assert accepted.status_code in (200, 202), accepted.text
        run_jobs(engine, settings, clock)
        clock.advance(minutes=3)
        groups = client.get("/api/v1/alert-groups").json()["items"]
        assert client.post(f"/api/v1/alert-groups/{groups[0]['id']}/acknowledge").is_success
        declared = client.post(
            "/api/v1/incidents",
            json={"title": "Search is slow", "severity": "SEV2", "groups": [groups[1]["id"]]},
        )
        assert declared.status_code == 201, declared.text
        deploy = {"service": "checkout", "version": "v42", "finished_at": T0.isoformat()}
        assert client.post("/api/v1/changes", json=deploy).status_code == 201
        clock.advance(minutes=15)
        run_jobs(engine, settings, clock)


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of Ninefold, each table ordered by its primary key."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = {
                t.name: [tuple(r) for r in connection.execute(select(t).order_by(*t.primary_key))]
                for t in Base.metadata.sorted_tables
            }
            rows["alembic_version"] = [tuple(r) for r in connection.execute(select(REVISIONS))]
    finally:
        engine.dispose()
    return rows


def test_a_backup_restored_into_a_fresh_database_holds_every_row_and_serves(
    engine: Engine, settings: Settings, clock: FrozenClock, fresh_url: str, tmp_path: Path
) -> None:
    busy_night(engine, settings, clock)
    before = snapshot(settings.resolved_database_url())
    filled = {name for name, rows in before.items() if rows}
    assert {"pages", "notifications", "escalations", "incidents", "changes"} <= filled
    assert len(filled) >= 25

    path = tmp_path / "ninefold.backup"
    made = db("backup", path, url=settings.resolved_database_url())
    assert made.returncode == 0, made.stderr
    assert f"(revision {migrations.head()}) to {path}" in made.stdout
    restored = db("restore", path, url=fresh_url)
    assert restored.returncode == 0, restored.stderr
    assert f"database: {migrations.head()} (as this Ninefold needs)" in restored.stdout

    assert snapshot(fresh_url) == before
    # The restored database takes new rows where the old one left off (PostgreSQL's
    # sequences come along), and the app serves from it.
    fresh = make_engine(fresh_url)
    try:
        headers = bearer(fresh, "root", Role.ADMIN, clock())
        with TestClient(create_app(settings, fresh, clock), headers=headers) as client:
            services = client.get("/api/v1/services", params={"limit": 100}).json()
            assert services["total"] == len(before["services"])
            tokens = client.get("/api/v1/audit", params={"kind": "token"}).json()["items"]
            assert tokens[0]["object_name"] == str(len(before["api_tokens"]) + 1)
    finally:
        fresh.dispose()


def test_a_database_that_holds_data_is_replaced_only_with_force(
    engine: Engine, settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    url = settings.resolved_database_url()
    load_examples(engine, now=clock())
    path = tmp_path / "examples.backup"
    assert db("backup", path, url=url).returncode == 0
    assert (
        db("backup", path, url=url).stderr
        == f"error: {path}: exists already; pass --force to replace it\n"
    )
    assert db("backup", path, "--force", url=url).returncode == 0
    make_user(engine, "later", Role.VIEWER, now=clock())

    refused = db("restore", path, url=url)
    assert refused.returncode == 1
    assert "holds data (" in refused.stderr
    assert "back it up first, then pass --force" in refused.stderr
    assert "later" in {row[1] for row in snapshot(url)["users"]}

    assert db("restore", path, "--force", url=url).returncode == 0
    assert "later" not in {row[1] for row in snapshot(url)["users"]}


def test_an_older_backup_restored_over_a_newer_database_waits_for_db_upgrade(
    engine: Engine, settings: Settings, clock: FrozenClock, fresh_url: str, tmp_path: Path
) -> None:
    """The tables a newer schema added go too: `db upgrade` then makes them again."""
    older = earlier_revisions()[-1]
    old_engine = make_engine(fresh_url)
    try:
        migrations.upgrade(old_engine, older)
        with old_engine.begin() as connection:
            connection.execute(insert(AuditEntry.__table__).values(OLD_AUDIT_ROW))
    finally:
        old_engine.dispose()
    path = tmp_path / "older.backup"
    assert db("backup", path, url=fresh_url).returncode == 0
    load_examples(engine, now=clock())
    url = settings.resolved_database_url()

    restored = db("restore", path, "--force", url=url)
    assert restored.returncode == 0, restored.stderr
    assert (
        f"database: {older} (this Ninefold needs {migrations.head()}: "
        "run `ninefold db upgrade` before `serve`)" in restored.stdout
    )
    refused = ninefold("user", "list", env={"NINEFOLD_DATABASE_URL": url})
    assert refused.returncode == 1
    assert "run `ninefold db upgrade` first" in refused.stderr

    upgraded = db("upgrade", url=url)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"{older} -> {migrations.head()}" in upgraded.stdout
    rows = snapshot(url)
    assert [row[6] for row in rows["audit_log"]] == ["old-times"]
    assert rows["services"] == []


# --- SQLite while serve writes ------------------------------------------------------------

BATCH = 20  # rows each of the writer's transactions adds


def _writer(engine: Engine, committed: list[int], stop: threading.Event) -> None:
    """Transactions of BATCH audit rows each, named by their number, until told to stop."""
    batch = 0
    while not stop.is_set():
        rows = [{**OLD_AUDIT_ROW, "object_name": f"batch-{batch}"} for _ in range(BATCH)]
        with engine.begin() as connection:
            connection.execute(insert(AuditEntry.__table__), rows)
        committed.append(batch)
        batch += 1


def test_a_sqlite_backup_taken_while_another_thread_writes_is_one_committed_state(
    sqlite_template: Path, tmp_path: Path
) -> None:
    database = tmp_path / "live" / "ninefold.db"
    database.parent.mkdir()
    shutil.copy(sqlite_template, database)
    url = f"sqlite:///{database}"
    engine = make_engine(url)
    with engine.begin() as connection:  # some bulk, so that a copy takes a while
        filler = {**OLD_AUDIT_ROW, "object_name": "filler", "after": {"text": "x" * 2000}}
        connection.execute(insert(AuditEntry.__table__), [filler] * 5000)
    committed: list[int] = []
    stop = threading.Event()
    writer = threading.Thread(target=_writer, args=(engine, committed, stop))
    writer.start()
    copies: list[tuple[Path, int, int]] = []
    try:
        while len(committed) < 5:
            stop.wait(0.01)
        # Until one copy was taken while a transaction committed beside it, within a bound.
        while len(copies) < 50 and not any(before < after for _, before, after in copies):
            path = tmp_path / f"copy-{len(copies)}.db"
            before = len(committed)
            backup.backup(url, path)
            copies.append((path, before, len(committed)))
    finally:
        stop.set()
        writer.join()
        engine.dispose()
    assert any(before < after for _, before, after in copies), "the writer waited for backups"

    for path, before, after in copies:
        assert not path.with_name(path.name + "-wal").exists()
        with closing(sqlite3.connect(path)) as copy:
            assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
            assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            counts = copy.execute(
                "SELECT object_name, count(*) FROM audit_log "
                "WHERE object_name LIKE 'batch-%' GROUP BY object_name"
            ).fetchall()
        batches = sorted(int(name.removeprefix("batch-")) for name, _ in counts)
        assert {n for _, n in counts} <= {BATCH}, f"{path.name} holds half a transaction"
        assert batches == list(range(len(batches))), f"{path.name} skips a transaction"
        assert before <= len(batches) <= after


# --- what is refused ----------------------------------------------------------------------


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated, empty SQLite database."""
    database = tmp_path / "data" / "ninefold.db"
    database.parent.mkdir()
    shutil.copy(sqlite_template, database)
    return f"sqlite:///{database}"


def _missing(path: Path, sqlite_url: str) -> Path:
    return path


def _folder(path: Path, sqlite_url: str) -> Path:
    path.mkdir()
    return path


def _csv(path: Path, sqlite_url: str) -> Path:
    path.write_text("name,tier\ncheckout,0\n")
    return path


def _plain_sql(path: Path, sqlite_url: str) -> Path:
    path.write_text("--\n-- PostgreSQL database dump\n")
    return path


def _not_ninefold(path: Path, sqlite_url: str = "") -> Path:
    with closing(sqlite3.connect(path)) as other:
        other.execute("CREATE TABLE notes (text)")
        other.execute("INSERT INTO notes VALUES ('hello')")
        other.commit()
    return path


def _from_the_future(path: Path, sqlite_url: str) -> Path:
    backup.backup(sqlite_url, path)
    with closing(sqlite3.connect(path)) as copy:
        copy.execute("UPDATE alembic_version SET version_num = '9999'")
        copy.commit()
    return path


def _damaged(path: Path, sqlite_url: str) -> Path:
    backup.backup(sqlite_url, path)
    data = bytearray(path.read_bytes())
    data[4096 * 2 :] = b"\xff" * (len(data) - 4096 * 2)
    path.write_bytes(bytes(data))
    return path


def _postgresql_archive(path: Path, sqlite_url: str) -> Path:
    path.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 100)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(_missing, "{path}: no such file", id="a missing file"),
        pytest.param(_folder, "{path}: is a directory, not a backup file", id="a folder"),
        pytest.param(
            _csv,
            "{path}: not a Ninefold backup (neither a SQLite database nor a pg_dump archive)",
            id="a CSV file",
        ),
        pytest.param(
            _plain_sql,
            "{path}: not a Ninefold backup (neither a SQLite database nor a pg_dump archive); "
            "it looks like text, perhaps a plain SQL dump: restore one of those with psql",
            id="a plain SQL dump",
        ),
        pytest.param(
            _not_ninefold,
            "{path}: not a Ninefold backup: it holds no alembic_version table",
            id="another program's SQLite database",
        ),
        pytest.param(
            _from_the_future,
            "{path}: a backup at schema revision 9999, which this version of Ninefold does not "
            "know",
            id="a backup of a newer Ninefold",
        ),
        pytest.param(_damaged, "{path}: a damaged SQLite database", id="a damaged database"),
        pytest.param(
            _postgresql_archive,
            "{path}: a PostgreSQL backup, but the configured database is SQLite",
            id="a PostgreSQL backup",
        ),
    ],
)
def test_restore_refuses_what_is_not_a_ninefold_sqlite_backup(
    make: Any, message: str, sqlite_url: str, tmp_path: Path
) -> None:
    path = make(tmp_path / "backup.db", sqlite_url)
    before = snapshot(sqlite_url)
    refused = db("restore", path, "--force", url=sqlite_url)
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: " + message.format(path=path)), refused.stderr
    assert snapshot(sqlite_url) == before


def test_backup_refuses_a_missing_database_a_folder_and_the_database_itself(
    sqlite_url: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    nothing = db("backup", tmp_path / "b.db", url=url)
    assert nothing.returncode == 1
    assert (
        nothing.stderr == f"error: {tmp_path / 'empty.db'}: no such database; nothing to back up\n"
    )
    folder = db("backup", tmp_path, url=url)
    assert folder.stderr == (
        f"error: {tmp_path}: is a directory; name the file to write the backup to\n"
    )
    nowhere = db("backup", tmp_path / "no" / "b.db", url=url)
    assert (
        nowhere.stderr
        == f"error: {tmp_path / 'no' / 'b.db'}: the directory {tmp_path / 'no'} does not exist\n"
    )
    database = Path(make_url(sqlite_url).database or "")
    for command in ("backup", "restore"):
        itself = db(command, database, "--force", url=sqlite_url)
        assert itself.stderr == f"error: {database}: is the database itself; name another file\n"


@pytest.mark.postgres
def test_restore_on_postgresql_refuses_what_pg_restore_cannot_read(
    postgres_url: str, tmp_path: Path
) -> None:
    """A pg_dump archive of a format newer than this pg_restore's, a cut one, a SQLite file."""
    made = tmp_path / "made.backup"
    assert db("backup", made, url=postgres_url).returncode == 0
    data = made.read_bytes()
    newer = tmp_path / "newer.backup"
    newer.write_bytes(b"PGDMP\x01\x63\x00" + data[8:])  # archive format 1.99
    cut = tmp_path / "cut.backup"
    cut.write_bytes(data[: len(data) // 3])
    sqlite_file = _not_ninefold(tmp_path / "other.db")
    before = snapshot(postgres_url)

    for path, message in [
        (newer, "unsupported version (1.99) in file header"),
        (cut, "could not read from input file"),
        (sqlite_file, "a SQLite backup, but the configured database is PostgreSQL"),
    ]:
        refused = db("restore", path, "--force", url=postgres_url)
        assert refused.returncode == 1
        assert message in refused.stderr
    assert snapshot(postgres_url) == before


def test_a_database_out_of_reach_is_said_so_with_its_password_hidden(tmp_path: Path) -> None:
    url = "postgresql+psycopg://ninefold:s3cret@127.0.0.1:1/ninefold"  # nothing listens on 1
    refused = db("backup", tmp_path / "b.pgdump", url=url)
    assert refused.returncode == 1
    assert refused.stderr.startswith(
        "error: postgresql+psycopg://ninefold:***@127.0.0.1:1/ninefold: cannot use the database:"
    ), refused.stderr
    assert "s3cret" not in refused.stderr
    assert not (tmp_path / "b.pgdump").exists()
