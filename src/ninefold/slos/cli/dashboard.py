"""`ninefold slo dashboard`: Grafana dashboards generated from the same specs as the rules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ninefold.slos.cli.specs import load_specs, parse_period

err = Console(stderr=True, highlight=False, soft_wrap=True)


def register_dashboard(slo_app: typer.Typer) -> None:
    @slo_app.command("dashboard")
    def dashboard_command(
        paths: Annotated[
            list[Path],
            typer.Argument(help="Spec files, directories of them, or a configuration directory."),
        ],
        output: Annotated[
            Path,
            typer.Option("-o", "--output", help="Directory to write one dashboard per service."),
        ],
        period: Annotated[
            str,
            typer.Option(
                help="SLO period for specs that name none (Sloth's format): e.g. 30d, 28d."
            ),
        ] = "30d",
    ) -> None:
        """Generate a Grafana dashboard per service from SLO specs."""
        from ninefold.slos.generators.dashboards import dashboards, file_name, render

        spec_set, links = load_specs(paths, parse_period(period), require=True)
        output.mkdir(parents=True, exist_ok=True)
        for service, board in dashboards(spec_set.slos, links).items():
            path = output / file_name(service)
            path.write_text(render(board), encoding="utf-8")
            err.print(f"wrote {path}", markup=False)
