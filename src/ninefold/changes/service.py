"""Recording changes and reading them back: one transaction per change, idempotent by the
sender's external id, the service's chain of deploys decided again after each."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from ninefold.auth.model import Principal, require_recorder
from ninefold.catalog import service as catalog
from ninefold.changes import chain
from ninefold.changes.freezes import Window, holding, summary
from ninefold.changes.schemas import (
    DEFAULT_ENVIRONMENTS,
    ChangeIn,
    ChangeOut,
    CommitOut,
    EnvironmentSpec,
    FreezeSpec,
    RecordResult,
)
from ninefold.changes.tables import Change, ChangeCommit, Environment, Freeze
from ninefold.errors import Conflict, Invalid, NotFound
from ninefold.pagination import Page

# --- environments and freezes, as `apply` writes them ---------------------------------------


def environment_rows(session: Session) -> list[Environment]:
    return list(session.scalars(select(Environment).order_by(Environment.name)))


def environment_spec(row: Environment) -> EnvironmentSpec:
    return EnvironmentSpec(name=row.name, production=row.production, description=row.description)


def write_environment(
    session: Session,
    spec: EnvironmentSpec,
    managed_by: str,
    now: datetime,
    row: Environment | None = None,
) -> Environment:
    if row is None:
        row = Environment(name=spec.name)
        session.add(row)
    row.production = spec.production
    row.description = spec.description
    row.managed_by = managed_by
    row.touch(now)
    session.flush()
    return row


def environments(session: Session) -> dict[str, EnvironmentSpec]:
    """The declared environments, or the built-in three while none are declared."""
    declared = [environment_spec(row) for row in environment_rows(session)]
    return {spec.name: spec for spec in declared or DEFAULT_ENVIRONMENTS}


def freeze_rows(session: Session) -> list[Freeze]:
    return list(session.scalars(select(Freeze).order_by(Freeze.starts, Freeze.name)))


def freeze_spec(row: Freeze) -> FreezeSpec:
    return FreezeSpec(
        name=row.name,
        starts=row.starts,
        ends=row.ends,
        reason=row.reason,
        teams=list(row.teams),
        services=list(row.services),
    )


def write_freeze(
    session: Session, spec: FreezeSpec, managed_by: str, now: datetime, row: Freeze | None = None
) -> Freeze:
    if row is None:
        row = Freeze(name=spec.name)
        session.add(row)
    row.starts, row.ends, row.reason = spec.starts, spec.ends, spec.reason
    row.teams, row.services = list(spec.teams), list(spec.services)
    row.managed_by = managed_by
    row.touch(now)
    session.flush()
    return row


def window_of(spec: FreezeSpec) -> Window:
    return Window(
        spec.name, spec.starts, spec.ends, spec.reason, tuple(spec.teams), tuple(spec.services)
    )


def windows(session: Session) -> list[Window]:
    return [window_of(freeze_spec(row)) for row in freeze_rows(session)]


# --- recording ------------------------------------------------------------------------------


def content_hash(change: ChangeIn) -> str:
    """What "the same content" means for a repeated external id: the request as sent, so a
    retry that left `finished_at` to the server is the same change."""
    canonical = json.dumps(change.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(
    session: Session, actor: Principal, change: ChangeIn, now: datetime, source: str = "api"
) -> RecordResult:
    """Store one change with its commits, or return the one its external id already names."""
    owner = _owner_team(session, change.service)
    require_recorder(actor, change.service, owner)
    digest = content_hash(change)
    if change.external_id is not None:
        known = _by_external_id(session, change.external_id)
        if known is not None:
            return _repeat(session, known, digest)
    environment = _environment(session, change.environment)
    finished = change.finished_at or now
    if change.started_at is not None and finished < change.started_at:
        raise Invalid("finished_at (the server's now) comes before started_at", field="started_at")
    row = Change(
        service=change.service,
        kind=change.kind,
        environment=environment.name,
        production=environment.production,
        version=change.version,
        external_id=change.external_id,
        content_hash=digest,
        author=change.author,
        description=change.description,
        url=change.url,
        started_at=change.started_at,
        finished_at=finished,
        outcome=change.outcome,
        rollback=change.rollback,
        reverts_id=_earlier_deploy(session, change.reverts, change.service, "reverts"),
        hotfix=change.hotfix,
        hotfix_of_id=_earlier_deploy(session, change.hotfix_of, change.service, "hotfix_of"),
        fixes_incident=change.fixes_incident,
        caused_incident=change.caused_incident,
        freeze=summary(holding(windows(session), finished, change.service, owner)),
        source=source,
        recorded_by=actor.name,
        recorded_at=now,
        commit_count=len(change.commits),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # Another request recorded the same external id between our look and our insert.
        known = _by_external_id(session, change.external_id or "")
        if known is None:
            raise
        return _repeat(session, known, digest)
    if change.commits:
        session.execute(
            insert(ChangeCommit),
            [
                {
                    "change_id": row.id,
                    "position": position,
                    "sha": commit.sha,
                    "authored_at": commit.authored_at,
                    "author": commit.author,
                    "title": commit.title,
                }
                for position, commit in enumerate(change.commits)
            ],
        )
    if _in_chain(row):
        rechain(session, change.service)
    session.refresh(row)
    return RecordResult(created=True, change=out(session, row, with_commits=True))


def _owner_team(session: Session, service: str) -> str:
    found = catalog.owning_team(session, service)
    if found is None:
        raise Invalid(f"unknown service {service!r}: it is not in the catalog", field="service")
    return found


def _environment(session: Session, name: str) -> EnvironmentSpec:
    known = environments(session)
    if name not in known:
        raise Invalid(
            f"unknown environment {name!r}; known: {', '.join(sorted(known))} "
            "(declare more in the `environments` section)",
            field="environment",
        )
    return known[name]


def _by_external_id(session: Session, external_id: str) -> Change | None:
    return session.scalar(select(Change).where(Change.external_id == external_id))


def _repeat(session: Session, known: Change, digest: str) -> RecordResult:
    if known.content_hash != digest:
        raise Conflict(
            f"external id {known.external_id!r} was recorded as change {known.id} with other "
            "content; a retry must send the same change, a new change needs a new id",
            field="external_id",
        )
    return RecordResult(created=False, change=out(session, known, with_commits=True))


def _earlier_deploy(
    session: Session, change_id: int | None, service: str, field: str
) -> int | None:
    if change_id is None:
        return None
    row = session.get(Change, change_id)
    if row is None or row.service != service or not _in_chain(row):
        raise Invalid(
            f"change {change_id} is not a successful production deploy of {service!r}",
            field=field,
        )
    return change_id


def _in_chain(row: Change) -> bool:
    return row.production and row.kind == "deploy" and row.outcome == "success"


def rechain(session: Session, service: str) -> None:
    """Decide the service's chain again and write back what changed (usually one row)."""
    query = select(
        Change.id,
        Change.version,
        Change.finished_at,
        Change.rollback,
        Change.reverts_id,
        Change.hotfix,
        Change.hotfix_of_id,
        Change.role,
        Change.undoes_id,
        Change.fixes_deploy_id,
    ).where(
        Change.service == service,
        Change.production.is_(True),
        Change.kind == "deploy",
        Change.outcome == "success",
    )
    rows = session.execute(query).all()
    decided = chain.decide(
        chain.Link(
            r.id, r.version, r.finished_at, r.rollback, r.reverts_id, r.hotfix, r.hotfix_of_id
        )
        for r in rows
    )
    for r in rows:
        now_is = decided[r.id]
        if (r.role, r.undoes_id, r.fixes_deploy_id) != (now_is.role, now_is.undoes, now_is.fixes):
            session.execute(
                update(Change)
                .where(Change.id == r.id)
                .values(
                    role=now_is.role.value, undoes_id=now_is.undoes, fixes_deploy_id=now_is.fixes
                )
            )


