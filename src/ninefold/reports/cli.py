"""`ninefold kpi`: the KPI table of a period in a terminal, as JSON or as CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ninefold.cli_support import now_of, print_whole, settings_of, transaction
from ninefold.errors import Invalid

app = typer.Typer(invoke_without_command=True)
out = Console(highlight=False, soft_wrap=True)
DEFAULT_PERIOD = timedelta(days=30)


@app.callback()
def kpi(
    ctx: typer.Context,
    start: Annotated[
        str | None,
        typer.Option("--from", help="Start: ISO 8601 or a date; default 30 days before --to."),
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="End (excluded); default now.")] = None,
    team: Annotated[str | None, typer.Option(help="The services of this team.")] = None,
    service: Annotated[str | None, typer.Option(help="This service.")] = None,
    tier: Annotated[
        int | None, typer.Option(min=0, max=3, help="The services of this tier.")
    ] = None,
    severity: Annotated[
        str | None, typer.Option(help="The incident KPIs of this severity only (SEV1-SEV4).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
) -> None:
    """Every KPI of a period (default: the last 30 days) against the period before, with
    its target; `ninefold kpi dashboard` writes a Grafana dashboard of them."""
    if ctx.invoked_subcommand is not None:
        return
    from ninefold.changes.dora import Period
    from ninefold.changes.dora_report import Selection
    from ninefold.incidents.model import Severity
    from ninefold.instants import period_of
    from ninefold.reports import kpis, targets
    from ninefold.reports.catalogue import shown

    if fmt not in ("table", "json", "csv"):
        raise Invalid(f"--format must be table, json or csv, not {fmt!r}", field="format")
    try:
        level = None if severity is None else Severity(severity)
    except ValueError:
        raise Invalid(f"--severity must be SEV1 to SEV4, not {severity!r}") from None
    now = now_of(ctx)
    first, last = period_of(start, end, now, DEFAULT_PERIOD)
    selection = Selection(team=team, service=service, tier=tier)
    settings = settings_of(ctx)
    with transaction(settings) as session:
        found = kpis.kpi_table(
            session,
            Period(first, last),
            selection,
            now,
            targets.configured(settings.config_dir),
            level,
            settings=settings,
        )
    if fmt == "json":
        typer.echo(found.model_dump_json())
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(
            ["key", "title", "unit", "value", "previous", "change", "target", "meets", "records"]
        )
        for row in found.rows:
            writer.writerow(
                [row.key, row.title, row.unit, row.value, row.previous, row.change, row.target,
                 row.meets, len(row.counted)]
            )  # fmt: skip
        typer.echo(buffer.getvalue(), nl=False)
        return
    partial = " (partial: the period has not ended)" if found.partial else ""
    out.print(
        f"KPIs of {found.selection}, {found.start:%Y-%m-%d %H:%M} to {found.end:%Y-%m-%d %H:%M} "
        f"UTC against the period before{partial}",
        markup=False,
    )
    table = Table("KPI", "value", "before", "change", "target", "meets", "records")
    for row in found.rows:
        moved = "" if row.change is None else f"{row.change:+.0%}"
        meets = {True: "yes", False: "NO", None: ""}[row.meets]
        table.add_row(
            row.title,
            shown(row.value, row.unit),
            shown(row.previous, row.unit),
            moved,
            row.target,
            meets,
            str(len(row.counted)),
        )
    print_whole(table, out)
    left = sum(len(r.left_out) for r in found.rows)
    if left:
        out.print(f"{left} records left out for missing data; --format json says which and why")


@app.command("dashboard")
def dashboard(
    ctx: typer.Context,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write it here instead of stdout.")
    ] = None,
) -> None:
    """A Grafana dashboard of the KPI gauges of /metrics, with the targets in force."""
    from ninefold.reports import targets
    from ninefold.reports.dashboard import dashboard as board

    settings = settings_of(ctx)
    text = json.dumps(board(targets.configured(settings.config_dir)), indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text)
    out.print(f"Grafana dashboard written to {output}", markup=False)
