"""Alembic environment: migrates the engine handed over in `config.attributes`."""

from __future__ import annotations

from alembic import context

import ninefold.tables  # noqa: F401  (registers every table on Base.metadata)
from ninefold.db import Base

engine = context.config.attributes["engine"]
sqlite = engine.dialect.name == "sqlite"
with engine.connect() as connection:
    if sqlite:
        # A batch migration rebuilds a table: a copy is made, the old one dropped. With
        # foreign keys on, that drop deletes every row referring to the table (ON DELETE
        # CASCADE): a user's tokens, a group's alerts and pages. They stay off meanwhile, as
        # SQLite's guide to altering tables says (the pragma is a no-op inside a transaction).
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"rows left referring to nothing: {broken}")
    connection.commit()
    if sqlite:  # the connection goes back to the pool, and on to other work
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
