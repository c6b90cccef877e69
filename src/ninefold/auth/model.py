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
    ADMIN = "admin"
    RESPONDER = "responder"
    VIEWER = "viewer"


ROLE_RANK = {Role.VIEWER: 0, Role.RESPONDER: 1, Role.ADMIN: 2}


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
    and only objects whose owning teams all lie in their scope when scoped. Viewers change
    nothing. An update that moves a service from team A to team B names both teams.
    """
    if principal.role is Role.ADMIN:
        return True
    if principal.role is Role.VIEWER:
        return False
    if not principal.scope:
        return True
    return set(teams) <= principal.scope


def require_change(principal: Principal, kind: str, name: str, teams: Iterable[str]) -> None:
    teams = sorted(set(teams))
    if may_change(principal, teams):
        return
    if principal.role is Role.VIEWER:
        raise Forbidden(f"role viewer cannot change {kind} {name!r}")
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
    return principal.role is not Role.VIEWER


def require_responder(principal: Principal, action: str) -> None:
    if not may_respond(principal):
        raise Forbidden(f"role viewer cannot {action}")
