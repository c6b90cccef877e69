"""The reports domain's background job: the delivery sweep."""

from __future__ import annotations

from ninefold.clock import Clock
from ninefold.reports import delivery
from ninefold.settings import Settings
from ninefold.worker.runner import Jobs


def jobs(settings: Settings, _clock: Clock) -> Jobs:
    return Jobs(
        {delivery.JOB_SWEEP: delivery.sweep(settings)}, every={delivery.JOB_SWEEP: delivery.EVERY}
    )
