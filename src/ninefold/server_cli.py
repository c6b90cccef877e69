"""`ninefold serve` and `ninefold demo`: the web server, with its worker unless told not to."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ninefold import migrations
from ninefold.cli_support import clock_of, operator, settings_of
from ninefold.clock import Clock
from ninefold.errors import NotMigrated
from ninefold.settings import Settings

serve = typer.Typer()
demo = typer.Typer()
out = Console(soft_wrap=True)
log = logging.getLogger("ninefold")


@serve.command("serve")
def serve_command(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    migrate: Annotated[bool, typer.Option("--migrate", help="Migrate the database first.")] = False,
    worker: Annotated[
        bool | None,
        typer.Option(
            "--worker/--no-worker",
            help="Start worker processes beside the server (default: NINEFOLD_RUN_WORKER; how "
            "many: NINEFOLD_WORKER_PROCESSES).",
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
    from ninefold.worker.beside import WorkerProcesses

    engine = make_engine(settings.resolved_database_url())
    if migrate:
        migrations.upgrade(engine)
    current = migrations.current(engine)
    if current != migrations.head():
        raise NotMigrated(
            f"the database is at revision {current or 'none (empty)'} but this Ninefold needs "
            f"{migrations.head()}; run `ninefold db upgrade` first, or start with `serve --migrate`"
        )
    workers = WorkerProcesses(settings, settings.worker_processes) if settings.run_worker else None
    if workers:
        workers.start()
    log.info("serving on http://%s:%s", settings.host, settings.port)
    try:
        uvicorn.run(
            create_app(settings, engine, clock),
            host=settings.host,
            port=settings.port,
            log_config=None,
        )
    finally:
        if workers:
            workers.stop()


@demo.command("demo")
def demo_command(
    ctx: typer.Context,
    config: Annotated[Path, typer.Argument(help="Configuration directory to load.")] = Path(
        "examples"
    ),
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Migrate, load a configuration directory, create a demo admin and serve."""
    from ninefold.auth import service as auth_service
    from ninefold.auth.model import Role
    from ninefold.auth.schemas import UserSpec
    from ninefold.auth.tables import User
    from ninefold.config.apply import execute, make_plan
    from ninefold.config.check import check_directory
    from ninefold.config.cli import report
    from ninefold.db import make_engine, make_session_factory, unit_of_work
    from ninefold.demo.seed import seed

    settings = settings_of(ctx)
    now = clock_of(ctx)()
    # The demo's SLO pages show sample history unless told to read a real Prometheus.
    source = settings.slo_source if "slo_source" in settings.model_fields_set else "sample"
    settings = settings.model_copy(
        update={"port": port or settings.port, "config_dir": config, "slo_source": source}
    )
    bundle = check_directory(config)
    report(bundle)
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
        seed(session, settings, bundle, now)
    out.print(plan.summary())
    out.print(
        f"\n[bold]Ninefold demo[/bold] at http://{settings.host}:{settings.port}\n"
        f"  log in as [bold]demo-admin[/bold] with password [bold]{password}[/bold]\n"
        f"  data in {settings.data_dir.resolve()}\n"
    )
    _serve(settings, clock_of(ctx), migrate=False)
