"""The paging domain's background jobs, and the channels notifications go out by."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ninefold.adapters.channels import CHANNELS
from ninefold.alerts import groups
from ninefold.clock import Clock
from ninefold.conventions import JOB_ALERT_GROUP_OPENED
from ninefold.paging import actions, escalation, notifications, silencing
from ninefold.paging.messages import Renderer
from ninefold.paging.notifications import Channel, Sender
from ninefold.settings import Settings
from ninefold.worker.runner import Handler, JobContext, Jobs

if TYPE_CHECKING:
    pass


def channels(settings: Settings, clock: Clock) -> dict[str, Channel]:
    """The channels the settings configure (email only with an SMTP server); a notification
    by a missing channel fails with a message saying so, visible on the group's timeline."""
    found = {}
    for name, kind in CHANNELS.items():
        transport = kind.transport(settings, clock)
        if transport is not None:
            found[name] = Channel(transport, idempotent=kind.idempotent)
    return found


def group_opened(ctx: JobContext) -> None:
    group = groups.find_row(ctx.session, int(ctx.payload["group_id"]))
    if group is not None:
        escalation.start(ctx.session, group, ctx.now)


def step_due(ctx: JobContext) -> None:
    escalation.run_due_step(
        ctx.session, int(ctx.payload["group_id"]), int(ctx.payload["sequence"]), ctx.now
    )


def snooze_over(ctx: JobContext) -> None:
    actions.unsnooze(ctx.session, int(ctx.payload["group_id"]), ctx.payload["until"], ctx.now)


def resume_due(ctx: JobContext) -> None:
    escalation.resume(ctx.session, int(ctx.payload["group_id"]), ctx.now)


def jobs(settings: Settings, clock: Clock) -> Jobs:
    """The paging jobs. A message to a person goes out before any other due job: in an alert
    storm, routing the thousandth new group must not keep the first one's page waiting."""
    sender = Sender(channels(settings, clock), Renderer(settings.resolved_public_url()))
    handlers: dict[str, Handler] = {
        JOB_ALERT_GROUP_OPENED: group_opened,
        escalation.JOB_STEP: step_due,
        notifications.JOB_SEND: sender,
        actions.JOB_UNSNOOZE: snooze_over,
        silencing.JOB_RESUME: resume_due,
    }
    return Jobs(handlers, urgent=frozenset({notifications.JOB_SEND}))
