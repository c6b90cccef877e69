"""Checks across objects in configuration files: a schedule's team, and the people of its
rotations and their shadows, who must exist and be reachable."""

from __future__ import annotations

from dataclasses import replace

from ninefold.auth.model import RESPONDING_ROLES
from ninefold.auth.schemas import UserSpec
from ninefold.declared import Bundle, Item, at, dangling, dangling_one
from ninefold.sourcefile import Problem


def cross_check(bundle: Bundle, known: dict[str, set[str]]) -> list[Problem]:
    users = {item.spec.name: item.spec for item in bundle.items["users"]}
    problems: list[Problem] = []
    for item in bundle.items["schedules"]:
        problems += _schedule(item, known, users)
    return problems


def _schedule(item: Item, known: dict[str, set[str]], users: dict[str, UserSpec]) -> list[Problem]:
    spec = item.spec
    problems = dangling_one(item, "team", spec.team, known["teams"], "team")
    reported: set[str] = set()
    for i, layer in enumerate(spec.layers):
        loc = ("layers", i, "participants")
        problems += dangling(item, loc, layer.participants, known["users"], "user")
        for j, person in enumerate(layer.participants):
            if person in reported:
                continue
            reported.add(person)
            problems += paged_in_vain(item, (*loc, j), users.get(person), "on schedule", spec.name)
        for j, shadow in enumerate(layer.shadows):
            where = ("layers", i, "shadows", j, "person")
            if shadow.person not in known["users"]:
                problems.append(at(item, where, f"no user named {shadow.person!r}"))
                continue
            if shadow.person not in reported:
                reported.add(shadow.person)
                user = users.get(shadow.person)
                problems += paged_in_vain(item, where, user, "a shadow on schedule", spec.name)
    return problems


def paged_in_vain(
    item: Item, loc: tuple[str | int, ...], user: UserSpec | None, where: str, name: str
) -> list[Problem]:
    """A person who would be paged and reached by nothing (an error), or reached but not
    allowed to acknowledge or resolve (a viewer: a warning, since watching a rotation is a
    choice some teams make)."""
    if user is None:
        return []
    if unreachable(user):
        return [at(item, loc, no_contact(user.name, where, name))]
    if user.role not in RESPONDING_ROLES:
        problem = at(
            item,
            loc,
            f"user {user.name!r} is {where} {name!r} but is a {user.role}: paged, they can neither "
            "acknowledge nor resolve (make them a responder)",
        )
        return [replace(problem, severity="warning")]
    return []


def unreachable(user: UserSpec | None) -> bool:
    """A declared user with neither contact methods nor an email (unknown users are reported
    as such, not here)."""
    return user is not None and not user.effective_contact_methods()


def no_contact(person: str, where: str, name: str) -> str:
    return (
        f"user {person!r} is {where} {name!r} but has no contact method "
        "(add contact_methods or an email)"
    )
