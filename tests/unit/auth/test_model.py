"""Who may change what: roles, scopes and the role a token may carry."""

from __future__ import annotations

import pytest

from ninefold.auth.model import (
    Principal,
    Role,
    may_change,
    require_admin,
    require_change,
    role_within,
)
from ninefold.errors import Forbidden

ADMIN = Principal("ada", Role.ADMIN, "api")
SCOPED_ADMIN = Principal("sam", Role.ADMIN, "api", scope=frozenset({"payments"}))
RESPONDER = Principal("rui", Role.RESPONDER, "api")
PAYMENTS = Principal("priya", Role.RESPONDER, "web", scope=frozenset({"payments"}))
TWO_TEAMS = Principal("tom", Role.RESPONDER, "api", scope=frozenset({"payments", "platform"}))
VIEWER = Principal("vic", Role.VIEWER, "web")
SCOPED_VIEWER = Principal("val", Role.VIEWER, "web", scope=frozenset({"payments"}))

CHANGES = [
    pytest.param(ADMIN, ["payments"], True, id="an admin changes any team's objects"),
    pytest.param(ADMIN, ["payments", "storefront"], True, id="an admin moves services freely"),
    pytest.param(SCOPED_ADMIN, ["storefront"], True, id="a scope does not limit an admin"),
    pytest.param(RESPONDER, ["storefront"], True, id="an unscoped responder changes any team"),
    pytest.param(
        RESPONDER, ["payments", "storefront"], True, id="an unscoped responder moves services"
    ),
    pytest.param(PAYMENTS, ["payments"], True, id="a scoped responder changes their own team"),
    pytest.param(PAYMENTS, ["storefront"], False, id="a scoped responder leaves others alone"),
    pytest.param(
        PAYMENTS,
        ["payments", "storefront"],
        False,
        id="a scoped responder cannot move a service to another team",
    ),
    pytest.param(
        PAYMENTS,
        ["storefront", "payments"],
        False,
        id="nor take a service over from another team",
    ),
    pytest.param(
        TWO_TEAMS,
        ["payments", "platform"],
        True,
        id="a responder scoped to both teams moves a service between them",
    ),
    pytest.param(VIEWER, ["payments"], False, id="a viewer changes nothing"),
    pytest.param(SCOPED_VIEWER, ["payments"], False, id="a scope gives a viewer nothing"),
]


@pytest.mark.parametrize(("principal", "teams", "allowed"), CHANGES)
def test_may_change(principal: Principal, teams: list[str], allowed: bool) -> None:
    assert may_change(principal, teams) is allowed


@pytest.mark.parametrize(("principal", "teams", "allowed"), CHANGES)
def test_require_change_agrees_with_may_change(
    principal: Principal, teams: list[str], allowed: bool
) -> None:
    if allowed:
        require_change(principal, "service", "checkout", teams)
    else:
        with pytest.raises(Forbidden):
            require_change(principal, "service", "checkout", teams)


def test_teams_may_be_any_iterable_used_once() -> None:
    assert may_change(PAYMENTS, iter(["payments"]))
    require_change(PAYMENTS, "service", "checkout", (t for t in ["payments", "payments"]))
    with pytest.raises(Forbidden):
        require_change(PAYMENTS, "service", "checkout", (t for t in ["storefront"]))


@pytest.mark.parametrize(
    ("principal", "teams", "message"),
    [
        pytest.param(
            VIEWER,
            ["payments"],
            "role viewer cannot change service 'checkout'",
            id="a viewer is told their role is the reason",
        ),
        pytest.param(
            PAYMENTS,
            ["storefront"],
            "priya may change objects of teams ['payments'] only; "
            "service 'checkout' belongs to ['storefront']",
            id="a scoped responder is told their scope and the owner",
        ),
        pytest.param(
            PAYMENTS,
            ["storefront", "payments", "storefront"],
            "priya may change objects of teams ['payments'] only; "
            "service 'checkout' belongs to ['payments', 'storefront']",
            id="a move names both teams once, sorted",
        ),
    ],
)
def test_require_change_says_why(principal: Principal, teams: list[str], message: str) -> None:
    with pytest.raises(Forbidden) as raised:
        require_change(principal, "service", "checkout", teams)
    assert raised.value.message == message


@pytest.mark.parametrize(
    ("principal", "allowed"),
    [
        pytest.param(ADMIN, True, id="an admin is an admin"),
        pytest.param(SCOPED_ADMIN, True, id="a scoped admin is still an admin"),
        pytest.param(RESPONDER, False, id="a responder is not"),
        pytest.param(VIEWER, False, id="a viewer is not"),
    ],
)
def test_require_admin(principal: Principal, allowed: bool) -> None:
    assert principal.is_admin is allowed
    if allowed:
        require_admin(principal, "apply configuration")
    else:
        with pytest.raises(Forbidden) as raised:
            require_admin(principal, "apply configuration")
        assert raised.value.message == (
            f"only an admin may apply configuration; {principal.name} is {principal.role}"
        )


@pytest.mark.parametrize(
    ("requested", "ceiling", "allowed"),
    [
        pytest.param(Role.ADMIN, Role.ADMIN, True, id="an admin's token may be admin"),
        pytest.param(Role.RESPONDER, Role.ADMIN, True, id="an admin's token may be responder"),
        pytest.param(Role.VIEWER, Role.ADMIN, True, id="an admin's token may be viewer"),
        pytest.param(Role.ADMIN, Role.RESPONDER, False, id="a responder's token is never admin"),
        pytest.param(
            Role.RESPONDER, Role.RESPONDER, True, id="a responder's token may be responder"
        ),
        pytest.param(Role.VIEWER, Role.RESPONDER, True, id="a responder's token may be viewer"),
        pytest.param(Role.ADMIN, Role.VIEWER, False, id="a viewer's token is never admin"),
        pytest.param(Role.RESPONDER, Role.VIEWER, False, id="nor responder"),
        pytest.param(Role.VIEWER, Role.VIEWER, True, id="a viewer's token is a viewer"),
    ],
)
def test_role_within(requested: Role, ceiling: Role, allowed: bool) -> None:
    assert role_within(requested, ceiling) is allowed
