"""`ninefold slo ...` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ninefold.errors import Invalid
from ninefold.slos.cli.backtest import register_backtest
from ninefold.slos.cli.dashboard import register_dashboard
from ninefold.slos.cli.specs import load_specs, parse_period
from ninefold.slos.cli.status import register_status

err = Console(stderr=True, highlight=False, soft_wrap=True)


app = typer.Typer(no_args_is_help=True)
register_status(app)
register_backtest(app)
register_dashboard(app)


@app.command("generate")
def generate_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Spec files, directories of them, or a configuration directory."),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="A .yaml file, or a directory (one file per service); default: stdout.",
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="prometheus (rule file) or kubernetes (PrometheusRule); default: kubernetes "
            "when every spec is a Kubernetes object (Sloth's PrometheusServiceLevel).",
        ),
    ] = None,
    tests: Annotated[
        Path | None,
        typer.Option("--tests", help="Write a promtool test file per SLO into this directory."),
    ] = None,
    period: Annotated[
        str,
        typer.Option(help="SLO period for specs that name none (Sloth's format): e.g. 30d, 28d."),
    ] = "30d",
    inhibit_rules: Annotated[
        Path | None,
        typer.Option(
            "--inhibit-rules",
            help="Also write an Alertmanager inhibit rule (a page silences its ticket).",
        ),
    ] = None,
) -> None:
    """Generate Prometheus recording and alerting rules from SLO specs."""
    from ninefold.slos.generators.generate import default_format, generate

    if fmt not in (None, "prometheus", "kubernetes"):
        raise Invalid(f"--format must be prometheus or kubernetes, not {fmt!r}", field="format")
    spec_set, links = load_specs(paths, parse_period(period), require=True)
    fmt = fmt or default_format(spec_set.slos)
    if tests is not None and (output is None or fmt != "prometheus"):
        raise Invalid(
            "--tests needs -o and --format prometheus: promtool reads rule files", field="tests"
        )
    result = generate(spec_set.slos, links, fmt, output, tests)  # type: ignore[arg-type]
    if inhibit_rules is not None:
        from ninefold.slos.generators.writer import inhibit_rules as inhibit_text

        result.files[str(inhibit_rules)] = inhibit_text()
    for problem in result.problems:
        err.print(str(problem), markup=False)
    for name, text in result.files.items():
        if name == "-":
            typer.echo(text, nl=False)
            continue
        path = Path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        err.print(f"wrote {path}", markup=False)
