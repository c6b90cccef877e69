"""`ninefold risk`: the register with its overdue flags, the heat map, a review recorded."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ninefold.cli_support import now_of, operator, print_whole, settings_of, transaction

app = typer.Typer(no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)


@app.command("list")
def list_command(
    ctx: typer.Context,
    service: Annotated[str | None, typer.Option(help="One service's risks.")] = None,
    overdue: Annotated[bool, typer.Option(help="Only overdue reviews or mitigations.")] = False,
) -> None:
    """The risk register, highest score first, with what is overdue."""
    from ninefold.risks import service as risks

    with transaction(settings_of(ctx)) as session:
        found = risks.register(session, now_of(ctx).date(), service, overdue=overdue)
    table = Table("risk", "service", "L", "I", "score", "status", "owner", "review due", "overdue")
    for r in found:
        late = [w for w, yes in (("review", r.review_overdue),
                                 ("mitigation", r.mitigation_overdue)) if yes]  # fmt: skip
        table.add_row(r.name, r.service or "-", str(r.likelihood), str(r.impact), str(r.score),
                      r.status, r.owner, str(r.review_due), ", ".join(late) or "-")  # fmt: skip
    print_whole(table, out)


@app.command("heatmap")
def heatmap_command(ctx: typer.Context) -> None:
    """How many open risks at each likelihood (rows, 5 at the top) and impact (columns)."""
    from ninefold.risks import service as risks

    with transaction(settings_of(ctx)) as session:
        cells = risks.heat_map(session).cells
    table = Table("likelihood \\ impact", *(str(i) for i in range(1, 6)))
    for likelihood in range(5, 0, -1):
        row = cells[likelihood - 1]
        table.add_row(str(likelihood), *(str(len(names)) if names else "." for names in row))
    print_whole(table, out)


@app.command("review")
def review_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The risk reviewed.")],
    note: Annotated[str, typer.Option(help="What the review found.")] = "",
) -> None:
    """Record a review of a risk today: its next is due a review interval later."""
    from ninefold.risks import service as risks
    from ninefold.risks.schemas import ReviewIn

    with transaction(settings_of(ctx)) as session:
        risks.review(session, operator(), name, ReviewIn(note=note), now_of(ctx))
        found = risks.get(session, name, now_of(ctx).date())
    out.print(f"reviewed {name}; next review due {found.review_due}")
