"""`ninefold db upgrade` and `ninefold db current`."""

from __future__ import annotations

import typer
from rich.console import Console

from ninefold import migrations
from ninefold.cli_support import settings_of
from ninefold.db import make_engine

app = typer.Typer(no_args_is_help=True)
out = Console(soft_wrap=True)


@app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Migrate the database to the schema this version of Ninefold needs."""
    engine = make_engine(settings_of(ctx).resolved_database_url())
    before = migrations.current(engine)
    migrations.upgrade(engine)
    after = migrations.current(engine)
    out.print(
        f"database {engine.url.render_as_string(hide_password=True)}: "
        f"{before or 'empty'} -> {after}"
    )


@app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Print the schema revision of the database and the one this version needs."""
    engine = make_engine(settings_of(ctx).resolved_database_url())
    out.print(f"database: {migrations.current(engine) or 'empty'}\ncode:     {migrations.head()}")
