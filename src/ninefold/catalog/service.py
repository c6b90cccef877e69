"""Use cases of the catalog: teams, services and dependency queries.

Callers own the transaction; every change writes its audit entry in the same session.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ninefold.auth import audit
from ninefold.auth.model import Principal, require_admin, require_change
from ninefold.auth.service import users_by_name
from ninefold.catalog import model
from ninefold.catalog.schemas import (
    DependencyEdge,
    DependencyReport,
    ServiceOut,
    ServiceSpec,
    ServiceUpdate,
    TeamOut,
    TeamSpec,
    TeamUpdate,
)
from ninefold.catalog.tables import Service, ServiceDependency, Team, TeamMember
from ninefold.conventions import MANAGED_BY_API
from ninefold.errors import Conflict, Invalid, NotFound
from ninefold.pagination import MAX_LIMIT, Page, every
from ninefold.spec import patched

if TYPE_CHECKING:
    from ninefold.auth.tables import User


# --- reading ----------------------------------------------------------------------------


def team_spec(team: Team) -> TeamSpec:
    return TeamSpec(
        name=team.name,
        display_name=team.display_name,
        description=team.description,
        chat_channel=team.chat_channel,
        members=sorted(m.user.name for m in team.members),
        time_zone=team.time_zone,
        holidays=[date.fromisoformat(day) for day in team.holidays],
    )


def team_out(team: Team) -> TeamOut:
    return TeamOut(**_fields(team_spec(team)), **_provenance(team))


def service_spec(service: Service) -> ServiceSpec:
    return ServiceSpec(
        name=service.name,
        display_name=service.display_name,
        description=service.description,
        tier=service.tier,
        owner=service.owner.name,
        lifecycle=service.lifecycle,
        depends_on=sorted(d.depends_on.name for d in service.dependencies),
        repository=service.repository,
        runbooks=service.runbooks,
        dashboards=service.dashboards,
        labels=service.labels,
    )


def _fields(spec: TeamSpec | ServiceSpec) -> dict[str, Any]:
    return {name: getattr(spec, name) for name in type(spec).model_fields}


def _provenance(row: Team | Service) -> dict[str, Any]:
    return {
        "managed_by": row.managed_by,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def _service_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Service.id, Service.name)).all())


def service_out(service: Service) -> ServiceOut:
    spec = service_spec(service)
    return ServiceOut(**_fields(spec), **_provenance(service))


def find_team(session: Session, name: str) -> Team | None:
    return session.scalar(select(Team).where(Team.name == name))


def find_service(session: Session, name: str) -> Service | None:
    return session.scalar(select(Service).where(Service.name == name))


def service_links(session: Session, name: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """A service's runbooks and dashboards (none for no such service): two columns, not the
    service with all it relates to, for every page's message in a storm."""
    row = session.execute(
        select(Service.runbooks, Service.dashboards).where(Service.name == name)
    ).first()
    return (list(row.runbooks), list(row.dashboards)) if row else ([], [])


def owning_team(session: Session, name: str) -> str | None:
    """The team owning a service, None for no such service: one small query, for callers
    that need no more (recording a change, thousands a minute)."""
    query = select(Team.name).join(Service, Service.owner_team_id == Team.id)
    return session.scalar(query.where(Service.name == name))


def service_labels(session: Session) -> dict[str, dict[str, str]]:
    """Every service's labels by its name."""
    rows = session.execute(select(Service.name, Service.labels)).all()
    return {row.name: row.labels for row in rows}


def get_team_row(session: Session, name: str) -> Team:
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        raise NotFound(f"no team named {name!r}", field="team")
    return team


def get_service_row(session: Session, name: str) -> Service:
    service = session.scalar(select(Service).where(Service.name == name))
    if service is None:
        raise NotFound(f"no service named {name!r}", field="service")
    return service


def list_teams(session: Session, *, limit: int = 50, offset: int = 0) -> Page[TeamOut]:
    total = session.scalar(select(func.count()).select_from(Team)) or 0
    rows = session.scalars(select(Team).order_by(Team.name).limit(limit).offset(offset))
    return Page[TeamOut](items=[team_out(t) for t in rows], total=total, limit=limit, offset=offset)


