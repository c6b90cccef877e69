"""`ninefold check`, `ninefold apply`, `ninefold import` and `ninefold docs`: one Typer app each,
which the root command loads when it is run (`ninefold.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ninefold.cli_support import now_of, settings_of
from ninefold.declared import Bundle
from ninefold.domain import load
from ninefold.domains import DOMAINS

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

ConfigDir = Annotated[
    Path | None,
    typer.Argument(help="Configuration directory; default $NINEFOLD_CONFIG_DIR or ./ninefold."),
]


def report(bundle: Bundle) -> None:
    """Print every problem; exit 1 if any is an error."""
    errors = [p for p in bundle.problems if p.severity == "error"]
    for problem in bundle.problems:
        err.print(str(problem), markup=False)
    if errors:
        err.print(f"{len(errors)} error{'s' if len(errors) != 1 else ''}", markup=False)
        raise typer.Exit(1)


def _directory(ctx: typer.Context, directory: Path | None) -> Path:
    if directory is not None:
        return directory
    config_dir: Path = settings_of(ctx).config_dir
    return config_dir


check = typer.Typer()
apply = typer.Typer()
imports = typer.Typer(no_args_is_help=True)
for _domain in DOMAINS:
    for _sub in _domain.imports:
        imports.command(_sub.name, help=_sub.help)(load(_sub.app))
docs = typer.Typer(no_args_is_help=True)


@docs.command("config-reference")
def config_reference() -> None:
    """Print the configuration reference, Markdown rendered from the section schemas."""
    from ninefold.config.reference import render

    typer.echo(render(), nl=False)


@check.command("check")
def check_command(ctx: typer.Context, directory: ConfigDir = None) -> None:
    """Validate a configuration directory; print every problem as file:line: field: message."""
    from ninefold.config.check import check_directory

    root = _directory(ctx, directory)
    bundle = check_directory(root)
    report(bundle)
    counts = ", ".join(
        [f"{len(items)} {name.replace('_', ' ')}" for name, items in bundle.items.items()]
        + [f"{len(found)} {name}" for name, found in bundle.documents.items()]
    )
    out.print(f"{root}: OK ({counts})")


@apply.command("apply")
def apply_command(
    ctx: typer.Context,
    directory: ConfigDir = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan only.")] = False,
) -> None:
    """Sync a configuration directory into the database in one transaction."""
    from ninefold.cli_support import operator, transaction
    from ninefold.config.apply import execute, make_plan
    from ninefold.config.check import check_directory

    bundle = check_directory(_directory(ctx, directory))
    report(bundle)
    with transaction(settings_of(ctx)) as session:
        plan = make_plan(session, bundle)
        for change in plan.changes:
            out.print(change.describe(), markup=False)
        if not dry_run:
            execute(session, operator("config"), plan, bundle, now_of(ctx))
    out.print(plan.summary())
    if dry_run and plan.changes:
        out.print("Dry run: nothing was written.")


@imports.command("backstage")
def import_backstage(
    files: Annotated[list[Path], typer.Argument(help="catalog-info.yaml files.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Directory to write into.")] = Path(
        "ninefold"
    ),
    default_tier: Annotated[
        int, typer.Option(min=0, max=3, help="Tier for components that name none.")
    ] = 2,
) -> None:
    """Convert Backstage catalog-info.yaml files into Ninefold configuration files."""
    from ninefold.config.backstage import convert, write

    result = convert(files, default_tier=default_tier)
    for problem in result.problems:
        err.print(str(problem), markup=False)
    if any(p.severity == "error" for p in result.problems):
        raise typer.Exit(1)
    for path in write(result, output):
        out.print(f"wrote {path}", markup=False)