# --- reading --------------------------------------------------------------------------------


def out(session: Session, row: Change, *, with_commits: bool = False) -> ChangeOut:
    undone_by = _rolled_back_by(session, [row.id])
    return _out(row, undone_by.get(row.id), with_commits=with_commits)


def _out(row: Change, rolled_back_by: int | None, *, with_commits: bool = False) -> ChangeOut:
    commits = None
    if with_commits:
        commits = [
            CommitOut(
                sha=c.sha,
                authored_at=c.authored_at,
                author=c.author,
                title=c.title,
                in_lead_time=c.authored_at < row.finished_at,
            )
            for c in row.commits
        ]
    return ChangeOut(
        id=row.id,
        service=row.service,
        kind=row.kind,
        environment=row.environment,
        production=row.production,
        version=row.version,
        external_id=row.external_id,
        author=row.author,
        description=row.description,
        url=row.url,
        started_at=row.started_at,
        finished_at=row.finished_at,
        outcome=row.outcome,
        rollback=row.role == chain.Role.ROLLBACK,
        undoes=row.undoes_id,
        rolled_back_by=rolled_back_by,
        hotfix=row.hotfix,
        fixes_deploy=row.fixes_deploy_id,
        fixes_incident=row.fixes_incident,
        caused_incident=row.caused_incident,
        freeze=row.freeze,
        source=row.source,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        commit_count=row.commit_count,
        commits=commits,
    )


