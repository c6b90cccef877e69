"""`ninefold gate SERVICE`: may this change of SERVICE be released now?

Exit codes are for CI pipelines: 0 allow, 1 deny, 2 error. An unreachable data source or a
broken configuration is an error, never a silent allow.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from ninefold.cli_support import instant_option, now_of, settings_of
from ninefold.errors import NinefoldError

if TYPE_CHECKING:
    from ninefold.slos.gate.decide import Decision

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_ALLOW, EXIT_DENY, EXIT_ERROR = 0, 1, 2


app = typer.Typer()


@app.command("gate")
def gate_command(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help="The service about to be released.")],
    label: Annotated[
        list[str] | None,
        typer.Option("--label", help="A label of the change, e.g. security (repeat)."),
    ] = None,
    prometheus: Annotated[
        str | None, typer.Option(help="Prometheus URL; default $NINEFOLD_PROMETHEUS_URL.")
    ] = None,
    at: Annotated[str | None, typer.Option(help="Decide as of this time (ISO 8601).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decision as JSON.")] = False,
) -> None:
    """Gate a release on error budgets and freezes: exit 0 allow, 1 deny, 2 error."""
    try:
        decision = _decide(ctx, service, set(label or []), prometheus, at)
    except NinefoldError as exc:
        err.print(f"error: {exc.message}", markup=False)
        raise typer.Exit(EXIT_ERROR) from None
    if as_json:
        typer.echo(json.dumps(_as_json(decision), indent=2))
    else:
        _print(decision)
    raise typer.Exit(EXIT_ALLOW if decision.allowed else EXIT_DENY)


def _decide(
    ctx: typer.Context, service: str, labels: set[str], prometheus: str | None, at: str | None
) -> Decision:
    from ninefold.adapters.prometheus import PrometheusClient
    from ninefold.changes.freezes import holding
    from ninefold.changes.service import window_of
    from ninefold.cli_support import operator, transaction
    from ninefold.config.check import check_directory
    from ninefold.errors import Invalid
    from ninefold.slos.core.status import SloStatus
    from ninefold.slos.gate.decide import decide, policies_for
    from ninefold.slos.service import record_decision
    from ninefold.slos.sources.report import from_prometheus

    settings = settings_of(ctx)
    bundle = check_directory(settings.config_dir)
    errors = [p for p in bundle.problems if p.severity == "error"]
    if errors:
        raise Invalid(f"the configuration in {settings.config_dir} has errors: {errors[0]}")
    if service not in {s.name for s in bundle.specs("services")}:
        raise Invalid(f"no service named {service!r} in {settings.config_dir}")
    now = instant_option(at, "--at", now_of(ctx)) if at else now_of(ctx)
    slos = [slo for slo in bundle.documents.get("slos", []) if slo.service == service]
    policies = policies_for(service, bundle.specs("budget_policies"))
    statuses: dict[str, SloStatus] = {}
    if slos and policies:
        with PrometheusClient(prometheus or settings.prometheus_url) as client:
            statuses = {r.slo.name: r.status for r in from_prometheus(client, slos, now)}
    team = next(s.owner for s in bundle.specs("services") if s.name == service)
    windows = [window_of(spec) for spec in bundle.specs("freezes")]
    frozen_by = holding(windows, now, service, team)
    decision = decide(service, policies, statuses, labels, now, frozen_by)
    with transaction(settings) as session:
        record_decision(session, operator(), decision, labels, now)
    return decision


def _as_json(decision: Decision) -> dict[str, object]:
    return {
        "service": decision.service,
        "decision": decision.verdict,
        "exception": decision.exception,
        "reasons": list(decision.reasons),
        "evidence": decision.evidence,
    }


def _print(decision: Decision) -> None:
    word = "ALLOW" if decision.allowed else "DENY"
    out.print(f"{word}: release of {decision.service}", markup=False)
    if decision.exception:
        out.print(f"  allowed as an exception: labelled {decision.exception}", markup=False)
    for reason in decision.reasons:
        out.print(f"  {'would deny' if decision.allowed else 'denied'}: {reason}", markup=False)
    for name, numbers in decision.evidence.items():
        remaining = numbers.get("budget_remaining")
        burn = numbers.get("burn_1h")
        out.print(
            f"  SLO {name}: budget left {remaining:.1%}, burn 1h {burn:.2f}x"
            if remaining is not None and burn is not None
            else f"  SLO {name}: no data",
            markup=False,
        )
    if not decision.reasons and not decision.evidence:
        out.print("  no error budget policy, SLO or freeze window holds this service", markup=False)
