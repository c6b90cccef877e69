"""Every domain's background jobs by kind: what a worker can run.

Like `tables.py`, an edge module: domains register nothing globally, the worker is handed
this table when it starts.
"""

from __future__ import annotations

from ninefold.alerts.jobs import HANDLERS as ALERT_JOBS
from ninefold.paging.jobs import handlers as paging_handlers
from ninefold.settings import Settings
from ninefold.worker.runner import Handler


def handlers(settings: Settings) -> dict[str, Handler]:
    return {**ALERT_JOBS, **paging_handlers(settings)}
