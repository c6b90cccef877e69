"""Every domain's background jobs by kind: what a worker can run.

Like `tables.py`, an edge module: domains register nothing globally, the worker is handed
this table when it starts.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from ninefold.alerts.jobs import HANDLERS as ALERT_JOBS
from ninefold.clock import Clock
from ninefold.paging.jobs import handlers as paging_handlers
from ninefold.paging.notifications import JOB_SEND
from ninefold.settings import Settings
from ninefold.worker.runner import Handler, Worker

# A message to a person goes out before any other due job: in an alert storm, routing the
# thousandth new group must not keep the first one's page waiting.
FIRST = frozenset({JOB_SEND})


def handlers(settings: Settings, clock: Clock) -> dict[str, Handler]:
    return {**ALERT_JOBS, **paging_handlers(settings, clock)}


def worker(
    factory: sessionmaker[Session], settings: Settings, clock: Clock, lease: timedelta
) -> Worker:
    """The worker `serve` and `ninefold worker` run: every handler, messages first."""
    return Worker(factory, handlers(settings, clock), clock=clock, lease=lease, first=FIRST)
