"""`ninefold toil`: log toil from the terminal, list it, the report; record automation runs."""

from __future__ import annotations

import getpass
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ninefold.cli_support import now_of, operator, print_whole, settings_of, transaction

app = typer.Typer(no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)


def _quarter(text: str | None, today: date) -> tuple[date, date]:
    from ninefold.toil.model import quarter_of

    if text is None:
        return quarter_of(today)
    try:
        year, number = text.upper().split("-Q")
        first = date(int(year), 3 * (int(number) - 1) + 1, 1)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r}: write a quarter as 2026-Q4", param_hint="--quarter"
        ) from None
    return quarter_of(first)


@app.command("log")
def log_command(
    ctx: typer.Context,
    duration: Annotated[str, typer.Argument(help="How long: 30m, 1h30m, 2h (at most 24h).")],
    task: Annotated[str, typer.Argument(help="What was done.")],
    category: Annotated[str, typer.Option(help="What kind of toil: certificates, access, ...")],
    team: Annotated[str | None, typer.Option(help="Default: the person's one team.")] = None,
    person: Annotated[
        str | None, typer.Option(help="Who did it (a user); default: your login name.")
    ] = None,
    day: Annotated[
        str | None, typer.Option("--date", help="YYYY-MM-DD; default today (UTC).")
    ] = None,
) -> None:
    """Log a piece of toil."""
    from ninefold.payloads import validated
    from ninefold.toil import service
    from ninefold.toil.schemas import ToilIn

    body = validated(
        ToilIn,
        {
            "task": task,
            "duration": duration,
            "category": category,
            "team": team,
            "person": person or getpass.getuser(),
            "day": day,
        },
    )
    with transaction(settings_of(ctx)) as session:
        found = service.log(session, operator(), body, now_of(ctx))
    out.print(
        f"logged {found.minutes} min of {found.category} toil for {found.person} "
        f"({found.team}) on {found.day}"
    )


@app.command("report")
def report_command(
    ctx: typer.Context,
    quarter: Annotated[str | None, typer.Option(help="2026-Q4; default this quarter.")] = None,
    team: Annotated[str | None, typer.Option(help="One team only.")] = None,
    hours_per_week: Annotated[float, typer.Option(min=1, max=168, help="Each member's.")] = 40.0,
) -> None:
    """The toil ratio of each team in a quarter, the top categories and the hours saved."""
    from ninefold.toil import service

    start, end = _quarter(quarter, now_of(ctx).date())
    with transaction(settings_of(ctx)) as session:
        found = service.report(session, start, end, team, hours_per_week)
    table = Table("team", "members", "toil hours", "capacity hours", "toil ratio")
    for row in found.teams:
        ratio = "no data" if row.ratio is None else f"{row.ratio:.1%}"
        table.add_row(
            row.team, str(row.members), f"{row.toil_hours:g}", f"{row.capacity_hours:g}", ratio
        )
    out.print(f"toil from {found.start} to {found.end} (exclusive)")
    print_whole(table, out)
    for item in found.categories:
        out.print(f"{item.category}: {item.hours:g} h")
    for month, hours in found.hours_saved.items():
        out.print(f"saved by automation in {month}: {hours:g} h")


@app.command("run")
def run_command(
    ctx: typer.Context,
    automation: Annotated[str, typer.Argument(help="The automation that ran.")],
    external_id: Annotated[str | None, typer.Option("--id", help="The run's own id.")] = None,
) -> None:
    """Record a run of an automation (its hours saved per run count from now)."""
    from ninefold.toil import service

    with transaction(settings_of(ctx)) as session:
        found = service.record_run(session, operator(), automation, now_of(ctx), external_id)
    said = "recorded" if found.created else "already recorded"
    out.print(f"{said}: {automation} saved {found.hours_saved:g} h")
