"""Every domain's background jobs by kind: what a worker can run.

Like `tables.py`, an edge module: it reads the domains' manifests (`Domain.jobs`), and the
worker is handed the result when it starts.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from ninefold.clock import Clock
from ninefold.domain import load
from ninefold.domains import DOMAINS
from ninefold.settings import Settings
from ninefold.worker.runner import Handler, Jobs, Worker

URGENT_THREADS = 4  # paging jobs a worker runs side by side (docs/paging.md, "Pages first")


def all_jobs(settings: Settings, clock: Clock) -> Jobs:
    found = [load(domain.jobs)(settings, clock) for domain in DOMAINS if domain.jobs]
    handlers: dict[str, Handler] = {}
    every: dict[str, timedelta] = {}
    for jobs in found:
        clash = handlers.keys() & jobs.handlers.keys()
        if clash:
            raise RuntimeError(f"two domains handle the job kinds {sorted(clash)}")
        handlers.update(jobs.handlers)
        every.update(jobs.every)
    return Jobs(handlers, frozenset().union(*(jobs.urgent for jobs in found)), every)


def handlers(settings: Settings, clock: Clock) -> dict[str, Handler]:
    return dict(all_jobs(settings, clock).handlers)


def worker(
    factory: sessionmaker[Session], settings: Settings, clock: Clock, lease: timedelta
) -> Worker:
    """The worker `serve` and `ninefold worker` run: every handler, urgent kinds first, the
    periodic ones scheduled."""
    jobs = all_jobs(settings, clock)
    return Worker(
        factory,
        jobs.handlers,
        clock=clock,
        lease=lease,
        first=jobs.urgent,
        every=jobs.every,
        urgent_threads=URGENT_THREADS,
    )
