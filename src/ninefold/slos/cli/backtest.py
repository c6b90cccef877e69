"""`ninefold slo backtest`: how would these alerting policies have done over real history?"""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from ninefold.cli_support import instant_option, now_of, settings_of
from ninefold.errors import Invalid
from ninefold.slos.cli.events import EventOptions, event_options

if TYPE_CHECKING:
    from ninefold.slos.backtest.replay import BacktestResult
    from ninefold.slos.core.model import Slo
    from ninefold.slos.sources.prometheus import Counts

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def read_incidents(path: Path, now: datetime) -> list[tuple[datetime, datetime]]:
    """A CSV file with `start` and `end` columns (ISO 8601 times with a zone)."""
    from ninefold.instants import parse_instant

    try:
        rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    except OSError as exc:
        raise Invalid(f"{path}: cannot read: {exc}") from None
    incidents = []
    for number, row in enumerate(rows, start=2):
        if "start" not in row or "end" not in row:
            raise Invalid(f"{path}: needs the columns start and end; has {', '.join(row)}")
        try:
            start = parse_instant(row["start"], "start", now)
            end = parse_instant(row["end"], "end", now)
        except Invalid as exc:
            raise Invalid(f"{path}:{number}: {exc.message}") from None
        if end <= start:
            raise Invalid(f"{path}:{number}: end must be after start")
        incidents.append((start, end))
    return incidents


def _minutes(value: timedelta | None) -> str:
    return "-" if value is None else f"{value.total_seconds() / 60:.0f} min"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def as_json(result: BacktestResult) -> list[dict[str, object]]:
    return [
        {
            "policy": r.policy,
            "severity": r.severity,
            "alerts": [
                {"start": a.start.isoformat(), "end": a.end.isoformat() if a.end else None}
                for a in r.alerts
            ],
            "precision": r.precision,
            "recall": r.recall,
            "incidents": [
                {
                    "start": i.start.isoformat(),
                    "end": i.end.isoformat(),
                    "detection_minutes": None
                    if i.detection is None
                    else i.detection.total_seconds() / 60,
                    "reset_minutes": None if i.reset is None else i.reset.total_seconds() / 60,
                    "budget_spent_before_detection": i.budget_spent_before_detection,
                }
                for i in r.incidents
            ],
        }
        for r in result.results
    ]


def _history(
    ctx: typer.Context,
    slo: Slo,
    prometheus: str | None,
    events: EventOptions,
    days: int,
    at: str | None,
) -> Counts:
    """The SLO's per-minute counts over `days` ending at `at`, from Prometheus or, with
    `--events`, from the event file (where `at` defaults to the end of the last event's
    minute, and the replay starts at the first event within the range)."""
    when = None if at is None else instant_option(at, "--at", now_of(ctx))
    if events.file is None:
        from ninefold.adapters.prometheus import PrometheusClient
        from ninefold.slos.sources.prometheus import prometheus_counts

        end = when or now_of(ctx)
        with PrometheusClient(prometheus or settings_of(ctx).prometheus_url) as client:
            return prometheus_counts(client, slo, end - timedelta(days=days), end)
    from ninefold.slos.sources.events import within

    whole, end = events.with_spec(slo.event_columns).read(when)
    start = end - timedelta(days=days)
    counts = within(whole, start, end)
    if counts.timestamps.size < 2:
        raise Invalid(
            f"{events.file}: {counts.timestamps.size} minutes of events from "
            f"{start.isoformat()} to {end.isoformat()} (--days {days} ending at --at); "
            "a backtest needs at least 2"
        )
    return counts


def register_backtest(slo_app: typer.Typer) -> None:
    @slo_app.command("backtest")
    @event_options
    def backtest_command(
        ctx: typer.Context,
        spec: Annotated[
            Path, typer.Argument(help="An SLO spec file (or configuration directory).")
        ],
        prometheus: Annotated[
            str | None, typer.Option(help="Read the history from this Prometheus.")
        ] = None,
        days: Annotated[int, typer.Option(min=1, help="Days of history to replay.")] = 30,
        at: Annotated[
            str | None,
            typer.Option(
                help="End of the history (ISO 8601); default now, or the end of the last "
                "event's minute with --events."
            ),
        ] = None,
        incidents: Annotated[
            Path | None, typer.Option(help="CSV of known incidents: columns start, end.")
        ] = None,
        policy: Annotated[
            list[str] | None,
            typer.Option(help="A policy to replay (repeat); default all six and the SLO's own."),
        ] = None,
        slo: Annotated[
            str | None, typer.Option(help="SERVICE/NAME when the spec holds several.")
        ] = None,
        as_json_flag: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        events: EventOptions = EventOptions(),
    ) -> None:
        """Replay alerting policies over history: alerts, detection and reset, precision, recall."""
        from rich.progress import Progress

        from ninefold.slos.backtest.replay import backtest
        from ninefold.slos.cli.specs import load_specs
        from ninefold.slos.core.alert_policies import slo_policy, workbook_policies

        events.check(prometheus)
        spec_set, _ = load_specs([spec], timedelta(days=30))
        chosen = [s for s in spec_set.slos if slo is None or f"{s.service}/{s.name}" == slo]
        if len(chosen) != 1:
            names = ", ".join(f"{s.service}/{s.name}" for s in spec_set.slos)
            raise Invalid(f"choose one SLO with --slo SERVICE/NAME; the spec holds: {names}")
        target = chosen[0]
        from ninefold.slos.core.model import CompositeSli

        if isinstance(target.sli, CompositeSli):
            raise Invalid(
                f"{target.service}/{target.name} is a composite SLO, which backtest does not "
                "replay: its burn is a weighted sum of its components' ratios, and one series "
                "of counts cannot reproduce it exactly"
            )
        every = {p.name: p for p in (*workbook_policies(target.period), slo_policy(target))}
        unknown = sorted(set(policy or []) - set(every))
        if unknown:
            raise Invalid(f"unknown policy {', '.join(unknown)}; known: {', '.join(every)}")
        policies = [every[name] for name in (policy or every)]
        counts = _history(ctx, target, prometheus, events, days, at)
        known = read_incidents(incidents, now_of(ctx)) if incidents else []
        with Progress(console=err, transient=True) as bar:
            task = bar.add_task("replaying", total=1.0)
            result = backtest(
                counts.timestamps,
                counts.good,
                counts.total,
                objective=target.objective,
                period=target.period,
                policies=policies,
                incidents=known,
                progress=lambda done: bar.update(task, completed=done),
            )
        if as_json_flag:
            typer.echo(json.dumps(as_json(result), indent=2))
            return
        table = Table(
            "policy",
            "severity",
            "alerts",
            "precision",
            "recall",
            "detection",
            "reset",
            "budget before detection",
        )
        for r in result.results:
            first = r.incidents[0] if r.incidents else None
            table.add_row(
                r.policy,
                r.severity,
                str(len(r.alerts)),
                _share(r.precision),
                _share(r.recall),
                _minutes(first.detection) if first else "-",
                _minutes(first.reset) if first else "-",
                _share(first.budget_spent_before_detection) if first else "-",
            )
        (out if out.is_terminal else Console(highlight=False, width=200)).print(table)