def _rolled_back_by(session: Session, ids: Sequence[int]) -> dict[int, int]:
    """deploy id -> the earliest rollback that undid it."""
    if not ids:
        return {}
    query = (
        select(Change.undoes_id, func.min(Change.id))
        .where(Change.undoes_id.in_(ids), Change.role == chain.Role.ROLLBACK.value)
        .group_by(Change.undoes_id)
    )
    return {undone: by for undone, by in session.execute(query).all() if undone is not None}


def get(session: Session, change_id: int) -> ChangeOut:
    row = session.get(Change, change_id)
    if row is None:
        raise NotFound(f"no change with id {change_id}", field="id")
    return out(session, row, with_commits=True)


def exists(session: Session, change_id: int) -> bool:
    return session.get(Change, change_id) is not None


def causing(session: Session, incident_id: int) -> list[ChangeOut]:
    """The changes that name `incident_id` as the incident they caused."""
    rows = session.scalars(select(Change).where(Change.caused_incident == incident_id))
    return [out(session, row) for row in rows]


def list_page(
    session: Session,
    *,
    services: Sequence[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[ChangeOut]:
    """Changes newest first, of some services and finished in [since, until)."""
    conditions: list[ColumnElement[bool]] = []
    if services is not None:
        conditions.append(Change.service.in_(services))
    if since is not None:
        conditions.append(Change.finished_at >= since)
    if until is not None:
        conditions.append(Change.finished_at < until)
    total = session.scalar(select(func.count()).select_from(Change).where(*conditions)) or 0
    rows = list(
        session.scalars(
            select(Change)
            .where(*conditions)
            .order_by(Change.finished_at.desc(), Change.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    undone_by = _rolled_back_by(session, [r.id for r in rows])
    items = [_out(r, undone_by.get(r.id)) for r in rows]
    return Page[ChangeOut](items=items, total=total, limit=limit, offset=offset)


def near(
    session: Session, service: str, since: datetime, until: datetime, limit: int = 200
) -> list[ChangeOut]:
    """Changes of a service and of the services it depends on directly, finished in
    [since, until), newest first: what the service page, the burn-down and an alert group
    show."""
    graph = catalog.dependency_graph(session)
    names = [service, *graph.get(service, [])]
    return list_page(session, services=names, since=since, until=until, limit=limit).items