def list_services(
    session: Session,
    *,
    team: str | None = None,
    tier: int | None = None,
    lifecycle: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[ServiceOut]:
    query = select(Service)
    if team is not None:
        query = query.join(Service.owner).where(Team.name == team)
    if tier is not None:
        query = query.where(Service.tier == tier)
    if lifecycle is not None:
        query = query.where(Service.lifecycle == lifecycle)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Service.tier, Service.name).limit(limit).offset(offset))
    items = [ServiceOut(**_fields(service_spec(s)), **_provenance(s)) for s in rows]
    return Page[ServiceOut](items=items, total=total, limit=limit, offset=offset)


def all_teams(session: Session) -> list[TeamOut]:
    """Every team, however many: a page shows all of them, page after page of the listing."""
    return every(lambda offset: list_teams(session, limit=MAX_LIMIT, offset=offset))


def all_services(session: Session, team: str | None = None) -> list[ServiceOut]:
    return every(lambda offset: list_services(session, team=team, limit=MAX_LIMIT, offset=offset))


def dependency_graph(session: Session) -> dict[str, list[str]]:
    names = _service_names(session)
    graph: dict[str, list[str]] = {name: [] for name in names.values()}
    for service_id, dep_id in session.execute(
        select(ServiceDependency.service_id, ServiceDependency.depends_on_id)
    ):
        graph[names[service_id]].append(names[dep_id])
    return graph


def dependencies(session: Session, name: str) -> DependencyReport:
    get_service_row(session, name)
    graph = dependency_graph(session)
    info = {s.name: (s.tier, s.owner.name) for s in session.scalars(select(Service))}

    def edges(depths: dict[str, int]) -> list[DependencyEdge]:
        return [
            DependencyEdge(name=n, tier=info[n][0], owner=info[n][1], depth=d)
            for n, d in sorted(depths.items(), key=lambda item: (item[1], item[0]))
        ]

    return DependencyReport(
        service=name,
        depends_on=edges(model.reachable(graph, name)),
        dependents=edges(model.reachable(model.reverse(graph), name)),
    )


# --- writing rows (shared by the API and `ninefold apply`) ------------------------------


def write_team(
    session: Session, spec: TeamSpec, managed_by: str, now: datetime, row: Team | None = None
) -> Team:
    users = _users(session, spec.members)
    if row is None:
        row = Team(name=spec.name)
        session.add(row)
    row.display_name = spec.display_name
    row.description = spec.description
    row.chat_channel = spec.chat_channel
    row.time_zone = spec.time_zone
    row.holidays = [day.isoformat() for day in spec.holidays]
    row.managed_by = managed_by
    row.members = [TeamMember(user=users[n]) for n in sorted(set(spec.members))]
    row.touch(now)
    session.flush()
    return row


def write_service(
    session: Session,
    spec: ServiceSpec,
    managed_by: str,
    now: datetime,
    row: Service | None = None,
) -> Service:
    if spec.name in spec.depends_on:
        raise Invalid(f"service {spec.name!r} cannot depend on itself", field="depends_on")
    owner = session.scalar(select(Team).where(Team.name == spec.owner))
    if owner is None:
        raise Invalid(f"no team named {spec.owner!r}", field="owner")
    deps = _services(session, spec.depends_on)
    if row is None:
        row = Service(name=spec.name)
        session.add(row)
    row.display_name = spec.display_name
    row.description = spec.description
    row.tier = spec.tier
    row.owner = owner
    row.lifecycle = spec.lifecycle
    row.repository = spec.repository
    row.runbooks = [link.model_dump() for link in spec.runbooks]
    row.dashboards = [link.model_dump() for link in spec.dashboards]
    row.labels = dict(sorted(spec.labels.items()))
    row.managed_by = managed_by
    row.touch(now)
    session.flush()
    row.dependencies = [
        ServiceDependency(service_id=row.id, depends_on=deps[n])
        for n in sorted(set(spec.depends_on))
    ]
    session.flush()
    cycles = model.find_cycles(dependency_graph(session))
    if cycles:
        raise Invalid(
            "dependency cycle: " + "; ".join(" -> ".join(c) for c in cycles), field="depends_on"
        )
    return row


def _users(session: Session, names: list[str]) -> dict[str, User]:
    """The members by name; every one must exist."""
    found = users_by_name(session, names)
    _all_found(names, found, "user", "members")
    return found


