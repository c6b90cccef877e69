"""The incidents domain's background jobs."""

from __future__ import annotations

from datetime import timedelta

from ninefold.clock import Clock
from ninefold.incidents import declaring, messages, reminders
from ninefold.paging.notifications.channels import channels
from ninefold.settings import Settings
from ninefold.worker.runner import Handler, Jobs

SWEEP_EVERY = timedelta(minutes=1)
"""How often the declare rules run: a rule's wait is honoured to within this."""


def jobs(settings: Settings, clock: Clock) -> Jobs:
    handlers: dict[str, Handler] = {
        messages.JOB_SEND: messages.Sender(
            channels(settings, clock), settings.resolved_public_url()
        ),
        declaring.JOB_SWEEP: declaring.sweep_job,
        reminders.JOB_SWEEP: reminders.sweep,
    }
    every = {declaring.JOB_SWEEP: SWEEP_EVERY, reminders.JOB_SWEEP: reminders.EVERY}
    return Jobs(handlers, every=every)
