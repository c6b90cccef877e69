"""`ninefold integrations list`: where alerts come from, and the URL each source posts to.

The intake key is made by Ninefold when `apply` creates an integration; this is where an
operator reads it, with the server's public address in front, to configure Alertmanager,
Grafana or a script.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from ninefold.cli_support import operator, print_whole, settings_of, transaction
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
    table = Table("name", "kind", "service", "intake URL", "last ping")
    for item in found:
        last = f"{item.last_ping_at:%Y-%m-%d %H:%M} UTC" if item.last_ping_at else ""
        table.add_row(item.name, item.kind, item.service or "", item.url, last)
    print_whole(table, out)
