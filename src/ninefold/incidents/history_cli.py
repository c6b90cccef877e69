"""`ninefold import incidents` and `ninefold incidents stats`: a team's past incidents in, so
that its figures start with history, and what that history says."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ninefold.cli_support import (
    files_under,
    now_of,
    operator,
    print_whole,
    report_import,
    settings_of,
    transaction,
)
from ninefold.errors import Invalid

app = typer.Typer(no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)


def import_incidents(
    ctx: typer.Context,
    files: Annotated[
        list[Path], typer.Argument(help="Files, or directories of *.json / *.csv files.")
    ],
    fmt: Annotated[str, typer.Option("--format", help="json or csv.")] = "json",
    severity: Annotated[str, typer.Option(help="Severity of records that give none.")] = "SEV2",
) -> None:
    """Import past incidents (docs/incidents.md#history-from-elsewhere): every record that
    reads is imported in one transaction, each other one reported with its reason; importing
    again changes nothing. Exits 1 when a record was refused."""
    from ninefold.incidents import history, history_import
    from ninefold.incidents.model import Severity

    if fmt not in ("json", "csv"):
        raise Invalid(f"--format must be json or csv, not {fmt!r}", field="format")
    try:
        level = Severity(severity)
    except ValueError:
        raise Invalid(f"--severity must be SEV1 to SEV4, not {severity!r}") from None
    records: list[history.Record | history.Refused] = []
    for path in files_under(files, f".{fmt}"):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise Invalid(f"{path}: cannot read it ({exc})") from None
        try:
            records += history.read(text, fmt, str(path), level)
        except history.Unreadable as exc:
            raise Invalid(str(exc)) from None
    with transaction(settings_of(ctx)) as session:
        report = history_import.import_records(session, operator(), records, fmt, now_of(ctx))
    summary = (
        f"{report.imported} imported, {report.unchanged} already there, "
        f"{len(report.refused)} refused"
    )
    report_import(out, [f"{r.ref}: {r.reason}" for r in report.refused], report.notes, summary)


def _minutes(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


@app.command("stats")
def stats(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Incidents by root-cause category and by provider: how many, and the distribution of
    their time to recover in minutes."""
    from ninefold.incidents import history_import

    if fmt not in ("table", "json"):
        raise Invalid(f"--format must be table or json, not {fmt!r}", field="format")
    with transaction(settings_of(ctx)) as session:
        found = {by: history_import.stats(session, by) for by in ("category", "provider")}
    if fmt == "json":
        typer.echo(json.dumps({by: [asdict(s) for s in rows] for by, rows in found.items()}))
        return
    for by, rows in found.items():
        table = Table(by, "incidents", "with duration", "mean", "P50", "P90", "longest")
        table.title = f"Time to recover (minutes) by {by}"
        for s in rows:
            table.add_row(
                s.key,
                str(s.incidents),
                str(s.with_duration),
                _minutes(s.mean),
                _minutes(s.p50),
                _minutes(s.p90),
                _minutes(s.longest),
            )
        print_whole(table, out)