def _services(session: Session, names: list[str]) -> dict[str, Service]:
    """The dependencies by name; every one must exist."""
    query = select(Service).where(Service.name.in_(names))
    found = {row.name: row for row in session.scalars(query)}
    _all_found(names, found, "service", "depends_on")
    return found


def _all_found(names: list[str], found: dict[str, Any], kind: str, field: str) -> None:
    """Every name must have been found, else one error naming all that are missing."""
    missing = sorted(set(names) - set(found))
    if missing:
        raise Invalid(f"no such {kind}: {', '.join(map(repr, missing))}", field=field)


# --- use cases ---------------------------------------------------------------------------


def create_team(session: Session, actor: Principal, spec: TeamSpec, now: datetime) -> TeamOut:
    require_admin(actor, "create teams")
    if session.scalar(select(Team.id).where(Team.name == spec.name)) is not None:
        raise Conflict(f"a team named {spec.name!r} already exists", field="name")
    out = team_out(write_team(session, spec, MANAGED_BY_API, now))
    audit.record(session, actor, now, "create", "team", spec.name, None, _view(out))
    return out


def update_team(
    session: Session, actor: Principal, name: str, changes: TeamUpdate, now: datetime
) -> TeamOut:
    row = get_team_row(session, name)
    require_change(actor, "team", name, [name])
    before = team_spec(row)
    spec = patched(before, changes)
    out = team_out(write_team(session, spec, row.managed_by, now, row))
    audit.record(session, actor, now, "update", "team", name, _view(before), _view(out))
    return out


def delete_team(session: Session, actor: Principal, name: str, now: datetime) -> None:
    require_admin(actor, "delete teams")
    row = get_team_row(session, name)
    ensure_team_owns_nothing(session, row)
    before = _view(team_spec(row))
    session.delete(row)
    session.flush()
    audit.record(session, actor, now, "delete", "team", name, before, None)


def ensure_team_owns_nothing(session: Session, team: Team) -> None:
    owned = sorted(session.scalars(select(Service.name).where(Service.owner_team_id == team.id)))
    if owned:
        raise Conflict(
            f"team {team.name!r} still owns services {', '.join(owned)}; "
            "move them to another team or delete them first"
        )


def create_service(
    session: Session, actor: Principal, spec: ServiceSpec, now: datetime
) -> ServiceOut:
    require_change(actor, "service", spec.name, [spec.owner])
    if session.scalar(select(Service.id).where(Service.name == spec.name)) is not None:
        raise Conflict(f"a service named {spec.name!r} already exists", field="name")
    out = service_out(write_service(session, spec, MANAGED_BY_API, now))
    audit.record(session, actor, now, "create", "service", spec.name, None, _view(out))
    return out


def update_service(
    session: Session, actor: Principal, name: str, changes: ServiceUpdate, now: datetime
) -> ServiceOut:
    row = get_service_row(session, name)
    before = service_spec(row)
    require_change(actor, "service", name, {before.owner, changes.owner or before.owner})
    spec = patched(before, changes)
    out = service_out(write_service(session, spec, row.managed_by, now, row))
    audit.record(session, actor, now, "update", "service", name, _view(before), _view(out))
    return out


def delete_service(session: Session, actor: Principal, name: str, now: datetime) -> None:
    row = get_service_row(session, name)
    before = service_spec(row)
    require_change(actor, "service", name, [before.owner])
    ensure_service_unneeded(session, row, going=set())
    session.delete(row)
    session.flush()
    audit.record(session, actor, now, "delete", "service", name, _view(before), None)


def ensure_service_unneeded(session: Session, service: Service, going: set[str]) -> None:
    """Refuse to delete a service that others (not deleted with it) still depend on.

    Deleting it would silently drop those dependency edges; the user should see them first.
    """
    needers = sorted(
        set(
            session.scalars(
                select(Service.name)
                .join(ServiceDependency, ServiceDependency.service_id == Service.id)
                .where(ServiceDependency.depends_on_id == service.id)
            )
        )
        - going
    )
    if needers:
        raise Conflict(
            f"service {service.name!r} is still needed by {', '.join(needers)}; "
            "remove it from their depends_on first"
        )


def _view(obj: TeamSpec | ServiceSpec) -> dict[str, Any]:
    """What the audit log keeps of an object: its spec, without timestamps."""
    spec_type = ServiceSpec if isinstance(obj, ServiceSpec) else TeamSpec
    return obj.model_dump(mode="json", include=set(spec_type.model_fields))
