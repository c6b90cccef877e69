"""`ninefold worker`: runs background jobs (escalations, notifications, heartbeat checks)."""

from __future__ import annotations

import os
import signal
import threading
from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console

out = Console(soft_wrap=True)
PARENT_CHECK = 1.0  # seconds


app = typer.Typer()


@app.command("worker")
def worker_command(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="Run the jobs due now, then exit.")] = False,
    poll: Annotated[
        float, typer.Option(help="Seconds between looks for due jobs when idle.", min=0.1)
    ] = 1.0,
    lease: Annotated[
        float,
        typer.Option(
            help="Seconds a claimed job stays with this worker; if it dies, another worker "
            "takes the job over after this long.",
            min=1,
        ),
    ] = 120,
    exit_with: Annotated[
        int | None,
        typer.Option(
            help="Stop when the process PID, this worker's parent, is gone (how `serve` starts "
            "its workers).",
            metavar="PID",
        ),
    ] = None,
) -> None:
    """Run due jobs until stopped (SIGTERM or Ctrl-C); `serve` also runs one in-process."""
    from ninefold.cli_support import clock_of, migrated_engine, settings_of
    from ninefold.db import make_session_factory
    from ninefold.jobs import worker as make_worker

    settings = settings_of(ctx)
    engine = migrated_engine(settings)
    worker = make_worker(
        make_session_factory(engine), settings, clock_of(ctx), timedelta(seconds=lease)
    )
    if once:
        out.print(f"ran {worker.run_once()} jobs")
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    if exit_with is not None:
        threading.Thread(target=_stop_with, args=(exit_with, stop), daemon=True).start()
    worker.run_forever(stop, poll)


def _stop_with(parent: int, stop: threading.Event) -> None:
    """Set `stop` once `parent` is no longer this process's parent: it died, even by SIGKILL,
    and the worker it started must not outlive it."""
    while not stop.wait(PARENT_CHECK):
        if os.getppid() != parent:
            stop.set()
