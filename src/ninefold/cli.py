"""The `ninefold` command: the root Typer app, the platform commands and error mapping.

Each domain adds its commands from its own `cli.py`; domain errors become exit codes here.
"""

from __future__ import annotations

import logging
import secrets
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from ninefold import __version__, migrations
from ninefold.auth import cli as auth_cli
from ninefold.auth.model import Role
from ninefold.cli_support import Invocation, clock_of, operator, settings_of
from ninefold.clock import Clock, system_clock
from ninefold.config import cli as config_cli
from ninefold.errors import NinefoldError, NotMigrated
from ninefold.observability import configure_logging
from ninefold.oncall import cli as oncall_cli
from ninefold.paging import cli as paging_cli
from ninefold.settings import Settings
from ninefold.slos import cli as slo_cli
from ninefold.slos.gate_cli import register_gate
from ninefold.worker import cli as worker_cli

app = typer.Typer(
    name="ninefold",
    help="Ninefold: service catalog, SLOs, paging and incidents, self-hosted.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
config_cli.register(app)
auth_cli.register(app)
slo_cli.register(app)
register_gate(app)
worker_cli.register(app)
oncall_cli.register(app)
paging_cli.register(app)

err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)
log = logging.getLogger("ninefold")


def _print_version(value: bool) -> None:
    if value:
        out.print(f"ninefold {__version__}")
        raise typer.Exit


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[  # noqa: ARG001 (handled by its eager callback)
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Print the version and exit."
        ),
    ] = False,
    log_format: Annotated[str | None, typer.Option(help="Log format: text or json.")] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Configuration directory (default ./ninefold)."),
    ] = None,
) -> None:
    try:
        settings = Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = "NINEFOLD_" + "_".join(str(p) for p in error["loc"]).upper()
            err.print(f"error: {name}: {error['msg']}", markup=False)
        raise typer.Exit(2) from None
    if log_format not in (None, "text", "json"):
        raise typer.BadParameter("must be text or json", param_hint="--log-format")
    if log_format:
        settings = settings.model_copy(update={"log_format": log_format})
    if config:
        settings = settings.model_copy(update={"config_dir": config})
    configure_logging(settings.log_format)
    # `main` hands down the clock; anything else calling the app gets the system's.
    clock: Clock = ctx.obj or system_clock
    ctx.obj = Invocation(settings, clock)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Migrate the database to the schema this version of Ninefold needs."""
    from ninefold.db import make_engine

    settings = settings_of(ctx)
    engine = make_engine(settings.resolved_database_url())
    before = migrations.current(engine)
    migrations.upgrade(engine)
    after = migrations.current(engine)
    out.print(
        f"database {engine.url.render_as_string(hide_password=True)}: "
        f"{before or 'empty'} -> {after}"
    )


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Print the schema revision of the database and the one this version needs."""
    from ninefold.db import make_engine

    engine = make_engine(settings_of(ctx).resolved_database_url())
    out.print(f"database: {migrations.current(engine) or 'empty'}\ncode:     {migrations.head()}")


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    migrate: Annotated[bool, typer.Option("--migrate", help="Migrate the database first.")] = False,
    worker: Annotated[
        bool | None,
        typer.Option(
            "--worker/--no-worker",
            help="Run background jobs in this process too (default: NINEFOLD_RUN_WORKER).",
        ),
    ] = None,
) -> None:
    """Run the web server: API, web UI, /healthz, /readyz and /metrics."""
    settings = settings_of(ctx)
    settings = settings.model_copy(
        update={
            "host": host or settings.host,
            "port": port or settings.port,
            "run_worker": settings.run_worker if worker is None else worker,
        }
    )
    _serve(settings, clock_of(ctx), migrate)


def _serve(settings: Settings, clock: Clock, migrate: bool) -> None:
    import uvicorn

    from ninefold.app import create_app
    from ninefold.db import make_engine

    engine = make_engine(settings.resolved_database_url())
    if migrate:
        migrations.upgrade(engine)
    current = migrations.current(engine)
    if current != migrations.head():
        raise NotMigrated(
            f"the database is at revision {current or 'none (empty)'} but this Ninefold needs "
            f"{migrations.head()}; run `ninefold db upgrade` first, or start with `serve --migrate`"
        )
    stop = threading.Event()
    if settings.run_worker:
        from ninefold.db import make_session_factory
        from ninefold.jobs import worker

        runner = worker(make_session_factory(engine), settings, clock, timedelta(minutes=2))
        threading.Thread(target=runner.run_forever, args=(stop,), daemon=True).start()
    log.info("serving on http://%s:%s", settings.host, settings.port)
    try:
        uvicorn.run(
            create_app(settings, engine, clock),
            host=settings.host,
            port=settings.port,
            log_config=None,
        )
    finally:
        stop.set()


@app.command()
def demo(
    ctx: typer.Context,
    config: Annotated[Path, typer.Argument(help="Configuration directory to load.")] = Path(
        "examples"
    ),
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Migrate, load a configuration directory, create a demo admin and serve."""
    from ninefold.auth import service as auth_service
    from ninefold.auth.schemas import UserSpec
    from ninefold.auth.tables import User
    from ninefold.config.apply import execute, make_plan
    from ninefold.config.check import check_directory
    from ninefold.db import make_engine, make_session_factory, unit_of_work
    from ninefold.demo import seed_alerts

    settings = settings_of(ctx)
    now = clock_of(ctx)()
    # The demo's SLO pages show sample history unless told to read a real Prometheus.
    source = settings.slo_source if "slo_source" in settings.model_fields_set else "sample"
    settings = settings.model_copy(
        update={"port": port or settings.port, "config_dir": config, "slo_source": source}
    )
    bundle = check_directory(config)
    config_cli.report(bundle)
    engine = make_engine(settings.resolved_database_url())
    migrations.upgrade(engine)
    password = secrets.token_urlsafe(12)
    with unit_of_work(make_session_factory(engine)) as session:
        plan = make_plan(session, bundle)
        execute(session, operator("config"), plan, bundle, now)
        admin = session.query(User).filter_by(name="demo-admin").one_or_none()
        if admin is None:
            spec = UserSpec(name="demo-admin", full_name="Demo administrator", role=Role.ADMIN)
            auth_service.create_user(session, operator(), spec, now, password)
        else:
            auth_service.set_password(session, operator(), "demo-admin", password, now)
        seed_alerts(session, now)
    out.print(plan.summary())
    out.print(
        f"\n[bold]Ninefold demo[/bold] at http://{settings.host}:{settings.port}\n"
        f"  log in as [bold]demo-admin[/bold] with password [bold]{password}[/bold]\n"
        f"  data in {settings.data_dir.resolve()}\n"
    )
    _serve(settings, clock_of(ctx), migrate=False)


def main(clock: Clock = system_clock) -> None:
    """The console script. Tests that run the command in-process hand it their clock."""
    try:
        app(obj=clock)
    except NinefoldError as exc:
        err.print(f"error: {exc.message}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
