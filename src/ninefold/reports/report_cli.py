"""`ninefold report weekly|handoff|monthly|quarterly`: a report as Markdown, HTML, PDF or
JSON, on standard output or into a file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ninefold.cli_support import now_of, settings_of, transaction
from ninefold.errors import Invalid

app = typer.Typer()


@app.command("report")
def report(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="weekly, handoff, monthly or quarterly.")],
    team: Annotated[str | None, typer.Option(help="The services of this team.")] = None,
    service: Annotated[str | None, typer.Option(help="This service.")] = None,
    tier: Annotated[
        int | None, typer.Option(min=0, max=3, help="The services of this tier.")
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            help="2026-W48 (weekly), 2026-11 (monthly), 2026-Q4 (quarterly); for a handoff, "
            "an instant: the last handoff at or before it. Default: the last whole period, "
            "the last handoff."
        ),
    ] = None,
    schedule: Annotated[
        str | None, typer.Option(help="A handoff's schedule (default: the team's only one).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="markdown, html, pdf or json.")] = "markdown",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write it here instead of stdout.")
    ] = None,
) -> None:
    """A report of a period: the weekly SLO snapshot, an on-call handoff, the monthly
    reliability report or the quarterly state of reliability."""
    from ninefold.changes.dora_report import Selection
    from ninefold.reports.document import KINDS
    from ninefold.reports.render import FORMATS, rendered
    from ninefold.reports.reporting import Wanted, make

    if kind not in KINDS:
        raise Invalid(f"a report is {', '.join(KINDS)}, not {kind!r}", field="kind")
    if fmt not in FORMATS:
        raise Invalid(f"--format must be {', '.join(FORMATS)}, not {fmt!r}", field="format")
    if fmt == "pdf" and output is None and sys.stdout.isatty():
        raise Invalid("a PDF goes to a file: add --output report.pdf", field="output")
    settings = settings_of(ctx)
    now = now_of(ctx)
    selection = Selection(team=team, service=service, tier=tier)
    wanted = Wanted(kind, selection, period, schedule)
    with transaction(settings) as session:
        found = make(session, settings, wanted, now)
    data = rendered(found, fmt, settings.resolved_public_url())
    if output is not None:
        output.write_bytes(data)
        typer.echo(f"{found.title} written to {output}", err=True)
        return
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
