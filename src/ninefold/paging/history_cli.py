"""`ninefold import pages`: a team's past alert groups, pages and on-call shifts in, so that its
paging KPIs start with history (docs/paging.md#history-from-elsewhere)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ninefold.cli_support import (
    files_under,
    now_of,
    operator,
    report_import,
    settings_of,
    transaction,
)
from ninefold.errors import Invalid

out = Console(highlight=False, soft_wrap=True)
SUFFIXES = {"json": ".json", "pagerduty-csv": ".csv"}


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def import_pages(
    ctx: typer.Context,
    files: Annotated[
        list[Path], typer.Argument(help="Files, or directories of *.json / *.csv files.")
    ],
    fmt: Annotated[
        str, typer.Option("--format", help="json (Ninefold's form) or pagerduty-csv.")
    ] = "json",
    integration: Annotated[
        str | None,
        typer.Option(help="Integration the alert groups came through, for records naming none."),
    ] = None,
) -> None:
    """Import past alert groups with their pages, acknowledgements and answers, and on-call
    shifts: every record that reads and names what exists is imported in one transaction,
    each other one reported with where it is and why; importing again changes nothing.
    Exits 1 when a record was refused."""
    from ninefold.paging import history, history_import, history_pagerduty

    if fmt not in SUFFIXES:
        raise Invalid(f"--format must be json or pagerduty-csv, not {fmt!r}", field="format")
    read = history_pagerduty.read if fmt == history_pagerduty.FORMAT else history.read
    now = now_of(ctx)
    records: list[history.Record] = []
    for path in files_under(files, SUFFIXES[fmt]):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise Invalid(f"{path}: cannot read it ({exc})") from None
        try:
            records += read(text, str(path), now)
        except history.Unreadable as exc:
            raise Invalid(str(exc)) from None
    with transaction(settings_of(ctx)) as session:
        report = history_import.import_records(session, operator(), records, fmt, now, integration)
    refused = [
        f"{r.ref}{f' ({r.source_id})' if r.source_id else ''}: {r.reason}" for r in report.refused
    ]
    summary = (
        f"{_count(report.groups, 'alert group')} and {_count(report.shifts, 'shift')} "
        f"imported, {report.unchanged} already there, {len(report.refused)} refused"
    )
    report_import(out, refused, report.notes, summary)
