"""Roles and who may change what: pure rules, no database.

A principal is whoever makes a request: a user through the web UI, an API token, or an
operator running the CLI on the server. Its role caps what it may do; a non-empty scope
limits changes to the objects of those teams.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from ninefold.errors import Forbidden


class Role(StrEnum):
    """`deployer` is for CI: it reads like a viewer and records changes of its scope's
    services, nothing else (see docs/changes.md)."""

    ADMIN = "admin"
    RESPONDER = "responder"
    DEPLOYER = "deployer"
    VIEWER = "viewer"


ROLE_RANK = {Role.VIEWER: 0, Role.DEPLOYER: 1, Role.RESPONDER: 2, Role.ADMIN: 3}
RESPONDING_ROLES = frozenset({Role.RESPONDER, Role.ADMIN})


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role
    via: str
    scope: frozenset[str] = field(default_factory=frozenset)
    csrf_token: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def role_within(requested: Role, ceiling: Role) -> bool:
    """A token may carry its user's role or a lesser one, never more."""
    return ROLE_RANK[requested] <= ROLE_RANK[ceiling]


def may_change(principal: Principal, teams: Iterable[str]) -> bool:
    """Whether the principal may change an object owned by all of `teams`.

    Admins may change anything. Responders may change objects of every team when unscoped,
    and only objects whose owning teams all lie in their scope when scoped. Viewers and
    deployers change nothing. An update that moves a service from team A to team B names
    both teams.
    """
    if principal.role is Role.ADMIN:
        return True
    if principal.role is not Role.RESPONDER:
        return False
    return _within_scope(principal, teams)


def _within_scope(principal: Principal, teams: Iterable[str]) -> bool:
    return not principal.scope or set(teams) <= principal.scope


def require_change(principal: Principal, kind: str, name: str, teams: Iterable[str]) -> None:
    teams = sorted(set(teams))
    if may_change(principal, teams):
        return
    if principal.role not in RESPONDING_ROLES:
        raise Forbidden(f"role {principal.role} cannot change {kind} {name!r}")
    raise Forbidden(
        f"{principal.name} may change objects of teams {sorted(principal.scope)} only; "
        f"{kind} {name!r} belongs to {teams}"
    )


def require_admin(principal: Principal, action: str) -> None:
    if not principal.is_admin:
        raise Forbidden(f"only an admin may {action}; {principal.name} is {principal.role}")


def may_respond(principal: Principal) -> bool:
    """Acting on alerts (acknowledge, resolve, snooze, reassign) is for responders and admins;
    team scopes do not narrow it, since whoever is paged must be able to act."""
    return principal.role in RESPONDING_ROLES


def require_responder(principal: Principal, action: str) -> None:
    if not may_respond(principal):
        raise Forbidden(f"role {principal.role} cannot {action}")


def require_recorder(principal: Principal, service: str, team: str) -> None:
    """Recording a change of a service: admins anywhere; responders and deployers for the
    services of their scope's teams (every team when unscoped); viewers never."""
    if principal.role is Role.ADMIN:
        return
    if principal.role is Role.VIEWER:
        raise Forbidden(f"role viewer cannot record changes; {principal.name} is a viewer")
    if not _within_scope(principal, [team]):
        raise Forbidden(
            f"{principal.name} may record changes of the services of teams "
            f"{sorted(principal.scope)} only; service {service!r} belongs to {team!r}"
        )
