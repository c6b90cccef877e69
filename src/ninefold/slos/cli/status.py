"""`ninefold slo status`: attainment, budget and burn of every SLO, from Prometheus or from an
event file (`--events`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from ninefold.cli_support import instant_option, now_of, settings_of
from ninefold.slos.cli.events import EventOptions, event_options
from ninefold.slos.core.select import select

if TYPE_CHECKING:
    from ninefold.slos.sources.report import Report

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

SHOWN_WINDOWS = ("5m", "1h", "6h", "1d", "3d")


def _print(reports: list[Report], as_json: bool) -> None:
    from ninefold.slos.sources.report import as_json as report_json

    if as_json:
        typer.echo(json.dumps([report_json(r) for r in reports], indent=2))
        return
    table = Table(
        "service",
        "SLO",
        "objective",
        "attainment",
        "budget left",
        "bad left",
        *(f"burn {w}" for w in SHOWN_WINDOWS),
        "exhausted in",
        "alerts",
    )
    for report in reports:
        data = report_json(report)
        minutes = data["minutes_to_exhaustion"]
        table.add_row(
            data["service"],
            data["slo"],
            f"{data['objective'] * 100:g}%",
            f"{data['attainment'] * 100:.4f}%",
            f"{data['budget_remaining'] * 100:.1f}%",
            "-" if data["bad_events_left"] is None else f"{data['bad_events_left']:g}",
            *(f"{data['burn_rates'].get(w, 0):.2f}" for w in SHOWN_WINDOWS),
            "never" if minutes is None else f"{minutes / 60:.1f} h",
            ", ".join(a["severity"] for a in data["alerts_holding"]) or "-",
        )
        for part in data["components"]:  # a composite's, below it: they do not alert
            table.add_row(
                "",
                f"  {part['slo']} (weight {part['weight']:.3g})",
                f"{part['objective'] * 100:g}%",
                f"{part['attainment'] * 100:.4f}%",
                f"{part['budget_remaining'] * 100:.1f}%",
                "-",
                *(f"{part['burn_rates'].get(w, 0):.2f}" for w in SHOWN_WINDOWS),
                "",
                "",
            )
    # A pipe has no width; 80 columns would squeeze the table's 13 columns to nothing.
    wide = out if out.is_terminal else Console(highlight=False, width=200)
    wide.print(table)


def register_status(slo_app: typer.Typer) -> None:
    @slo_app.command("status")
    @event_options
    def status_command(
        ctx: typer.Context,
        paths: Annotated[
            list[Path] | None,
            typer.Argument(help="Spec files or a configuration directory; default: --config."),
        ] = None,
        prometheus: Annotated[
            str | None, typer.Option(help="Prometheus URL; default $NINEFOLD_PROMETHEUS_URL.")
        ] = None,
        at: Annotated[
            str | None,
            typer.Option(
                help="Report as of this time (ISO 8601); default now, or the last event's "
                "minute with --events."
            ),
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print JSON instead of a table.")
        ] = False,
        period: Annotated[str, typer.Option(help="SLO period of specs that name none.")] = "30d",
        slo: Annotated[
            str | None,
            typer.Option("--slo", help="Report only this SLO (SERVICE/NAME, or a unique NAME)."),
        ] = None,
        events: EventOptions = EventOptions(),
    ) -> None:
        """Report attainment, error budget and burn rates of every SLO from Prometheus, or of
        one SLO from an event file."""
        from ninefold.slos.cli.specs import load_specs, parse_period

        events.check(prometheus)
        when = None if at is None else instant_option(at, "--at", now_of(ctx))
        spec_set, _ = load_specs(paths or [settings_of(ctx).config_dir], parse_period(period))
        slos = select(spec_set.slos, slo, events=events.file is not None)
        if events.file is None:
            from ninefold.adapters.prometheus import PrometheusClient
            from ninefold.slos.sources.report import from_prometheus

            now = when or now_of(ctx)
            with PrometheusClient(prometheus or settings_of(ctx).prometheus_url) as client:
                reports = from_prometheus(client, slos, now)
        else:
            from ninefold.slos.sources.events import from_events

            counts, now = events.with_spec(slos[0].event_columns).read(when)
            reports = from_events(counts, slos, now)
        _print(reports, as_json)
