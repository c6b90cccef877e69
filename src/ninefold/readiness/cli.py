"""`ninefold readiness [SERVICE]`: a service's scorecard with its failing rules, or every
service's; the exit status says whether the level required was reached (a launch gate)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from ninefold.cli_support import now_of, print_whole, settings_of, transaction

if TYPE_CHECKING:
    from ninefold.readiness.model import Scorecard

app = typer.Typer()
out = Console(highlight=False, soft_wrap=True)


@app.command("readiness")
def readiness(
    ctx: typer.Context,
    service: Annotated[str | None, typer.Argument(help="One service; default: all.")] = None,
    require: Annotated[
        str | None, typer.Option(help="The level required; default: the tier's.")
    ] = None,
) -> None:
    """Production readiness scorecards; exit 1 below the level required."""
    from ninefold.readiness import model
    from ninefold.readiness import service as readiness_service

    settings = settings_of(ctx)
    with transaction(settings) as session:
        names = [level.name for level in readiness_service.levels(session)]
        if require is not None and require not in names:
            raise typer.BadParameter(
                f"{require!r} is no level; the levels are {', '.join(names)}",
                param_hint="--require",
            )
        cards = readiness_service.scorecards(session, settings.config_dir, now_of(ctx), service)
    short = []
    for card in cards:
        wanted = require or card.required
        ok = wanted is None or model.at_least(card.level, wanted, card.levels)
        if not ok:
            short.append(card.service)
        if service is not None:
            _print_card(card, wanted)
    if service is None:
        _print_grid(cards)
    if short:
        out.print(f"below the level required: {', '.join(short)}")
        raise typer.Exit(1)


def _print_card(card: Scorecard, wanted: str | None) -> None:
    out.print(
        f"{card.service} (tier {card.tier}): level {card.level or 'none'}, "
        f"required {wanted or 'none'}; {len(card.checks) - len(card.failing)} of "
        f"{len(card.checks)} rules pass"
    )
    for check in card.failing:
        out.print(f"FAIL {check.level}/{check.rule.key}: {check.result.why}. {check.rule.fix}")


def _print_grid(cards: list[Scorecard]) -> None:
    table = Table("service", "tier", "level", "required", "failing rules")
    for card in cards:
        failing = ", ".join(c.rule.key for c in card.failing) or "-"
        table.add_row(card.service, str(card.tier), card.level or "none",
                      card.required or "-", failing)  # fmt: skip
    print_whole(table, out)
