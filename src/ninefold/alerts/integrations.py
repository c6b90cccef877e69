"""Integrations as objects: created from the configuration or the API, looked up by URL key."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ninefold.alerts.schemas import IntegrationOut, IntegrationSpec
from ninefold.alerts.tables import Integration
from ninefold.auth import audit
from ninefold.auth.model import Principal, require_admin
from ninefold.conventions import API_PREFIX, MANAGED_BY_API
from ninefold.errors import Conflict, NotFound
from ninefold.pagination import Page
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


def intake_path(row: Integration) -> str:
    return f"{API_PREFIX}{INTAKE_PATHS[row.kind]}{row.key}"


def out(row: Integration, base_url: str) -> IntegrationOut:
    """The integration as the API and CLI show it; `base_url` is the server's public address."""
    return IntegrationOut(
        name=row.name,
        kind=row.kind,
        description=row.description,
        service=row.service,
        group_by=list(row.group_by),
        url=f"{base_url}{intake_path(row)}",
        path=intake_path(row),
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


def list_page(
    session: Session, actor: Principal, base_url: str, *, limit: int = 50, offset: int = 0
) -> Page[IntegrationOut]:
    require_admin(actor, "see integration keys")
    total = session.scalar(select(func.count()).select_from(Integration)) or 0
    rows = session.scalars(
        select(Integration).order_by(Integration.name).limit(limit).offset(offset)
    )
    items = [out(row, base_url) for row in rows]
    return Page[IntegrationOut](items=items, total=total, limit=limit, offset=offset)


def create(
    session: Session, actor: Principal, spec: IntegrationSpec, now: datetime, base_url: str
) -> IntegrationOut:
    require_admin(actor, "create integrations")
    if session.scalar(select(Integration.id).where(Integration.name == spec.name)) is not None:
        raise Conflict(f"an integration named {spec.name!r} already exists", field="name")
    row = write(session, spec, MANAGED_BY_API, now)
    audit.record(session, actor, now, "create", "integration", spec.name, None, spec.model_dump())
    return out(row, base_url)


def rotate_key(
    session: Session, actor: Principal, name: str, now: datetime, base_url: str
) -> IntegrationOut:
    require_admin(actor, "rotate integration keys")
    row = get_row(session, name)
    row.key = new_key()
    row.touch(now)
    session.flush()
    audit.record(session, actor, now, "rotate-key", "integration", name, None, None)
    return out(row, base_url)


def delete(session: Session, actor: Principal, name: str, now: datetime) -> None:
    require_admin(actor, "delete integrations")
    row = get_row(session, name)
    before = spec_of(row).model_dump()
    session.delete(row)
    audit.record(session, actor, now, "delete", "integration", name, before, None)
