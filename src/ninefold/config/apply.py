"""`ninefold apply`: the plan (what the files would change) and its execution.

Objects carry `managed_by`: `config` when the files own them, `api` when they were made
through the API or UI. Apply creates and updates what the files declare (claiming an
API-made object of the same name), and deletes only objects it owns that the files dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.alerts import integrations
from ninefold.auth import audit
from ninefold.auth import service as auth_service
from ninefold.auth.model import Principal, require_admin
from ninefold.auth.tables import User
from ninefold.catalog import model as catalog_model
from ninefold.catalog import service as catalog_service
from ninefold.catalog.tables import Service, Team
from ninefold.config.loader import Bundle
from ninefold.conventions import MANAGED_BY_API, MANAGED_BY_CONFIG
from ninefold.oncall import service as schedules
from ninefold.paging import policies

Action = Literal["create", "update", "delete"]


@dataclass(frozen=True)
class StandaloneKind:
    """A kind whose objects refer to others only by name: written after the catalog, one by
    one, and deleted by removing the row."""

    section: str
    rows: Callable[[Session], list[Any]]
    spec_of: Callable[[Any], Any]
    # (session, spec, managed_by, now, row or None), and the position last for an ordered kind.
    write: Callable[..., Any]
    # Objects tried in the order written (routes): an object's place in the files is its
    # `position`, compared with the row's like a field, so a reorder is planned as an update.
    ordered: bool = False

    def current(self, row: Any) -> dict[str, Any]:
        fields: dict[str, Any] = self.spec_of(row).model_dump(mode="json")
        return fields | {"position": row.position} if self.ordered else fields

    def desired(self, specs: list[Any]) -> dict[str, dict[str, Any]]:
        return {
            spec.name: spec.model_dump(mode="json") | ({"position": i} if self.ordered else {})
            for i, spec in enumerate(specs)
        }

    def save(self, session: Session, spec: Any, row: Any, position: int, now: datetime) -> None:
        extra = [position] if self.ordered else []
        self.write(session, spec, MANAGED_BY_CONFIG, now, row, *extra)


STANDALONE = {
    "integration": StandaloneKind(
        "integrations", integrations.all_rows, integrations.spec_of, integrations.write
    ),
    "schedule": StandaloneKind("schedules", schedules.all_rows, schedules.spec_of, schedules.write),
    "escalation_policy": StandaloneKind(
        "escalation_policies", policies.policy_rows, policies.policy_spec, policies.write_policy
    ),
    "route": StandaloneKind(
        "routes", policies.route_rows, policies.route_spec, policies.write_route, ordered=True
    ),
}
KINDS = ("user", "team", "service", *STANDALONE)


@dataclass(frozen=True)
class Change:
    action: Action
    kind: str
    name: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    claim: bool = False

    def changed_fields(self) -> list[str]:
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))

    def describe(self) -> str:
        sign = {"create": "+", "update": "~", "delete": "-"}[self.action]
        text = f"{sign} {self.action} {self.kind} {self.name}"
        details = []
        for key in self.changed_fields() if self.action == "update" else []:
            old, new = (self.before or {}).get(key), (self.after or {}).get(key)
            simple = isinstance(old, (int, str)) and isinstance(new, (int, str))
            details.append(f"{key}: {old!r} -> {new!r}" if simple else key)
        if self.claim:
            details.append("taken over from the API")
        return text + (f" ({'; '.join(details)})" if details else "")


@dataclass(frozen=True)
class Plan:
    changes: list[Change]

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action == action)

    def summary(self) -> str:
        if not self.changes:
            return "No changes: the database matches the configuration."
        return (
            f"Plan: {self.count('create')} to create, {self.count('update')} to update, "
            f"{self.count('delete')} to delete."
        )


def _current(session: Session) -> dict[str, dict[str, tuple[dict[str, Any], str]]]:
    names = dict(session.execute(select(Service.id, Service.name)).all())
    standalone = {
        name: {row.name: (kind.current(row), row.managed_by) for row in kind.rows(session)}
        for name, kind in STANDALONE.items()
    }
    return standalone | {
        "user": {
            u.name: (auth_service.user_spec(u).model_dump(mode="json"), u.managed_by)
            for u in session.scalars(select(User))
        },
        "team": {
            t.name: (catalog_service.team_spec(t).model_dump(mode="json"), t.managed_by)
            for t in session.scalars(select(Team))
        },
        "service": {
            s.name: (catalog_service.service_spec(s, names).model_dump(mode="json"), s.managed_by)
            for s in session.scalars(select(Service))
        },
    }


def _desired(bundle: Bundle) -> dict[str, dict[str, dict[str, Any]]]:
    catalog = {
        kind: {spec.name: spec.model_dump(mode="json") for spec in bundle.specs(section)}
        for kind, section in (("user", "users"), ("team", "teams"), ("service", "services"))
    }
    return catalog | {
        name: kind.desired(bundle.specs(kind.section)) for name, kind in STANDALONE.items()
    }


def make_plan(session: Session, bundle: Bundle) -> Plan:
    current, desired = _current(session), _desired(bundle)
    changes: list[Change] = []
    for kind in KINDS:
        for name in sorted(desired[kind]):
            after = desired[kind][name]
            if name not in current[kind]:
                changes.append(Change("create", kind, name, None, after))
                continue
            before, owner = current[kind][name]
            if before != after or owner != MANAGED_BY_CONFIG:
                changes.append(
                    Change("update", kind, name, before, after, claim=owner != MANAGED_BY_CONFIG)
                )
        for name in sorted(current[kind]):
            before, owner = current[kind][name]
            if owner == MANAGED_BY_CONFIG and name not in desired[kind]:
                changes.append(Change("delete", kind, name, before, None))
    return Plan(changes)


def execute(session: Session, actor: Principal, plan: Plan, bundle: Bundle, now: datetime) -> None:
    """Carry out a plan in the caller's transaction; any failure leaves the database as it was.

    Order matters: users and teams refer to each other (members, scopes), services to teams
    and to each other, so new teams come first without members, services follow in
    dependency order, then the standalone kinds (routes with their place in the files as
    their position), and deletions run last, dependents before what they depend on.
    """
    require_admin(actor, "apply configuration")
    wanted = {
        kind: {c.name for c in plan.changes if c.kind == kind and c.action != "delete"}
        for kind in KINDS
    }
    teams = {spec.name: spec for spec in bundle.specs("teams")}
    services = {spec.name: spec for spec in bundle.specs("services")}

    for name in sorted(wanted["team"]):
        if session.scalar(select(Team.id).where(Team.name == name)) is None:
            bare = teams[name].model_copy(update={"members": []})
            catalog_service.write_team(session, bare, MANAGED_BY_CONFIG, now)
    for spec in bundle.specs("users"):
        if spec.name in wanted["user"]:
            user = session.scalar(select(User).where(User.name == spec.name))
            auth_service.write_user(session, spec, MANAGED_BY_CONFIG, now, user)
    for name in sorted(wanted["team"]):
        team = catalog_service.get_team_row(session, name)
        catalog_service.write_team(session, teams[name], MANAGED_BY_CONFIG, now, team)
    graph = {name: spec.depends_on for name, spec in services.items()}
    for name in catalog_model.topological_order(graph):
        if name in wanted["service"]:
            service = session.scalar(select(Service).where(Service.name == name))
            catalog_service.write_service(session, services[name], MANAGED_BY_CONFIG, now, service)
    for kind_name, kind in STANDALONE.items():
        rows = {row.name: row for row in kind.rows(session)}
        for position, spec in enumerate(bundle.specs(kind.section)):
            if spec.name in wanted[kind_name]:
                kind.save(session, spec, rows.get(spec.name), position, now)
    _delete(session, plan)
    for change in plan.changes:
        before, after = change.before, change.after
        if change.claim:
            # Taking an object over is a change even when none of its fields moves.
            before = {**(before or {}), "managed_by": MANAGED_BY_API}
            after = {**(after or {}), "managed_by": MANAGED_BY_CONFIG}
        audit.record(session, actor, now, change.action, change.kind, change.name, before, after)


def _delete(session: Session, plan: Plan) -> None:
    doomed = {
        kind: [c.name for c in plan.changes if c.kind == kind and c.action == "delete"]
        for kind in KINDS
    }
    for kind_name, kind in STANDALONE.items():
        for row in kind.rows(session):
            if row.name in doomed[kind_name]:
                session.delete(row)
    for name in doomed["service"]:
        service = catalog_service.get_service_row(session, name)
        catalog_service.ensure_service_unneeded(session, service, going=set(doomed["service"]))
        session.delete(service)
    session.flush()
    for name in doomed["team"]:
        row = catalog_service.get_team_row(session, name)
        catalog_service.ensure_team_owns_nothing(session, row)
        session.delete(row)
    for name in doomed["user"]:
        session.delete(auth_service.get_user_row(session, name))
    session.flush()
