"""Integrations as objects: created from the configuration or the API, looked up by URL key."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.alerts.schemas import IntegrationOut, IntegrationSpec
from ninefold.alerts.tables import Integration
from ninefold.auth import audit
from ninefold.auth.model import Principal, require_admin
from ninefold.conventions import API_PREFIX, MANAGED_BY_API
from ninefold.errors import Conflict, NotFound
from ninefold.slos.spec.durations import format_duration

# Intake paths per kind, under the API prefix; the key ends each.
INTAKE_PATHS = {
    "alertmanager": "/integrations/alertmanager/",
    "grafana": "/integrations/grafana/",
    "webhook": "/integrations/webhook/",
    "heartbeat": "/heartbeats/",
}
NO_SUCH_KEY = "no integration has this key"


def new_key() -> str:
    return secrets.token_urlsafe(24)


def by_key(session: Session, kind: str, key: str, *, lock: bool = False) -> Integration:
    """The integration a request's key names; the same 404 for a wrong key and a wrong kind."""
    query = select(Integration).where(Integration.key == key, Integration.kind == kind)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(NO_SUCH_KEY)
    return row


def get_row(session: Session, name: str) -> Integration:
    row = session.scalar(select(Integration).where(Integration.name == name))
    if row is None:
        raise NotFound(f"no integration named {name!r}")
    return row


def all_rows(session: Session) -> list[Integration]:
    return list(session.scalars(select(Integration).order_by(Integration.name)))


def spec_of(row: Integration) -> IntegrationSpec:
    interval = None
    if row.heartbeat_seconds is not None:
        interval = format_duration(timedelta(seconds=row.heartbeat_seconds))
    return IntegrationSpec(
        name=row.name,
        kind=row.kind,
        description=row.description,
        service=row.service,
        group_by=list(row.group_by),
        secret_env=row.secret_env,
        interval=interval,
    )


def out(row: Integration) -> IntegrationOut:
    return IntegrationOut(
        name=row.name,
        kind=row.kind,
        description=row.description,
        service=row.service,
        group_by=list(row.group_by),
        url=f"{API_PREFIX}{INTAKE_PATHS[row.kind]}{row.key}",
        last_ping_at=row.last_ping_at,
        managed_by=row.managed_by,
    )


def write(
    session: Session,
    spec: IntegrationSpec,
    managed_by: str,
    now: datetime,
    row: Integration | None = None,
) -> Integration:
    """Create or update; the key stays as it is (a changed URL would break every sender)."""
    if row is None:
        row = Integration(name=spec.name, key=new_key())
        session.add(row)
    row.kind = spec.kind
    row.description = spec.description
    row.service = spec.service
    row.group_by = list(spec.group_by)
    row.secret_env = spec.secret_env
    row.heartbeat_seconds = spec.interval_seconds()
    row.managed_by = managed_by
    row.touch(now)
    session.flush()
    return row


def list_out(session: Session, actor: Principal) -> list[IntegrationOut]:
    require_admin(actor, "see integration keys")
    return [out(row) for row in all_rows(session)]


def create(
    session: Session, actor: Principal, spec: IntegrationSpec, now: datetime
) -> IntegrationOut:
    require_admin(actor, "create integrations")
    if session.scalar(select(Integration.id).where(Integration.name == spec.name)) is not None:
        raise Conflict(f"an integration named {spec.name!r} already exists", field="name")
    row = write(session, spec, MANAGED_BY_API, now)
    audit.record(session, actor, now, "create", "integration", spec.name, None, spec.model_dump())
    return out(row)


def rotate_key(session: Session, actor: Principal, name: str, now: datetime) -> IntegrationOut:
    require_admin(actor, "rotate integration keys")
    row = get_row(session, name)
    row.key = new_key()
    row.touch(now)
    session.flush()
    audit.record(session, actor, now, "rotate-key", "integration", name, None, None)
    return out(row)


def delete(session: Session, actor: Principal, name: str, now: datetime) -> None:
    require_admin(actor, "delete integrations")
    row = get_row(session, name)
    before = spec_of(row).model_dump()
    session.delete(row)
    audit.record(session, actor, now, "delete", "integration", name, before, None)
