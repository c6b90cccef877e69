"""`ninefold integrations list`: where alerts come from, and the URL each source posts to.

The intake key is made by Ninefold when `apply` creates an integration; this is where an
operator reads it, with the server's public address in front, to configure Alertmanager,
Grafana or a script.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from ninefold.cli_support import operator, settings_of, transaction
from ninefold.pagination import MAX_LIMIT, every

app = typer.Typer(no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)


@app.command("list")
def list_command(ctx: typer.Context) -> None:
    """List integrations with their intake URLs (NINEFOLD_PUBLIC_URL in front)."""
    from ninefold.alerts import integrations

    settings = settings_of(ctx)
    base = settings.resolved_public_url()
    with transaction(settings) as session:
        found = every(
            lambda offset: integrations.list_page(
                session, operator(), base, limit=MAX_LIMIT, offset=offset
            )
        )
    if not found:
        out.print("no integrations")
        return
    header = ("name", "kind", "service", "intake URL", "last ping")
    rows = []
    for item in found:
        last = f"{item.last_ping_at:%Y-%m-%d %H:%M} UTC" if item.last_ping_at else ""
        rows.append((item.name, item.kind, item.service or "", item.url, last))
    table = Table(*header)
    for row in rows:
        table.add_row(*row)
    # The URL is what the reader copies: never cut or folded, however narrow the terminal
    # (or a pipe's 80 columns); the table is as wide as its longest row.
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=False)]
    wide = Console(highlight=False, width=max(out.width, sum(widths) + 3 * len(widths) + 1))
    wide.print(table)
