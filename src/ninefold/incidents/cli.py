"""`ninefold incident declare|list|show|status|instants|role|link|note|update`: the incident
commands on the server's database, as the other data commands are (the operator acts as an
admin); the same operations as the API, for a terminal or a script."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ninefold.cli_support import (
    instant_option,
    now_of,
    operator,
    print_whole,
    settings_of,
    transaction,
)
from ninefold.payloads import validated
from ninefold.spec import MAX_INT

app = typer.Typer(no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)
IncidentId = Annotated[int, typer.Argument(min=1, max=MAX_INT, help="Incident number.")]


def _minutes(value: float | None) -> str:
    return "no data" if value is None else f"{value:.1f} min"


def _print(ctx: typer.Context, incident_id: int) -> None:
    from ninefold.incidents import read

    with transaction(settings_of(ctx)) as session:
        found = read.detail(session, incident_id, now_of(ctx))
    out.print(f"incident {found.id} [{found.severity}, {found.status}] {found.title}", markup=False)
    out.print(f"services: {', '.join(found.services) or 'none'}", markup=False)
    roles = ", ".join(f"{r.role} {r.user}" for r in found.roles) or "none"
    out.print(f"roles: {roles}", markup=False)
    d = found.derived
    out.print(
        f"time to detect {_minutes(d.time_to_detect)}, acknowledge "
        f"{_minutes(d.time_to_acknowledge)}, mitigate {_minutes(d.time_to_mitigate)}, recover "
        f"{_minutes(d.time_to_recover)}; customer impact {_minutes(d.customer_impact)}",
        markup=False,
    )
    if found.recurs:
        out.print(f"repeats incidents {', '.join(map(str, found.recurs))}", markup=False)


@app.command("declare")
def declare(
    ctx: typer.Context,
    severity: Annotated[str, typer.Option(help="SEV1 to SEV4, as configured.")],
    title: Annotated[str | None, typer.Option(help="Default: the group's title.")] = None,
    service: Annotated[
        list[str] | None, typer.Option(help="Impacted service; repeat for more.")
    ] = None,
    from_group: Annotated[
        list[int] | None,
        typer.Option(min=1, max=MAX_INT, help="Alert group to link; repeat for more."),
    ] = None,
    impact_start: Annotated[
        str | None, typer.Option(help="When customers started to feel it (ISO 8601).")
    ] = None,
    commander: Annotated[str | None, typer.Option(help="The incident commander.")] = None,
) -> None:
    """Declare an incident, by hand or from alert groups."""
    from ninefold.incidents import service as incidents
    from ninefold.incidents.schemas import IncidentIn

    now = now_of(ctx)
    body = validated(
        IncidentIn,
        {
            "title": title,
            "severity": severity,
            "services": service or [],
            "groups": from_group or [],
            "impact_start": None
            if impact_start is None
            else instant_option(impact_start, "--impact-start", now),
            "commander": commander,
        },
    )
    with transaction(settings_of(ctx)) as session:
        row = incidents.declare(session, operator(), body, now)
        number = row.id
    _print(ctx, number)


@app.command("list")
def list_command(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help="A status, or open for any but resolved.")
    ] = None,
    severity: Annotated[str | None, typer.Option(help="SEV1 to SEV4.")] = None,
    service: Annotated[str | None, typer.Option(help="Impacting this service.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many, newest first.")] = 20,
) -> None:
    """List incidents, newest first."""
    from ninefold.incidents import read

    with transaction(settings_of(ctx)) as session:
        page = read.list_page(session, read.Filters(status, severity, service), limit=limit)
    table = Table("id", "declared (UTC)", "sev", "status", "services", "title", "recover")
    for i in page.items:
        table.add_row(
            str(i.id),
            f"{i.instants.declared:%Y-%m-%d %H:%M}",
            i.severity,
            i.status,
            ", ".join(i.services),
            i.title,
            _minutes(i.derived.time_to_recover),
        )
    print_whole(table, out)
    out.print(f"{len(page.items)} of {page.total}")


@app.command("show")
def show(
    ctx: typer.Context,
    incident_id: IncidentId,
    as_json: Annotated[bool, typer.Option("--json", help="The whole incident as JSON.")] = False,
) -> None:
    """Print an incident: its figures, or everything as JSON (timeline included)."""
    from ninefold.incidents import read

    if not as_json:
        _print(ctx, incident_id)
        return
    with transaction(settings_of(ctx)) as session:
        found = read.detail(session, incident_id, now_of(ctx))
    typer.echo(found.model_dump_json(indent=2))


@app.command("status")
def status(
    ctx: typer.Context,
    incident_id: IncidentId,
    to: Annotated[str, typer.Argument(help="investigating, identified, monitoring, resolved.")],
    reopen: Annotated[bool, typer.Option(help="Move a resolved incident.")] = False,
    note: Annotated[str, typer.Option(help="Why, for the timeline.")] = "",
) -> None:
    """Move an incident to a status (resolving sets resolved; monitoring sets mitigated)."""
    from ninefold.incidents import service as incidents
    from ninefold.incidents.schemas import StatusIn

    body = validated(StatusIn, {"status": to, "reopen": reopen, "note": note})
    with transaction(settings_of(ctx)) as session:
        incidents.move(session, operator(), incident_id, body, now_of(ctx))
    _print(ctx, incident_id)


@app.command("instants")
def instants(
    ctx: typer.Context,
    incident_id: IncidentId,
    impact_start: Annotated[str | None, typer.Option(help="ISO 8601, or 'none'.")] = None,
    detected: Annotated[str | None, typer.Option(help="ISO 8601, or 'none'.")] = None,
    acknowledged: Annotated[str | None, typer.Option(help="ISO 8601, or 'none'.")] = None,
    mitigated: Annotated[str | None, typer.Option(help="ISO 8601, or 'none'.")] = None,
    resolved: Annotated[str | None, typer.Option(help="ISO 8601, or 'none'.")] = None,
    impact_end: Annotated[str | None, typer.Option(help="ISO 8601, or 'none'.")] = None,
) -> None:
    """Set or correct instants; each change is audited and the figures recomputed."""
    from ninefold.incidents import service as incidents
    from ninefold.incidents.schemas import InstantsIn

    now = now_of(ctx)
    given = {
        "impact_start": impact_start,
        "detected": detected,
        "acknowledged": acknowledged,
        "mitigated": mitigated,
        "resolved": resolved,
        "impact_end": impact_end,
    }
    body = validated(
        InstantsIn,
        {
            name: None
            if text == "none"
            else instant_option(text, f"--{name.replace('_', '-')}", now)
            for name, text in given.items()
            if text is not None
        },
    )
    with transaction(settings_of(ctx)) as session:
        incidents.set_instants(session, operator(), incident_id, body, now)
    _print(ctx, incident_id)


@app.command("role")
def role(
    ctx: typer.Context,
    incident_id: IncidentId,
    name: Annotated[str, typer.Argument(help="commander, communications, operations, scribe.")],
    user: Annotated[str, typer.Argument(help="Who takes it; 'none' frees it.")],
) -> None:
    """Give a role to someone (they are notified), or free it."""
    from ninefold.incidents import roles
    from ninefold.incidents.schemas import RoleIn

    body = validated(RoleIn, {"role": name, "user": None if user == "none" else user})
    with transaction(settings_of(ctx)) as session:
        roles.assign(session, operator(), incident_id, body.role, body.user, now_of(ctx))
    _print(ctx, incident_id)


@app.command("link")
def link(
    ctx: typer.Context,
    incident_id: IncidentId,
    group: Annotated[list[int], typer.Argument(min=1, max=MAX_INT, help="Alert group ids.")],
) -> None:
    """Link more alert groups to an incident."""
    from ninefold.incidents import service as incidents

    with transaction(settings_of(ctx)) as session:
        incidents.link_groups(session, operator(), incident_id, group, now_of(ctx))
    _print(ctx, incident_id)


@app.command("runbook")
def runbook(
    ctx: typer.Context,
    incident_id: IncidentId,
    name: Annotated[str, typer.Argument(help="The runbook used.")],
    note: Annotated[str, typer.Option(help="What it did for the incident.")] = "",
) -> None:
    """Record that a runbook was used in the incident: a test of it, and a timeline entry."""
    from ninefold.incidents import runbooks_used

    with transaction(settings_of(ctx)) as session:
        runbooks_used.use(session, operator(), incident_id, name, now_of(ctx), note)
    out.print(f"incident {incident_id}: used runbook {name}")


@app.command("note")
def note(
    ctx: typer.Context,
    incident_id: IncidentId,
    text: Annotated[str, typer.Argument(help="The note ('' with --delete).")],
    edit: Annotated[
        int | None, typer.Option(min=1, max=MAX_INT, help="Replace the text of this note.")
    ] = None,
    delete: Annotated[
        int | None, typer.Option(min=1, max=MAX_INT, help="Delete this note.")
    ] = None,
) -> None:
    """Write a note on the timeline, or edit or delete one (the old text is audited)."""
    from ninefold.incidents import notes
    from ninefold.incidents.schemas import NoteIn

    now = now_of(ctx)
    with transaction(settings_of(ctx)) as session:
        if delete is not None:
            notes.remove(session, operator(), incident_id, delete, now)
            said = f"deleted note event:{delete}"
        else:
            body = validated(NoteIn, {"text": text})
            if edit is not None:
                notes.edit(session, operator(), incident_id, edit, body.text, now)
                said = f"edited note event:{edit}"
            else:
                said = (
                    f"note event:{notes.add(session, operator(), incident_id, body.text, now).id}"
                )
    out.print(f"{said} on incident {incident_id}", markup=False)


@app.command("pin")
def pin(
    ctx: typer.Context,
    incident_id: IncidentId,
    ref: Annotated[str, typer.Argument(help="event:N, group-event:N or change:N.")],
    off: Annotated[bool, typer.Option("--off", help="Unpin it.")] = False,
) -> None:
    """Pin a timeline entry for the postmortem (`show --json` lists the references)."""
    from ninefold.incidents import notes

    with transaction(settings_of(ctx)) as session:
        notes.pin(session, operator(), incident_id, ref, now_of(ctx), on=not off)
    out.print(f"{'unpinned' if off else 'pinned'} {ref} on incident {incident_id}", markup=False)


@app.command("update")
def update(
    ctx: typer.Context,
    incident_id: IncidentId,
    text: Annotated[str, typer.Argument(help="What stakeholders read.")],
) -> None:
    """Send a status update to the stakeholders (by the worker, once each)."""
    from ninefold.incidents import updates
    from ninefold.incidents.schemas import UpdateIn

    body = validated(UpdateIn, {"text": text})
    with transaction(settings_of(ctx)) as session:
        updates.post(session, operator(), incident_id, body.text, now_of(ctx))
        sent = updates.list_for(session, incident_id)[-1].recipients
    out.print(f"update queued for {sent} stakeholders of incident {incident_id}", markup=False)
