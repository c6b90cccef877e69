"""`ninefold dr`: record a DR test or game day, list them, the DR report per tier."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ninefold.cli_support import now_of, operator, print_whole, settings_of, transaction

app = typer.Typer(no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)
RESULT = {True: "pass", False: "FAIL"}


@app.command("record")
def record_command(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Argument(help="What was rehearsed.")],
    kind: Annotated[str, typer.Option(help="tabletop, failover, restore or full.")],
    service: Annotated[list[str], typer.Option(help="A service it exercised (repeat).")],
    rto: Annotated[str, typer.Option(help="Measured recovery time, with its unit: 45m.")],
    rpo: Annotated[str, typer.Option(help="Measured data loss, with its unit: 5m or 0s.")],
    rto_target: Annotated[str | None, typer.Option(help="Default: the tier's.")] = None,
    rpo_target: Annotated[str | None, typer.Option(help="Default: the tier's.")] = None,
    ran_on: Annotated[
        str | None, typer.Option("--date", help="YYYY-MM-DD; default today (UTC).")
    ] = None,
    evidence: Annotated[list[str] | None, typer.Option(help="A link (repeat).")] = None,
    participant: Annotated[list[str] | None, typer.Option(help="A user (repeat).")] = None,
    follow_up: Annotated[
        list[str] | None, typer.Option(help="An action item it leaves, as its title (repeat).")
    ] = None,
    notes: Annotated[str, typer.Option(help="What happened.")] = "",
) -> None:
    """Record a DR test that ran, with what was measured: pass or fail is computed."""
    from ninefold.dr import service as dr
    from ninefold.dr.schemas import DrTestIn
    from ninefold.payloads import validated

    body = validated(
        DrTestIn,
        {
            "scenario": scenario,
            "kind": kind,
            "services": service,
            "ran_on": ran_on,
            "rto_target": rto_target,
            "rpo_target": rpo_target,
            "rto_measured": rto,
            "rpo_measured": rpo,
            "evidence": evidence or [],
            "participants": participant or [],
            "follow_ups": [{"kind": "prevent", "title": t} for t in follow_up or []],
            "notes": notes,
        },
    )
    with transaction(settings_of(ctx)) as session:
        found = dr.record(session, operator(), body, now_of(ctx))
    out.print(
        f"DR test #{found.id} (tier {found.tier}): {RESULT[found.passed]}: RTO "
        f"{found.rto_measured} of {found.rto_target}, RPO {found.rpo_measured} of "
        f"{found.rpo_target}"
    )
    for item in found.follow_ups:
        out.print(f"follow-up #{item.id} for {item.team}, due {item.due}: {item.title}")


@app.command("list")
def list_command(
    ctx: typer.Context,
    service: Annotated[str | None, typer.Option(help="One service's tests only.")] = None,
) -> None:
    """DR tests, newest first."""
    from ninefold.dr import service as dr

    with transaction(settings_of(ctx)) as session:
        today = now_of(ctx).date()
        found = [dr.out(session, row, today) for row in dr.recorded(session, service=service)]
    table = Table("#", "ran on", "kind", "tier", "services", "RTO", "RPO", "result", "scenario")
    for t in found:
        table.add_row(
            str(t.id),
            str(t.ran_on),
            t.kind,
            str(t.tier),
            ", ".join(t.services),
            f"{t.rto_measured} / {t.rto_target}",
            f"{t.rpo_measured} / {t.rpo_target}",
            RESULT[t.passed],
            t.scenario,
        )
    print_whole(table, out)


@app.command("report")
def report_command(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--from", help="YYYY-MM-DD; default a year ago.")
    ] = None,
) -> None:
    """DR readiness per tier (tests meeting RTO and RPO / tests) and the overdue services."""
    from ninefold.dr import service as dr

    today = now_of(ctx).date()
    try:
        start = date.fromisoformat(since) if since else today - timedelta(days=364)
    except ValueError:
        raise typer.BadParameter(
            f"{since!r}: write a day as YYYY-MM-DD", param_hint="--from"
        ) from None
    with transaction(settings_of(ctx)) as session:
        found = dr.report(session, start, today + timedelta(days=1), today)
    table = Table("tier", "tests", "passed", "DR readiness", "RTO", "RPO", "test every", "overdue")
    for t in found.tiers:
        value = "no data" if t.readiness is None else f"{t.readiness:.0%}"
        table.add_row(
            str(t.tier),
            str(t.tests),
            str(t.passed),
            value,
            t.rto,
            t.rpo,
            t.test_every or "-",
            ", ".join(t.overdue_services) or "-",
        )
    out.print(f"DR tests from {found.start} to {found.end} (exclusive)")
    print_whole(table, out)
