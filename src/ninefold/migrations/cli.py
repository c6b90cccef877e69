"""`ninefold db upgrade|current|backup|restore`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ninefold import migrations
from ninefold.cli_support import settings_of
from ninefold.db import make_engine

app = typer.Typer(no_args_is_help=True)
out = Console(soft_wrap=True, highlight=False)


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


@app.command("backup")
def db_backup(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="File to write the backup to.")],
    force: Annotated[bool, typer.Option("--force", help="Replace PATH if it exists.")] = False,
) -> None:
    """Copy the database to a file, consistently, while Ninefold keeps running."""
    from ninefold import backup

    done = backup.backup(settings_of(ctx).resolved_database_url(), path, force=force)
    out.print(
        f"backed up {done.database} (revision {done.revision}) to {done.path} "
        f"({done.size:,} bytes)",
        markup=False,
    )


@app.command("restore")
def db_restore(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Backup file written by `ninefold db backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that holds data.")
    ] = False,
) -> None:
    """Replace the database with a backup; stop `serve` and the workers first."""
    from ninefold import backup

    done = backup.restore(settings_of(ctx).resolved_database_url(), path, force=force)
    head = migrations.head()
    state = (
        "as this Ninefold needs"
        if done.revision == head
        else f"this Ninefold needs {head}: run `ninefold db upgrade` before `serve`"
    )
    out.print(
        f"restored {done.path} into {done.database}\ndatabase: {done.revision} ({state})",
        markup=False,
    )
