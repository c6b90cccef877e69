"""Checks across the paging objects: schedules, escalation policies and routes.

The people in a rotation or a step must exist and be reachable; a policy's steps and its
`then` must name what exists, without a cycle; a route must name its policy and service, and
exactly one route must take the alerts no other matches.
"""

from __future__ import annotations

from ninefold.auth.schemas import UserSpec
from ninefold.config.crossref import at, cycles, dangling, dangling_one, written_at
from ninefold.config.loader import Bundle, Item
from ninefold.sourcefile import Problem

NO_DEFAULT = (
    "no default route: alerts no route matches would page nobody; add a route with default: true"
)


def cross_check(bundle: Bundle, known: dict[str, set[str]]) -> list[Problem]:
    users = {item.spec.name: item.spec for item in bundle.items["users"]}
    problems: list[Problem] = []
    for item in bundle.items["schedules"]:
        problems += _schedule(item, known, users)
    for item in bundle.items["escalation_policies"]:
        problems += _policy(item, known, users)
    problems += cycles(
        bundle.items["escalation_policies"],
        "then",
        lambda spec: [spec.then] if spec.then else [],
        "cycle through `then`",
    )
    problems += _routes(bundle, known)
    return problems


def _schedule(item: Item, known: dict[str, set[str]], users: dict[str, UserSpec]) -> list[Problem]:
    spec = item.spec
    problems = dangling_one(item, "team", spec.team, known["teams"], "team")
    reported: set[str] = set()
    for i, layer in enumerate(spec.layers):
        loc = ("layers", i, "participants")
        problems += dangling(item, loc, layer.participants, known["users"], "user")
        for j, person in enumerate(layer.participants):
            if person not in reported and _unreachable(users.get(person)):
                reported.add(person)
                problems.append(at(item, (*loc, j), _no_contact(person, "on schedule", spec.name)))
    return problems


def _policy(item: Item, known: dict[str, set[str]], users: dict[str, UserSpec]) -> list[Problem]:
    spec = item.spec
    problems: list[Problem] = []
    for i, step in enumerate(spec.steps):
        loc = ("steps", i)
        problems += dangling(item, (*loc, "users"), step.users, known["users"], "user")
        problems += dangling(
            item, (*loc, "schedules"), step.schedules, known["schedules"], "schedule"
        )
        problems += dangling(item, (*loc, "teams"), step.teams, known["teams"], "team")
        for person in step.users:
            if _unreachable(users.get(person)):
                where = written_at(item, (*loc, "users"), person)
                problems.append(at(item, where, _no_contact(person, "in policy", spec.name)))
    problems += dangling_one(
        item, "then", spec.then, known["escalation_policies"], "escalation policy"
    )
    return problems


def _routes(bundle: Bundle, known: dict[str, set[str]]) -> list[Problem]:
    items = bundle.items["routes"]
    problems: list[Problem] = []
    default: Item | None = None
    for item in items:
        spec = item.spec
        problems += dangling_one(
            item, "policy", spec.policy, known["escalation_policies"], "escalation policy"
        )
        problems += dangling_one(item, "service", spec.service, known["services"], "service")
        if spec.default and default is None:
            default = item
        elif spec.default and default is not None:
            first = default.source
            problems.append(
                at(
                    item,
                    ("default",),
                    f"only one route may be the default; {default.spec.name!r} already is "
                    f"({first.file}:{first.line})",
                )
            )
    # A default route that failed validation has its own problem; do not add this one to it.
    if items and default is None and not bundle.invalid_names["routes"]:
        problems.append(at(items[0], (), NO_DEFAULT))
    return problems


def _unreachable(user: UserSpec | None) -> bool:
    """A declared user with neither contact methods nor an email (unknown users are reported
    as such, not here)."""
    return user is not None and not user.effective_contact_methods()


def _no_contact(person: str, where: str, name: str) -> str:
    return (
        f"user {person!r} is {where} {name!r} but has no contact method "
        "(add contact_methods or an email)"
    )
