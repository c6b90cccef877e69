"""Checks across objects in configuration files: an escalation policy's steps and its `then`
must name what exists, without a cycle; a route must name its policy and service, and
exactly one route must take the alerts no other matches."""

from __future__ import annotations

from ninefold.auth.schemas import UserSpec
from ninefold.catalog.model import find_cycles
from ninefold.declared import (
    Bundle,
    Item,
    at,
    cycle_problems,
    dangling,
    dangling_one,
    reference_graph,
    written_at,
)
from ninefold.oncall.checks import paged_in_vain
from ninefold.sourcefile import Problem

NO_DEFAULT = (
    "no default route: alerts no route matches would page nobody; add a route with default: true"
)


def cross_check(bundle: Bundle, known: dict[str, set[str]]) -> list[Problem]:
    users = {item.spec.name: item.spec for item in bundle.items["users"]}
    problems: list[Problem] = []
    policies = bundle.items["escalation_policies"]
    for item in policies:
        problems += _policy(item, known, users)
    then = reference_graph(policies, lambda spec: [spec.then] if spec.then else [])
    problems += cycle_problems(policies, "then", find_cycles(then), "cycle through `then`")
    return problems + _routes(bundle, known)


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
            where = written_at(item, (*loc, "users"), person)
            problems += paged_in_vain(item, where, users.get(person), "in policy", spec.name)
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
