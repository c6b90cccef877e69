"""Alembic migrations, run from code: no alembic.ini to find, the engine is passed in.

Alembic is imported inside the functions: it costs a third of a second, and commands such
as `ninefold check` never touch the database.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

if TYPE_CHECKING:
    from alembic.config import Config

HERE = Path(__file__).parent


def _config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["engine"] = engine
    return config


def head() -> str:
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(_config()).get_current_head()
    if revision is None:
        raise RuntimeError("no migrations found in the package; the installation is broken")
    return revision


def current(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_current(engine: Engine) -> bool:
    return current(engine) == head()


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(_config(engine), revision)
