"""The `ninefold` command: the root Typer app, its options, and error mapping.

The subcommands are the platform's (below) and every domain's (`ninefold.domains`), each a
Typer app in its own module, imported only when it runs: `ninefold --help` lists them from
their manifests, `ninefold oncall who` loads the on-call domain and what it needs, nothing
else. Domain errors become `error: ...` and an exit code here, once.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from ninefold import __version__
from ninefold.clock import Clock, system_clock
from ninefold.domain import Command, load
from ninefold.domains import DOMAINS
from ninefold.errors import NinefoldError

PLATFORM = (
    Command(
        "check",
        "ninefold.config.cli:check",
        "Validate a configuration directory; print every problem as file:line: field: message.",
    ),
    Command(
        "apply",
        "ninefold.config.cli:apply",
        "Sync a configuration directory into the database in one transaction.",
    ),
    Command(
        "serve",
        "ninefold.server_cli:serve",
        "Run the web server: API, web UI, /healthz, /readyz and /metrics.",
    ),
    Command(
        "demo",
        "ninefold.server_cli:demo",
        "Migrate, load a configuration directory, create a demo admin and serve.",
    ),
    Command("db", "ninefold.migrations.cli:app", "Database schema migrations."),
    Command(
        "import",
        "ninefold.config.cli:imports",
        "Convert other tools' files into Ninefold configuration.",
    ),
    Command("docs", "ninefold.config.cli:docs", "Documentation generated from the code."),
)
COMMANDS = {c.name: c for c in (*PLATFORM, *(c for d in DOMAINS for c in d.commands))}


def load_command(command: Command) -> Any:
    """The click command of a manifest entry (Typer's click). A Typer app whose one command
    is named like the entry is that command; any other is a group, with the entry's help."""
    typer_app: typer.Typer = load(command.app)
    commands = typer_app.registered_commands
    if len(commands) == 1 and commands[0].name == command.name:
        return typer.main.get_command(typer_app)
    group = typer.main.get_group(typer_app)
    group.name, group.help = command.name, group.help or command.help
    return group


class LazyGroup(TyperGroup):
    """Lists the commands from their manifests and imports one only to run it.

    (The click types are Typer's own copy of click, private to it: hence `Any` below.)"""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *COMMANDS]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in COMMANDS:
            # What the command list shows; `resolve_command` swaps in the real one to run.
            return TyperCommand(name=cmd_name, help=COMMANDS[cmd_name].help)
        return found

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else None
        if name in COMMANDS and name not in self.commands:
            self.commands[name] = load_command(COMMANDS[name])
        return super().resolve_command(ctx, args)


app = typer.Typer(
    cls=LazyGroup,
    name="ninefold",
    help="Ninefold: service catalog, SLOs, paging and incidents, self-hosted.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"ninefold {__version__}")
        raise typer.Exit


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[  # noqa: ARG001 (handled by its eager callback)
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Print the version and exit."
        ),
    ] = False,
    log_format: Annotated[str | None, typer.Option(help="Log format: text or json.")] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Configuration directory (default ./ninefold)."),
    ] = None,
) -> None:
    from pydantic import ValidationError

    from ninefold.cli_support import Invocation
    from ninefold.observability import configure_logging
    from ninefold.settings import Settings

    try:
        settings = Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = "NINEFOLD_" + "_".join(str(p) for p in error["loc"]).upper()
            typer.echo(f"error: {name}: {error['msg']}", err=True)
        raise typer.Exit(2) from None
    if log_format not in (None, "text", "json"):
        raise typer.BadParameter("must be text or json", param_hint="--log-format")
    if log_format:
        settings = settings.model_copy(update={"log_format": log_format})
    if config:
        settings = settings.model_copy(update={"config_dir": config})
    configure_logging(settings.log_format)
    # `main` hands down the clock; anything else calling the app gets the system's.
    clock: Clock = ctx.obj or system_clock
    ctx.obj = Invocation(settings, clock)


def main(clock: Clock = system_clock) -> None:
    """The console script. Tests that run the command in-process hand it their clock."""
    try:
        app(obj=clock)
    except NinefoldError as exc:
        from rich.console import Console

        Console(stderr=True, soft_wrap=True).print(
            f"error: {exc.message}", markup=False, highlight=False
        )
        sys.exit(exc.exit_code)
