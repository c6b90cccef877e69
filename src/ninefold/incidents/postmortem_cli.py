"""`ninefold postmortem start|show|export|import|state|item|items`: postmortems and action items
from a terminal, so that a team can write its postmortem in its editor or repository and
bring it back; on the server's database, as the operator."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ninefold.cli_support import now_of, operator, print_whole, settings_of, transaction
from ninefold.errors import Invalid
from ninefold.payloads import validated
from ninefold.spec import MAX_INT

app = typer.Typer(no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)
IncidentId = Annotated[int, typer.Argument(min=1, max=MAX_INT, help="Incident number.")]


def _summary(ctx: typer.Context, incident_id: int) -> None:
    from ninefold.incidents import postmortems
    from ninefold.incidents.postmortems import burn_line

    with transaction(settings_of(ctx)) as session:
        found = postmortems.out(session, incident_id, now_of(ctx))
    out.print(f"postmortem of incident {incident_id}: {found.state}, {found.title}", markup=False)
    out.print(f"required: {'; '.join(found.required) or 'no'}", markup=False)
    due = "none" if found.due_at is None else f"{found.due_at:%Y-%m-%d %H:%M} UTC"
    out.print(f"due reviewed by: {due}{' (late)' if found.late else ''}", markup=False)
    missing = ", ".join(found.completeness.missing) or "nothing"
    out.print(f"complete: {found.completeness.score:.0%} (missing {missing})", markup=False)
    for burn in found.budget:
        out.print(burn_line(burn).removeprefix("- "), markup=False)


@app.command("start")
def start(ctx: typer.Context, incident_id: IncidentId) -> None:
    """Write the draft from the incident (with the error budget it burned)."""
    from ninefold.incidents import postmortems
    from ninefold.slos.incident_burn import Pricer

    settings = settings_of(ctx)
    with transaction(settings) as session:
        burns = postmortems.price(session, Pricer.of(settings), incident_id)
        postmortems.start(session, operator(), incident_id, now_of(ctx), burns)
    _summary(ctx, incident_id)


@app.command("show")
def show(ctx: typer.Context, incident_id: IncidentId) -> None:
    """Print the postmortem's state, due date, completeness and budget burned."""
    _summary(ctx, incident_id)


@app.command("export")
def export(
    ctx: typer.Context,
    incident_id: IncidentId,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
) -> None:
    """Write the postmortem as Markdown, to edit and bring back with `import`."""
    from ninefold.incidents import postmortems

    with transaction(settings_of(ctx)) as session:
        text = postmortems.export_markdown(session, incident_id)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {output}", markup=False)


@app.command("import")
def import_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A postmortem in Markdown (as export writes).")],
    incident: Annotated[
        int | None,
        typer.Option(min=1, max=MAX_INT, help="The incident; default: the one the file names."),
    ] = None,
) -> None:
    """Replace a postmortem from Markdown: all of it, or nothing when a line does not read."""
    from ninefold.incidents import postmortems
    from ninefold.incidents.postmortem import incident_named

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Invalid(f"{file}: cannot read it ({exc})") from None
    number = incident or incident_named(text)
    if number is None:
        raise Invalid(f"{file}: no '<!-- ninefold incident N -->' first line; give --incident N")
    with transaction(settings_of(ctx)) as session:
        try:
            postmortems.import_markdown(session, operator(), number, text, now_of(ctx))
        except Invalid as exc:
            raise Invalid(f"{file}: {exc.message}", field=exc.field) from None
    _summary(ctx, number)


@app.command("state")
def state(
    ctx: typer.Context,
    incident_id: IncidentId,
    to: Annotated[str, typer.Argument(help="in_review, reviewed, published or draft.")],
    reviewer: Annotated[
        list[str] | None, typer.Option(help="With in_review: a reviewer; repeat for more.")
    ] = None,
) -> None:
    """Send for review, mark reviewed, publish, or back to draft."""
    from ninefold.incidents import postmortems
    from ninefold.incidents.schemas import PostmortemMove

    body = validated(PostmortemMove, {"state": to, "reviewers": reviewer})
    with transaction(settings_of(ctx)) as session:
        postmortems.move(session, operator(), incident_id, body, now_of(ctx))
    _summary(ctx, incident_id)


@app.command("item")
def item(
    ctx: typer.Context,
    incident_id: IncidentId,
    kind: Annotated[str, typer.Argument(help="prevent, mitigate, detect or process.")],
    title: Annotated[str, typer.Argument(help="What to do.")],
    owner: Annotated[str | None, typer.Option(help="Who does it (a user).")] = None,
    due: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default by severity.")] = None,
    priority: Annotated[str, typer.Option(help="high, medium or low.")] = "medium",
    url: Annotated[str, typer.Option(help="External tracker URL.")] = "",
) -> None:
    """Add an action item to an incident."""
    from ninefold.incidents import action_items
    from ninefold.incidents.schemas import ActionItemIn

    body = validated(
        ActionItemIn,
        {
            "kind": kind,
            "title": title,
            "owner": owner,
            "due": due,
            "priority": priority,
            "url": url,
        },
    )
    now = now_of(ctx)
    with transaction(settings_of(ctx)) as session:
        row = action_items.add(session, operator(), incident_id, body, now)
        shown = action_items.out(row, now.date())
    out.print(f"action item {shown.id}: {shown.kind} {shown.title}, due {shown.due}", markup=False)


@app.command("items")
def items(
    ctx: typer.Context,
    team: Annotated[str | None, typer.Option(help="Of this team.")] = None,
    owner: Annotated[str | None, typer.Option(help="Owned by this user.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Open ones only.")] = False,
) -> None:
    """List action items, overdue first."""
    from ninefold.incidents import action_items

    today: date = now_of(ctx).date()
    with transaction(settings_of(ctx)) as session:
        found = action_items.list_items(session, today, team=team, owner=owner, open_only=open_only)
    table = Table("id", "incident", "kind", "title", "owner", "team", "due", "status", "reminder")
    for i in found:
        table.add_row(
            str(i.id),
            str(i.incident_id or ""),
            i.kind,
            i.title,
            i.owner or "",
            i.team or "",
            f"{i.due}{' OVERDUE' if i.overdue else ''}",
            i.status,
            i.reminder or "",
        )
    print_whole(table, out)
    out.print(f"{len(found)} action items")
