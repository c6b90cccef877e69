"""Every domain's background jobs by kind: what a worker can run.

Like `tables.py`, an edge module: domains register nothing globally, the worker is handed
this table when it starts.
"""

from __future__ import annotations

from ninefold.alerts.jobs import HANDLERS as ALERT_JOBS
from ninefold.worker.runner import Handler


def handlers() -> dict[str, Handler]:
    return {**ALERT_JOBS}
