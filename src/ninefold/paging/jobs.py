"""The paging domain's background jobs."""

from __future__ import annotations

from ninefold.alerts import groups
from ninefold.clock import Clock
from ninefold.conventions import JOB_ALERT_GROUP_OPENED
from ninefold.paging import actions, escalation, storms
from ninefold.paging.notifications import delivery
from ninefold.paging.notifications.channels import channels
from ninefold.paging.notifications.delivery import Sender
from ninefold.paging.notifications.messages import Renderer
from ninefold.paging.silences import service as silences
from ninefold.settings import Settings
from ninefold.worker.runner import Handler, JobContext, Jobs


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


def storm_sweep(ctx: JobContext) -> None:
    storms.sweep(ctx.session, ctx.now)


def jobs(settings: Settings, clock: Clock) -> Jobs:
    """The paging jobs, every one urgent: each brings a page nearer (routing a new group, the
    next step, a message, the end of a snooze or a hold), and a person may be waiting for it.
    In a storm, the thousandth new group's routing must not wait behind flapping checks, and
    nothing of paging behind a report."""
    sender = Sender(channels(settings, clock), Renderer(settings.resolved_public_url()))
    handlers: dict[str, Handler] = {
        JOB_ALERT_GROUP_OPENED: group_opened,
        escalation.JOB_STEP: step_due,
        delivery.JOB_SEND: sender,
        actions.JOB_UNSNOOZE: snooze_over,
        silences.JOB_RESUME: resume_due,
    }
    # The storm sweep pages nobody: it ends quiet storms and resolves their groups.
    return Jobs(
        {**handlers, storms.JOB_SWEEP: storm_sweep},
        urgent=frozenset(handlers),
        every={storms.JOB_SWEEP: storms.SWEEP_EVERY},
    )
