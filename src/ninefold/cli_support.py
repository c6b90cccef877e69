"""What every domain's CLI commands share: the settings and clock the root command was given,
who is acting, and a migrated database session.

The database modules are imported when a session is asked for: commands such as `ninefold
check` and `ninefold slo generate` never touch the database and start without them.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from ninefold.auth.model import Principal, Role
from ninefold.clock import Clock
from ninefold.errors import Invalid, NotMigrated
from ninefold.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Invocation:
    """What the root command hands every subcommand as `ctx.obj`."""

    settings: Settings
    clock: Clock


def settings_of(ctx: typer.Context) -> Settings:
    invocation: Invocation = ctx.find_root().obj
    return invocation.settings


def clock_of(ctx: typer.Context) -> Clock:
    invocation: Invocation = ctx.find_root().obj
    return invocation.clock


def now_of(ctx: typer.Context) -> datetime:
    """The command's `now`: read from the invocation's clock, never from the wall clock."""
    return clock_of(ctx)()


def instant_option(text: str, option: str, now: datetime) -> datetime:
    """A TIME option as `ninefold.instants` reads it; an error names the option as typed."""
    from ninefold.instants import parse_instant

    try:
        return parse_instant(text, option.lstrip("-"), now)
    except Invalid as exc:
        raise Invalid(f"{option}: {exc.message}", field=exc.field) from None


def files_under(paths: list[Path], suffix: str) -> list[Path]:
    """The files named, and those ending in `suffix` below the directories named (sorted);
    a path that does not exist is an error."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(path.rglob(f"*{suffix}"))
        elif path.is_file():
            found.append(path)
        else:
            raise Invalid(f"{path}: no such file or directory")
    return found


def report_import(
    out: Console, refused: list[str], notes: list[tuple[str, str]], summary: str
) -> None:
    """What a history import did: each refused record, each note, the counts; exit 1 when
    something was refused (the good records are in)."""
    for line in refused:
        out.print(f"refused {line}", markup=False)
    for where, note in notes:
        out.print(f"imported {where}, but {note}", markup=False)
    out.print(summary, markup=False)
    if refused:
        raise typer.Exit(1)


def operator(via: str = "cli") -> Principal:
    """Whoever runs the CLI on the server holds its database: they act as an admin."""
    return Principal(name=f"{via}:{getpass.getuser()}", role=Role.ADMIN, via=via)


def migrated_engine(settings: Settings) -> Engine:
    from ninefold import migrations
    from ninefold.db import make_engine

    engine = make_engine(settings.resolved_database_url())
    if not migrations.is_current(engine):
        engine.dispose()
        raise NotMigrated(
            "the database is not migrated to this version; run `ninefold db upgrade` first"
        )
    return engine


@contextmanager
def transaction(settings: Settings) -> Iterator[Session]:
    """One transaction on a migrated database, committed when the command's block ends."""
    from ninefold.db import make_session_factory, unit_of_work

    engine = migrated_engine(settings)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def print_whole(table: Table, console: Console) -> None:
    """Print a table no narrower than its widest row: what a reader copies or compares (a URL,
    a team's name, a figure) is never cut or folded, however narrow the terminal or a pipe's
    80 columns."""
    needed = console.measure(table, options=console.options.update(max_width=10_000)).maximum
    Console(highlight=False, soft_wrap=True, width=max(console.width, needed)).print(table)
