"""`ninefold alerts ...`: alert groups from the server's shell: list and inspect them,
acknowledge, resolve, snooze, escalate or reassign them.

The commands are thin: the use cases in `ninefold.alerts.groups` and `ninefold.paging.actions`
do the work and raise the domain errors that `ninefold.cli` turns into exit codes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from ninefold.alerts import groups
from ninefold.alerts.schemas import AlertGroupDetail
from ninefold.auth import service as auth_service
from ninefold.auth.model import Principal, Role
from ninefold.cli_support import now_of, operator, settings_of, transaction
from ninefold.errors import Invalid, NotFound
from ninefold.pagination import MAX_LIMIT
from ninefold.paging import acks, actions, overview
from ninefold.paging.escalation import get_escalation
from ninefold.paging.schemas import EscalationOut
from ninefold.spec import MAX_INT

out = Console(highlight=False, soft_wrap=True, markup=False)  # names and titles are data

NOT_PAGED = "not paged yet"
MAX_SNOOZE_MINUTES = int(actions.MAX_SNOOZE.total_seconds()) // 60
AS_HELP = (
    "Act as this user (an existing, enabled one), recorded as the actor with the responder "
    "role; default: the operator running the CLI."
)


class State(StrEnum):
    TRIGGERED = "triggered"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"


ACTIONABLE: dict[Answer, groups.Actionable] = {
    Answer.YES: "yes",
    Answer.NO: "no",
    Answer.UNSURE: "unsure",
}

GroupId = Annotated[
    int, typer.Argument(min=1, max=MAX_INT, help="Alert group id, as `alerts list` shows it.")
]
As = Annotated[str | None, typer.Option("--as", help=AS_HELP)]


def acting(session: Session, name: str | None) -> Principal:
    """The operator, or with `--as` the named user acting as a responder from the CLI."""
    if name is None:
        return operator()
    try:
        user = auth_service.get_user_row(session, name)
    except NotFound as exc:
        raise Invalid(f"--as: {exc.message}", field="as") from None
    if user.disabled:
        raise Invalid(f"--as: user {name!r} is disabled", field="as")
    return Principal(name=user.name, role=Role.RESPONDER, via="cli")


def utc(instant: datetime | None) -> str:
    return "" if instant is None else f"{instant.astimezone(UTC):%Y-%m-%d %H:%M:%S}"


def _pairs(values: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in values.items())


def _table(*headers: str) -> Table:
    table = Table(header_style="bold")
    for header in headers:  # narrow terminals wrap cells, never cut them; times stay whole
        table.add_column(header, overflow="fold", no_wrap=header.endswith("(UTC)"))
    return table


def _row(table: Table, *cells: object) -> None:
    """Cells as plain text: titles and labels come from alert sources, not Rich markup."""
    table.add_row(*(Text(str(cell)) for cell in cells))


def _facts(rows: list[tuple[str, str]]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for name, value in rows:
        grid.add_row(Text(name), Text(value))
    return grid


def group_view(group: AlertGroupDetail) -> Group:
    """The group itself, its alerts and its timeline."""
    facts = [
        ("state", group.state),
        ("service", group.service or "none"),
        ("severity", group.severity or "none"),
        ("integration", group.integration),
        ("created", f"{utc(group.created_at)} UTC"),
    ]
    if group.acknowledged_at is not None:
        facts.append(
            ("acknowledged", f"{utc(group.acknowledged_at)} UTC by {group.acknowledged_by}")
        )
    if group.resolved_at is not None:
        facts.append(("resolved", f"{utc(group.resolved_at)} UTC by {group.resolved_by}"))
    facts.append(("labels", _pairs(group.labels) or "none"))
    if group.truncated_alerts:
        facts.append(("truncated", f"{group.truncated_alerts} alerts the source left out"))
    alerts = _table("fingerprint", "status", "starts (UTC)", "ends (UTC)")
    for alert in group.alerts:
        _row(alerts, alert.fingerprint, alert.status, utc(alert.starts_at), utc(alert.ends_at))
    timeline = _table("at (UTC)", "event", "actor", "detail")
    for event in group.timeline:
        _row(timeline, utc(event.at), event.kind, event.actor, _pairs(event.detail))
    return Group(
        Text(f"alert group {group.id}: {group.title}", style="bold"),
        _facts(facts),
        Text(f"\nAlerts ({group.alert_count})", style="bold"),
        alerts,
        Text("\nTimeline", style="bold"),
        timeline,
    )


def escalation_view(escalation: EscalationOut | None, *, triggered: bool = True) -> Group:
    """Route, policy, state and every page with its notifications; or "not paged yet".

    The next step is left out once the group is acknowledged or resolved: its job will find
    the group no longer triggered and page nobody."""
    if escalation is None:
        return Group(Text("\nEscalation: " + NOT_PAGED, style="bold"))
    route = escalation.route or "none"
    if escalation.unrouted:
        route += " (the default: no route matched)"
    facts = [
        ("route", route),
        # Paged without a policy: imported history (another tool paged), or reassigned.
        ("policy", escalation.policy or ("none" if escalation.pages else "none: nobody is paged")),
        ("state", f"{escalation.state} (round {escalation.round})"),
    ]
    if escalation.next_step_at is not None and triggered:
        facts.append(("next step", f"{utc(escalation.next_step_at)} UTC"))
    if escalation.snoozed_until is not None:
        facts.append(("snoozed until", f"{utc(escalation.snoozed_until)} UTC"))
    if escalation.assignee is not None:
        facts.append(("assigned to", escalation.assignee))
    pages = _table("paged (UTC)", "user", "step", "reason", "local time", "period", "notifications")
    for page in escalation.pages:
        sent = "\n".join(f"{n.contact}: {n.status}" for n in page.notifications)
        _row(
            pages,
            utc(page.paged_at),
            page.user,
            page.step or "by hand",
            page.reason,
            f"{page.local_time} {page.time_zone}",
            page.period,
            sent or "no contact method",
        )
    parts: list[Table | Text] = [Text("\nEscalation", style="bold"), _facts(facts)]
    parts.append(pages if escalation.pages else Text("nobody paged"))
    return Group(*parts)


app = typer.Typer(no_args_is_help=True)


@app.command("list")
def list_command(
    ctx: typer.Context,
    state: Annotated[State | None, typer.Option(help="Only groups in this state.")] = None,
    service: Annotated[str | None, typer.Option(help="Only groups of this service.")] = None,
    limit: Annotated[
        int, typer.Option(help="Show at most this many, newest first.", min=1, max=MAX_LIMIT)
    ] = 50,
) -> None:
    """List alert groups, newest first."""
    with transaction(settings_of(ctx)) as session:
        page = groups.list_groups(
            session, state=state.value if state else None, service=service, limit=limit
        )
    if not page.items:
        out.print("no alert groups")
        return
    table = _table("id", "state", "severity", "service", "title", "created (UTC)", "alerts")
    for group in page.items:
        _row(
            table,
            group.id,
            group.state,
            group.severity,
            group.service or "",
            group.title,
            utc(group.created_at),
            group.alert_count,
        )
    out.print(table)
    if page.total > len(page.items):
        out.print(f"{len(page.items)} of {page.total} shown; see more with --limit")


@app.command("show")
def show_command(ctx: typer.Context, group_id: GroupId) -> None:
    """Show an alert group: its alerts, its timeline and its escalation."""
    with transaction(settings_of(ctx)) as session:
        group = groups.detail(session, group_id)
        paged = get_escalation(session, group_id) is not None
        escalation = overview.escalation_out(session, group_id) if paged else None
    out.print(group_view(group))
    out.print(escalation_view(escalation, triggered=group.state == State.TRIGGERED))


@app.command("ack")
def ack_command(ctx: typer.Context, group_id: GroupId, as_user: As = None) -> None:
    """Acknowledge an alert group: its escalation stops. Someone paged on it only as a
    shadow acknowledges their own pages: the escalation goes on."""
    with transaction(settings_of(ctx)) as session:
        actor = acting(session, as_user)
        done = acks.acknowledge(session, actor, group_id, now_of(ctx))
        state = groups.get_row(session, group_id).state
    if done.shadow:
        what = "acknowledged" if done.changed else "had already acknowledged"
        out.print(
            f"{actor.name} {what} their own pages of alert group {group_id} as a shadow; "
            f"the group stays {state} and its escalation goes on"
        )
    elif done.changed:
        out.print(f"acknowledged alert group {group_id}")
    else:
        out.print(f"alert group {group_id} was already {state}")


@app.command("resolve")
def resolve_command(
    ctx: typer.Context,
    group_id: GroupId,
    actionable: Annotated[
        Answer | None, typer.Option(help="Was the page actionable: yes, no or unsure.")
    ] = None,
    as_user: As = None,
) -> None:
    """Resolve an alert group by hand, optionally saying whether it was actionable."""
    answer = ACTIONABLE[actionable] if actionable else None
    with transaction(settings_of(ctx)) as session:
        actor = acting(session, as_user)
        changed = groups.resolve(session, actor, group_id, now_of(ctx), answer)
    if not changed:
        out.print(f"alert group {group_id} was already resolved")
    elif answer:
        out.print(f"resolved alert group {group_id} (actionable: {answer})")
    else:
        out.print(f"resolved alert group {group_id}")


@app.command("snooze")
def snooze_command(
    ctx: typer.Context,
    group_id: GroupId,
    minutes: Annotated[
        int,
        typer.Option(
            help="Re-trigger after this many minutes (1 to 1440).",
            min=1,
            max=MAX_SNOOZE_MINUTES,
        ),
    ],
    as_user: As = None,
) -> None:
    """Acknowledge an alert group now and re-trigger it after --minutes."""
    with transaction(settings_of(ctx)) as session:
        actor = acting(session, as_user)
        until = actions.snooze(session, actor, group_id, minutes, now_of(ctx))
    out.print(f"snoozed alert group {group_id} until {until.isoformat(timespec='seconds')}")


@app.command("escalate")
def escalate_command(ctx: typer.Context, group_id: GroupId, as_user: As = None) -> None:
    """Page the next escalation step now; an acknowledged group is re-triggered."""
    now = now_of(ctx)
    with transaction(settings_of(ctx)) as session:
        actions.escalate_now(session, acting(session, as_user), group_id, now)
        escalation = overview.escalation_out(session, group_id)
    paged = [page for page in escalation.pages if page.paged_at == now]
    if paged:
        names = ", ".join(page.user for page in paged)
        out.print(f"escalated alert group {group_id}: paged {names} (step {paged[0].step})")
    else:
        out.print(f"escalated alert group {group_id}: the next step paged nobody")


@app.command("reassign")
def reassign_command(
    ctx: typer.Context,
    group_id: GroupId,
    user: Annotated[str, typer.Argument(help="Who takes the group over; paged at once.")],
    as_user: As = None,
) -> None:
    """Hand an alert group to one person: they are paged now and the policy's steps stop."""
    with transaction(settings_of(ctx)) as session:
        actions.reassign(session, acting(session, as_user), group_id, user, now_of(ctx))
    out.print(f"reassigned alert group {group_id} to {user}, who is paged now")
