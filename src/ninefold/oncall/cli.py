"""`ninefold oncall ...`: who is on call and when, from the server's database."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from ninefold.auth import service as auth_service
from ninefold.cli_support import instant_option, now_of, settings_of, transaction
from ninefold.errors import Invalid, NotFound
from ninefold.instants import check_range
from ninefold.oncall import browse, service, times
from ninefold.oncall.schedule import OnCall, Schedule, Segment, shadow_shifts

GAP = "nobody (gap)"
TIME_HELP = "ISO 8601 with a zone (2026-11-23T09:00:00Z, 2026-11-23T10:00+01:00) or now."


def _range(start: str, end: str | None, now: datetime) -> tuple[datetime, datetime]:
    first = instant_option(start, "--from", now)
    last = first + times.DEFAULT_RANGE if end is None else instant_option(end, "--to", now)
    try:
        check_range(first, last, limit=times.MAX_RANGE)
    except Invalid as exc:
        raise Invalid(f"--to: {exc.message}", field="to") from None
    return first, last


def shadow_mark(shadow: str, primary: str) -> str:
    return f"{shadow} (shadow of {primary})"


def who_lines(now: OnCall) -> list[str]:
    """The people on call, one a line (or the gap), then each shadow marked as one."""
    return (list(now.people) or [GAP]) + [shadow_mark(*pair) for pair in now.shadows]


def on_call_text(segment: Segment) -> str:
    return ", ".join([*segment.people, *(shadow_mark(*pair) for pair in segment.shadows)]) or GAP


def _when(instant: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


Row = tuple[datetime, datetime, str]


def shift_lines(rows: list[Row], zone: ZoneInfo) -> list[str]:
    """One line per row: start and end in UTC, then in the schedule's zone, then who."""
    utc = ZoneInfo("UTC")
    lines = [f"{'start':<20}  {'end':<20}  {'start (local)':<24}  {'end (local)':<24}  on call"]
    for start, end, who in rows:
        lines.append(
            f"{_when(start, utc):<20}  {_when(end, utc):<20}  "
            f"{_when(start, zone):<24}  {_when(end, zone):<24}  {who}"
        )
    return lines


def person_rows(model: Schedule, person: str, window: tuple[datetime, datetime]) -> list[Row]:
    """`person`'s own stretches on call and those they shadow someone, by start."""
    rows = [(s.start, s.end, person) for s in model.shifts_of(person, *window)]
    shadowing = shadow_shifts(model.shifts(*window), person)
    rows += [(s.start, s.end, shadow_mark(person, s.of)) for s in shadowing]
    return sorted(rows)


app = typer.Typer(no_args_is_help=True)


@app.command("who")
def who_command(
    ctx: typer.Context,
    schedule: Annotated[str, typer.Argument(help="Schedule name.")],
    at: Annotated[str, typer.Option("--at", help=f"When. {TIME_HELP}")] = "now",
) -> None:
    """Print who is on call (one name a line), or "nobody (gap)", then any shadows marked
    "(shadow of NAME)"."""
    instant = instant_option(at, "--at", now_of(ctx))
    with transaction(settings_of(ctx)) as session:
        now = browse.who(session, schedule, instant)
    for line in who_lines(now):
        typer.echo(line)


@app.command("shifts")
def shifts_command(
    ctx: typer.Context,
    schedule: Annotated[str, typer.Argument(help="Schedule name.")],
    start: Annotated[str, typer.Option("--from", help=f"Start. {TIME_HELP}")] = "now",
    end: Annotated[
        str | None,
        typer.Option(
            "--to", help="End, 93 days after --from at most. Default: 14 days after --from."
        ),
    ] = None,
    person: Annotated[str | None, typer.Option("--person", help="Only this user's shifts.")] = None,
) -> None:
    """Print the shifts of a schedule between two times, in UTC and in its zone."""
    window = _range(start, end, now_of(ctx))
    with transaction(settings_of(ctx)) as session:
        row = service.get_row(session, schedule)
        if person is not None:
            try:
                auth_service.get_user_row(session, person)
            except NotFound as exc:
                raise Invalid(f"--person: {exc.message}", field="person") from None
        model = service.model(session, row, *window)
        zone = ZoneInfo(row.time_zone)
    if person is None:
        rows = [(s.start, s.end, on_call_text(s)) for s in model.shifts(*window)]
    else:
        rows = person_rows(model, person, window)
    if not rows:
        typer.echo(f"{person} is not on call in {schedule} in that range")
        return
    for line in shift_lines(rows, zone):
        typer.echo(line)
