"""Escalation policies and routes in the database, written from their specs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.errors import NotFound
from ninefold.paging.schemas import EscalationPolicySpec, FoldSpec, RouteSpec, StepSpec
from ninefold.paging.tables import EscalationPolicy, Route


def policy_rows(session: Session) -> list[EscalationPolicy]:
    return list(session.scalars(select(EscalationPolicy).order_by(EscalationPolicy.name)))


def find_policy(session: Session, name: str) -> EscalationPolicy | None:
    return session.scalar(select(EscalationPolicy).where(EscalationPolicy.name == name))


def get_policy(session: Session, name: str) -> EscalationPolicy:
    row = find_policy(session, name)
    if row is None:
        raise NotFound(f"no escalation policy named {name!r}", field="policy")
    return row


def policy_spec(row: EscalationPolicy) -> EscalationPolicySpec:
    return EscalationPolicySpec(
        name=row.name,
        description=row.description,
        steps=[StepSpec.model_validate(step) for step in row.steps],
        repeat=row.repeat,
        then=row.then,
    )


def write_policy(
    session: Session,
    spec: EscalationPolicySpec,
    managed_by: str,
    now: datetime,
    row: EscalationPolicy | None,
) -> EscalationPolicy:
    if row is None:
        row = EscalationPolicy(name=spec.name)
        session.add(row)
    row.description = spec.description
    row.steps = [step.model_dump(mode="json") for step in spec.steps]
    row.repeat = spec.repeat
    row.then = spec.then
    row.managed_by = managed_by
    row.touch(now)
    session.flush()
    return row


def route_rows(session: Session) -> list[Route]:
    """In the order they are tried."""
    return list(session.scalars(select(Route).order_by(Route.position, Route.name)))


def route_spec(row: Route) -> RouteSpec:
    return RouteSpec(
        name=row.name,
        match=list(row.matchers),
        policy=row.policy,
        service=row.service,
        default=row.is_default,
        fold=FoldSpec.model_validate(row.fold) if row.fold else None,
    )


def lock_route(session: Session, name: str) -> Route | None:
    """The route, locked until the transaction ends: what two workers decide about one
    route's storm at the same moment, they decide one after the other."""
    return session.scalar(select(Route).where(Route.name == name).with_for_update())


def write_route(
    session: Session,
    spec: RouteSpec,
    managed_by: str,
    now: datetime,
    row: Route | None,
    position: int,
) -> Route:
    if row is None:
        row = Route(name=spec.name)
        session.add(row)
    row.position = position
    row.matchers = list(spec.match)
    row.policy = spec.policy
    row.service = spec.service
    row.is_default = spec.default
    row.fold = spec.fold.model_dump() if spec.fold else None
    row.managed_by = managed_by
    row.touch(now)
    session.flush()
    return row
