"""`ninefold runbook`: list, show, record a test, and the coverage of the paging alerts."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ninefold.auth.model import Principal, Role
from ninefold.cli_support import now_of, operator, print_whole, settings_of, transaction

app = typer.Typer(no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)


@app.command("list")
def list_command(
    ctx: typer.Context,
    service: Annotated[str | None, typer.Option(help="Only this service's runbooks.")] = None,
    stale: Annotated[bool, typer.Option("--stale", help="Only the stale ones.")] = False,
) -> None:
    """List runbooks: service, alerts covered, last tested, and whether each is fresh."""
    from ninefold.runbooks import service as runbooks

    now = now_of(ctx)
    with transaction(settings_of(ctx)) as session:
        found = runbooks.list_runbooks(session, now, service, True if stale else None)
    if not found:
        out.print("no runbooks")
        return
    table = Table("name", "service", "alerts", "last tested", "fresh until", "fresh")
    for r in found:
        table.add_row(
            r.name,
            r.service,
            ", ".join(r.alerts),
            str(r.last_tested or "never"),
            str(r.due or ""),
            "yes" if r.fresh else "STALE",
        )
    print_whole(table, out)


@app.command("show")
def show_command(ctx: typer.Context, name: str) -> None:
    """Print a runbook's text, then its tests."""
    from ninefold.runbooks import service as runbooks

    with transaction(settings_of(ctx)) as session:
        found = runbooks.get_runbook(session, name, now_of(ctx))
    out.print(f"# {found.title}", markup=False)
    out.print(
        f"service {found.service}, owner {found.owner or '-'}, alerts "
        f"{', '.join(found.alerts) or '-'}; last tested {found.last_tested or 'never'}, "
        f"{'fresh' if found.fresh else 'STALE'} (review every {found.review_days} days)",
        markup=False,
    )
    out.print(found.body, markup=False)
    for test in found.tests:
        note = f": {test.note}" if test.note else ""
        out.print(f"tested {test.tested_at:%Y-%m-%d %H:%M} UTC by {test.by}{note}", markup=False)


@app.command("tested")
def record_test_command(
    ctx: typer.Context,
    name: str,
    by: Annotated[str | None, typer.Option(help="Who ran it (default: you).")] = None,
    note: Annotated[str, typer.Option(help="What was run, what was found.")] = "",
) -> None:
    """Record that a runbook was tested now: it is fresh again for its review interval."""
    from ninefold.runbooks import service as runbooks

    actor = operator() if by is None else Principal(name=by, role=Role.ADMIN, via="cli")
    with transaction(settings_of(ctx)) as session:
        test = runbooks.record_test(session, actor, name, now_of(ctx), "cli", note)
    out.print(f"recorded a test of {name} by {test.by} at {test.tested_at:%Y-%m-%d %H:%M} UTC")


@app.command("coverage")
def coverage_command(
    ctx: typer.Context,
    days: Annotated[int, typer.Option(min=1, max=730, help="The window, ending now.")] = 90,
) -> None:
    """The alert rules that paged in the window with a runbook, and those without, worst first."""
    from ninefold.runbooks import coverage

    with transaction(settings_of(ctx)) as session:
        found = coverage.coverage(session, now_of(ctx), days)

    def share(value: float | None) -> str:
        return "no data" if value is None else f"{value:.0%}"

    out.print(
        f"{found.covered} of {found.rules} alert rules that paged in the last {days} days have "
        f"a runbook: {share(found.coverage)}; top {found.top} by pages: "
        f"{share(found.top_coverage)}; tier 0-1: {share(found.critical_coverage)}"
    )
    if found.uncovered:
        table = Table("alert", "service", "tier", "pages")
        for rule in found.uncovered:
            tier = "" if rule.tier is None else str(rule.tier)
            table.add_row(rule.alertname, rule.service or "", tier, str(rule.pages))
        print_whole(table, out)
