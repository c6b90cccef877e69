"""Databases for the tests: every storage and API test runs on SQLite and on PostgreSQL.

PostgreSQL comes from NINEFOLD_TEST_POSTGRES_URL, by default the server this machine runs on
127.0.0.1:5432 (trust auth). Each xdist worker gets its own database; tables are emptied
after every test, so each test sees the migrated, empty schema.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from ninefold import migrations
from ninefold.auth import passwords
from ninefold.db import Base, make_engine
from tests.support.clock import FrozenClock

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/ninefold_test"
# The servers the tests start run one worker process, not the default two: the suite runs on
# two cores, and no test but those that say otherwise needs the second.
os.environ.setdefault("NINEFOLD_WORKER_PROCESSES", "1")


def _worker_suffix() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"_{worker}" if worker else ""


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test: migrating once is the slow part."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrations.upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = make_url(os.environ.get("NINEFOLD_TEST_POSTGRES_URL", DEFAULT_POSTGRES))
    url = url.set(database=f"{url.database}{_worker_suffix()}")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            ).scalar()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    except OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {url.render_as_string(hide_password=True)}: {exc.orig}\n"
            "Start it (the README's test command does) or point NINEFOLD_TEST_POSTGRES_URL at "
            "one, e.g. postgresql+psycopg://user@host:5432/ninefold_test; "
            "or deselect these tests with -m 'not postgres'.",
            pytrace=False,
        )
    finally:
        admin.dispose()
    engine = make_engine(url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    migrations.upgrade(engine)
    engine.dispose()
    return url.render_as_string(hide_password=False)


# Modules whose tests read the process clock through what they start (`ninefold` commands,
# Uvicorn, Prometheus, Chromium) rather than through the `clock` fixture. With the tests that
# take the fixture, they are the `clock` tests that scripts/test runs again with the process
# clock years ahead (docs/architecture.md, "How the tests hold time"). A module of a new
# domain whose commands or servers read the time joins this list. A module marked `pinned`
# runs at fixed instants it sets itself, and only in the first run.
PROCESS_CLOCK_MODULES = (
    "tests/e2e/",
    "tests/test_docs.py",
    "tests/integration/test_capacity_prometheus.py",
    "tests/integration/test_config_cli.py",
    "tests/integration/test_gate.py",
    "tests/integration/test_server_cli.py",
    "tests/integration/test_slo_backtest.py",
    "tests/integration/test_slo_composite_status_prometheus.py",
    "tests/integration/test_slo_status_prometheus.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("database_url") == "postgresql":
            item.add_marker(pytest.mark.postgres)
        module = item.nodeid.split("::")[0]
        if item.get_closest_marker("pinned") is not None:
            continue
        if "clock" in item.fixturenames or module.startswith(PROCESS_CLOCK_MODULES):
            item.add_marker(pytest.mark.clock)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "ninefold.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    if engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(autouse=True, scope="session")
def _quick_password_hashing() -> Iterator[None]:
    """argon2id at its lowest cost: the tests make and check hundreds of passwords, and what
    they test is who may log in, not how slow a guess is (0.17 s a hash at the real cost)."""
    real = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    passwords._dummy_hash.cache_clear()
    yield
    passwords._hasher = real
    passwords._dummy_hash.cache_clear()


@pytest.fixture
def clock() -> FrozenClock:
    """The test's one clock (see tests/support/clock.py)."""
    return FrozenClock()


pytest_plugins = ["tests.support.fixtures"]
