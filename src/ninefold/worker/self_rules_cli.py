"""`ninefold self-rules`: the Prometheus alert rules that watch Ninefold itself."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ninefold.worker.self_rules import DEFAULT_JOB, render

out = Console(soft_wrap=True)
app = typer.Typer()


@app.command("self-rules")
def self_rules(
    ctx: typer.Context,
    job: Annotated[
        str, typer.Option(help="The Prometheus job that scrapes Ninefold's /metrics.")
    ] = DEFAULT_JOB,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write them here instead of stdout.")
    ] = None,
) -> None:
    """Prometheus alert rules for Ninefold itself: down, no worker, pages late or failing."""
    from ninefold.cli_support import clock_of, settings_of
    from ninefold.jobs import all_jobs

    text = render(job, all_jobs(settings_of(ctx), clock_of(ctx)).urgent)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    out.print(f"rules for Ninefold itself written to {output}", markup=False)
