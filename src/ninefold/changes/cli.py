"""`ninefold change record|list|show|integrations` and `ninefold dora`.

`change record` is made to be the last step of a CI job: it reads the commits of a git range
in the job's workspace, takes the run's id from the CI environment (so a retried job records
one change), and posts to the server named by `--server` / `NINEFOLD_SERVER_URL` with an API
token (`--token` / `NINEFOLD_TOKEN`). Without a server it writes to the local database, as
the other commands do.
"""

from __future__ import annotations

import csv
import io
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ninefold.cli_support import (
    instant_option,
    now_of,
    operator,
    print_whole,
    settings_of,
    transaction,
)
from ninefold.errors import Conflict, Forbidden, Invalid, NinefoldError, NotFound, Unauthenticated
from ninefold.spec import MAX_INT

if TYPE_CHECKING:
    from ninefold.changes.schemas import ChangeIn, DoraReport, RecordResult

app = typer.Typer(no_args_is_help=True)
dora_app = typer.Typer()
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
ATTEMPTS = 3
RETRY_PAUSE = 2.0
"""Seconds before the second attempt, doubled for each one after."""


@app.command("record")
def record(
    ctx: typer.Context,
    service: Annotated[str, typer.Option(help="Service changed (as in the catalog).")],
    version: Annotated[str, typer.Option(help="Version deployed (tag, sha).")] = "",
    kind: Annotated[
        str, typer.Option(help="deploy, config, feature_flag or infrastructure.")
    ] = "deploy",
    environment: Annotated[str, typer.Option(help="Environment.")] = "production",
    outcome: Annotated[str, typer.Option(help="success, failed or cancelled.")] = "success",
    git_range: Annotated[
        str | None,
        typer.Option(help="Commits deployed, A..B, read with git log in --workspace."),
    ] = None,
    workspace: Annotated[
        Path, typer.Option(help="The git checkout --git-range is read in.")
    ] = Path("."),
    rollback: Annotated[bool, typer.Option(help="Undoes an earlier deploy.")] = False,
    reverts: Annotated[
        int | None, typer.Option(min=1, max=MAX_INT, help="Id of the deploy it undoes.")
    ] = None,
    hotfix: Annotated[bool, typer.Option(help="Fixes an earlier deploy.")] = False,
    hotfix_of: Annotated[
        int | None, typer.Option(min=1, max=MAX_INT, help="Id of the deploy it fixes.")
    ] = None,
    fixes: Annotated[
        int | None, typer.Option(min=1, max=MAX_INT, help="Incident it fixes.")
    ] = None,
    caused: Annotated[
        int | None, typer.Option(min=1, max=MAX_INT, help="Incident it caused.")
    ] = None,
    security_fix: Annotated[bool, typer.Option(help="A security fix.")] = False,
    external_id: Annotated[
        str | None, typer.Option(help="Sender's id; default: the CI run's.")
    ] = None,
    author: Annotated[str | None, typer.Option(help="Default: the CI run's actor.")] = None,
    url: Annotated[str | None, typer.Option(help="Default: the CI run's address.")] = None,
    description: Annotated[str, typer.Option(help="Free text.")] = "",
    started: Annotated[str | None, typer.Option(help="Start, ISO 8601 with a zone.")] = None,
    finished: Annotated[
        str | None, typer.Option(help="Finish, ISO 8601 with a zone; default: now.")
    ] = None,
    server: Annotated[
        str | None,
        typer.Option(envvar="NINEFOLD_SERVER_URL", help="Ninefold server to record on."),
    ] = None,
    token: Annotated[
        str | None, typer.Option(envvar="NINEFOLD_TOKEN", help="API token for --server.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Record a change: the last step of a CI job. Prints the change's id."""
    from ninefold.changes.ci import ci_run

    now = now_of(ctx)
    run = ci_run(os.environ, service, environment)
    body: dict[str, Any] = {
        "service": service,
        "kind": kind,
        "environment": environment,
        "version": version,
        "external_id": external_id or run.external_id,
        "author": run.author if author is None else author,
        "description": description,
        "url": run.url if url is None else url,
        "started_at": started and instant_option(started, "--started", now).isoformat(),
        "finished_at": finished and instant_option(finished, "--finished", now).isoformat(),
        "outcome": outcome,
        "rollback": rollback,
        "reverts": reverts,
        "hotfix": hotfix,
        "hotfix_of": hotfix_of,
        "fixes_incident": fixes,
        "caused_incident": caused,
        "security_fix": security_fix,
        "commits": [] if git_range is None else _commits(workspace, git_range),
    }
    change = _validated(body)
    result = _post(server, token, change) if server else _store(ctx, change)
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    what = "recorded" if result.created else "already recorded"
    c = result.change
    notes = [f"{c.commit_count} commits"]
    if c.rollback:
        notes.append(f"a rollback of change {c.undoes}" if c.undoes else "a rollback")
    if c.fixes_deploy:
        notes.append(f"fixes change {c.fixes_deploy}")
    if c.freeze:
        notes.append(f"during the freeze {c.freeze}")
    out.print(f"change {c.id} {what}: {c.service} {c.version} ({', '.join(notes)})")


def _commits(workspace: Path, git_range: str) -> list[dict[str, str]]:
    from ninefold.adapters.git import GitError, commits
    from ninefold.changes.schemas import MAX_COMMITS

    try:
        found = commits(workspace, git_range, MAX_COMMITS)
    except GitError as exc:
        raise Invalid(f"--git-range {git_range}: {exc}", field="git_range") from None
    if len(found) > MAX_COMMITS:
        raise Invalid(
            f"--git-range {git_range} holds more than {MAX_COMMITS} commits; is the range right?",
            field="git_range",
        )
    return [
        {
            "sha": c.sha,
            "authored_at": c.authored_at.isoformat(),
            "author": c.author,
            "title": c.title,
        }
        for c in found
    ]


def _validated(body: dict[str, Any]) -> ChangeIn:
    from ninefold.changes.schemas import ChangeIn
    from ninefold.payloads import validated

    return validated(ChangeIn, {k: v for k, v in body.items() if v is not None})


def _store(ctx: typer.Context, change: ChangeIn) -> RecordResult:
    from ninefold.changes import service

    with transaction(settings_of(ctx)) as session:
        return service.record(session, operator(), change, now_of(ctx), "cli")


ERRORS: dict[int, type[NinefoldError]] = {
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: Invalid,
}


def _post(server: str, token: str | None, change: ChangeIn) -> RecordResult:
    """POST to the server; a lost connection or a 5xx is retried (the external id makes the
    retry safe), a 4xx is the caller's error, said as the server said it."""
    import httpx

    from ninefold.changes.schemas import RecordResult
    from ninefold.conventions import API_PREFIX

    if not token:
        raise Unauthenticated("--server needs an API token: --token or NINEFOLD_TOKEN")
    address = f"{server.rstrip('/')}{API_PREFIX}/changes"
    body = change.model_dump(mode="json", exclude_none=True)
    headers = {"Authorization": f"Bearer {token}"}
    problem = ""
    for attempt in range(ATTEMPTS):
        if attempt:
            time.sleep(RETRY_PAUSE * 2 ** (attempt - 1))
        try:
            answer = httpx.post(address, json=body, headers=headers, timeout=60)
        except httpx.HTTPError as exc:
            problem = f"{address}: {exc}"
            continue
        if answer.status_code < 300:
            return RecordResult.model_validate(answer.json())
        if answer.status_code < 500:
            raise ERRORS.get(answer.status_code, NinefoldError)(_said(answer))
        problem = f"{address}: {answer.status_code} {_said(answer)}"
    raise NinefoldError(f"could not record the change after {ATTEMPTS} attempts: {problem}")


def _said(answer: Any) -> str:
    try:
        return str(answer.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return str(answer.text)[:500]


@app.command("list")
def list_command(
    ctx: typer.Context,
    service: Annotated[str | None, typer.Option(help="Changes of this service only.")] = None,
    since: Annotated[str | None, typer.Option(help="Finished at or after (ISO 8601).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many, newest first.")] = 20,
) -> None:
    """List recent changes, newest first."""
    from ninefold.changes import service as changes

    now = now_of(ctx)
    start = None if since is None else instant_option(since, "--since", now)
    with transaction(settings_of(ctx)) as session:
        page = changes.list_page(
            session, services=None if service is None else [service], since=start, limit=limit
        )
    table = Table("id", "finished (UTC)", "service", "env", "kind", "version", "outcome", "notes")
    for c in page.items:
        notes = []
        if c.rollback:
            notes.append(f"rollback of {c.undoes}" if c.undoes else "rollback")
        if c.rolled_back_by:
            notes.append(f"rolled back by {c.rolled_back_by}")
        if c.fixes_deploy:
            notes.append(f"hotfix of {c.fixes_deploy}")
        if c.freeze:
            notes.append(f"in freeze {c.freeze}")
        table.add_row(
            str(c.id),
            f"{c.finished_at:%Y-%m-%d %H:%M}",
            c.service,
            c.environment,
            c.kind,
            c.version,
            c.outcome,
            "; ".join(notes),
        )
    print_whole(table, out)
    out.print(f"{len(page.items)} of {page.total}")


@app.command("show")
def show(
    ctx: typer.Context,
    change_id: Annotated[int, typer.Argument(min=1, max=MAX_INT, help="Change id.")],
) -> None:
    """Print one change with its commits, as JSON."""
    from ninefold.changes import service as changes

    with transaction(settings_of(ctx)) as session:
        found = changes.get(session, change_id)
    typer.echo(found.model_dump_json(indent=2))


@app.command("integrations")
def integrations(ctx: typer.Context) -> None:
    """List change webhooks with the URL each sender posts to."""
    from ninefold.changes import hooks
    from ninefold.pagination import MAX_LIMIT, every

    settings = settings_of(ctx)
    base = settings.resolved_public_url()
    with transaction(settings) as session:
        found = every(
            lambda offset: hooks.list_page(
                session, operator(), base, limit=MAX_LIMIT, offset=offset
            )
        )
    if not found:
        out.print("no change integrations")
        return
    for item in found:
        typer.echo(f"{item.name}\t{item.kind}\t{item.url}\tignored={item.ignored}")


@dora_app.command("dora")
def dora_command(
    ctx: typer.Context,
    start: Annotated[
        str | None, typer.Option("--from", help="Start: a date (UTC) or ISO 8601 time.")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="End (excluded); default now.")] = None,
    team: Annotated[str | None, typer.Option(help="Services of this team.")] = None,
    service: Annotated[str | None, typer.Option(help="This service.")] = None,
    tier: Annotated[int | None, typer.Option(min=0, max=3, help="Services of this tier.")] = None,
    by: Annotated[str, typer.Option(help="Rows: all, service, team or tier.")] = "all",
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
) -> None:
    """The DORA figures of a period (default: the last 30 days) against the one before."""
    from datetime import timedelta

    from ninefold.changes import dora, dora_report
    from ninefold.instants import period_of

    if by not in ("all", "service", "team", "tier"):
        raise Invalid(f"--by must be all, service, team or tier, not {by!r}", field="by")
    if fmt not in ("table", "json", "csv"):
        raise Invalid(f"--format must be table, json or csv, not {fmt!r}", field="format")
    now = now_of(ctx)
    first, last = period_of(start, end, now, timedelta(days=30))
    selection = dora_report.Selection(team=team, service=service, tier=tier)
    with transaction(settings_of(ctx)) as session:
        report = dora_report.report(session, dora.Period(first, last), selection, by)  # type: ignore[arg-type]
    if fmt == "json":
        typer.echo(report.model_dump_json(indent=2))
    elif fmt == "csv":
        typer.echo(_csv(report), nl=False)
    else:
        _table(report)


CSV_FIGURES = (
    "deploys",
    "deploys_per_day",
    "deploys_per_week",
    "frequency_band",
    "lead_time_minutes",
    "lead_time_pairs",
    "change_failure_rate",
    "failed",
    "rollback_rate",
    "rolled_back",
    "recovery_minutes",
    "recovered",
    "rework_rate",
    "reworked",
)


def _csv(report: DoraReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["group", "name", "from", "to", *CSV_FIGURES, *(f"previous_{f}" for f in CSV_FIGURES)]
    )
    for row in report.rows:
        now, before = row.current.model_dump(), row.previous.model_dump()
        writer.writerow(
            [
                row.group,
                row.name,
                report.start.isoformat(),
                report.end.isoformat(),
                *(_cell(now[f]) for f in CSV_FIGURES),
                *(_cell(before[f]) for f in CSV_FIGURES),
            ]
        )
    return buffer.getvalue()


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _table(report: DoraReport) -> None:
    from ninefold.changes.figures_text import duration, rate, trend

    out.print(
        f"DORA, {report.start:%Y-%m-%d %H:%M} to {report.end:%Y-%m-%d %H:%M} UTC "
        f"(trend against {report.previous_start:%Y-%m-%d %H:%M} onwards)"
    )
    table = Table(
        report.group_by,
        "deploys/week",
        "band",
        "lead time (median)",
        "change failure",
        "rollbacks",
        "recovery (median)",
        "rework",
    )
    for row in report.rows:
        now, before = row.current, row.previous
        cells = (
            row.name,
            f"{now.deploys_per_week:.1f} ({now.deploys}) "
            f"{trend(now.deploys_per_week, before.deploys_per_week)}",
            f"{now.frequency_band} [{row.tiers.deployment_frequency}]",
            f"{duration(now.lead_time_minutes)} [{row.tiers.lead_time or '-'}]",
            f"{rate(now.change_failure_rate)} [{row.tiers.change_failure_rate or '-'}] "
            f"{trend(now.change_failure_rate, before.change_failure_rate)}",
            rate(now.rollback_rate),
            f"{duration(now.recovery_minutes)} [{row.tiers.recovery_time or '-'}]",
            rate(now.rework_rate),
        )
        table.add_row(*(escape(cell) for cell in cells))
    print_whole(table, out)
