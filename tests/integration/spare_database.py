"""A PostgreSQL database beside the tests' own, for a test that needs a second one: a fresh
target to restore into, a schema taken back to an old revision."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def spare_database(postgres_url: str, suffix: str) -> Iterator[str]:
    """The database named like the tests' own plus `suffix`, made for the block, then dropped."""
    url = make_url(postgres_url)
    spare = url.set(database=f"{url.database}_{suffix}")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{spare.database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{spare.database}"'))
        yield spare.render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{spare.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def emptied(url: str) -> str:
    """The PostgreSQL database at `url` with nothing in it, as a new one: cheaper than making a
    new database, which writes a checkpoint."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    return url
