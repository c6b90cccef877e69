"""The alerts domain's background jobs, registered with the worker by kind."""

from __future__ import annotations

from sqlalchemy import select

from ninefold.alerts import heartbeats, service
from ninefold.alerts.tables import AlertGroup, Integration
from ninefold.clock import Clock
from ninefold.conventions import JOB_FLAP_CHECK, JOB_HEARTBEAT_CHECK
from ninefold.settings import Settings
from ninefold.worker.runner import JobContext, Jobs


def heartbeat_check(ctx: JobContext) -> None:
    integration = ctx.session.scalar(
        select(Integration).where(Integration.id == ctx.payload["integration_id"]).with_for_update()
    )
    if integration is not None and integration.kind == "heartbeat":
        heartbeats.check(ctx.session, integration, ctx.now)


def flap_check(ctx: JobContext) -> None:
    """Locks the group, so a responder resolving it meanwhile waits or is seen."""
    group = ctx.session.scalar(
        select(AlertGroup).where(AlertGroup.id == ctx.payload["group_id"]).with_for_update()
    )
    if group is not None:
        service.check_flapping(ctx.session, group, ctx.now)


def jobs(_settings: Settings, _clock: Clock) -> Jobs:
    return Jobs({JOB_HEARTBEAT_CHECK: heartbeat_check, JOB_FLAP_CHECK: flap_check})
