"""`ninefold capacity`: forecast resources, and write the alert rules of those Prometheus
watches."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ninefold.cli_support import now_of, print_whole, settings_of, transaction

app = typer.Typer(no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
Config = Annotated[
    Path | None,
    typer.Option("--config", help="The configuration directory its files are in; default: "
                 "NINEFOLD_CONFIG_DIR."),
]  # fmt: skip


@app.command("forecast")
def forecast_command(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="One resource; default: all.")] = None,
    days: Annotated[int, typer.Option(min=1, max=365, help="How far ahead.")] = 30,
    config: Config = None,
) -> None:
    """Forecast resources: days until the threshold, P95 headroom, and the accuracy measured on
    a held-out season against a seasonal-naive forecast. Exit 1 when a series is refused."""
    from ninefold.capacity import service
    from ninefold.errors import Invalid

    settings = settings_of(ctx)
    with transaction(settings) as session:
        specs = (
            [service.get_spec(session, name)]
            if name is not None
            else [service.resource_spec(row) for row in service.resource_rows(session)]
        )
    directory = config or settings.config_dir
    table = Table("resource", "service", "last", "P95 headroom", "threshold", "crosses in",
                  "accuracy", "seasonal naive")  # fmt: skip
    refused = []
    for spec in specs:
        try:
            found = service.forecast(spec, directory, settings.prometheus_url, now_of(ctx), days)
        except Invalid as exc:
            refused.append(exc.message)
            continue
        crosses = (
            f"{found.days_until_threshold:g} days"
            if found.days_until_threshold is not None
            else f"not within {days} days"
        )
        table.add_row(
            found.resource,
            found.service,
            f"{found.last.value:g} {found.unit} ({found.last.at:%Y-%m-%d %H:%M})",
            f"{found.headroom:.1%}",
            f"{found.threshold:g} {found.unit}",
            crosses,
            f"{found.accuracy.metric} {found.accuracy.model:.1%}",
            f"{found.accuracy.seasonal_naive:.1%}",
        )
    if table.rows:
        print_whole(table, out)
    for message in refused:
        err.print(f"error: {message}")
    if refused:
        raise typer.Exit(1)


@app.command("rules")
def rules_command(
    ctx: typer.Context,
    within: Annotated[int, typer.Option(min=1, max=365, help="Alert this many days ahead.")] = 30,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here; default: print.")
    ] = None,
) -> None:
    """The Prometheus rule file alerting on resources forecast to cross their threshold within
    the days given (resources read from Prometheus; `promtool check rules` accepts it)."""
    from ninefold.capacity import service
    from ninefold.capacity.rules import rule_file

    with transaction(settings_of(ctx)) as session:
        specs = [service.resource_spec(row) for row in service.resource_rows(session)]
    text = rule_file(specs, within)
    if output is None:
        out.print(text, end="", markup=False)
    else:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {output}")
