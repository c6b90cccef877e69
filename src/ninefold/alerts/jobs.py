"""The alerts domain's background jobs, registered with the worker by kind."""

from __future__ import annotations

from sqlalchemy import select

from ninefold.alerts import heartbeats
from ninefold.alerts.tables import Integration
from ninefold.conventions import JOB_HEARTBEAT_CHECK
from ninefold.worker.runner import Handler, JobContext


def heartbeat_check(ctx: JobContext) -> None:
    integration = ctx.session.scalar(
        select(Integration).where(Integration.id == ctx.payload["integration_id"]).with_for_update()
    )
    if integration is not None and integration.kind == "heartbeat":
        heartbeats.check(ctx.session, integration, ctx.now)


HANDLERS: dict[str, Handler] = {JOB_HEARTBEAT_CHECK: heartbeat_check}
