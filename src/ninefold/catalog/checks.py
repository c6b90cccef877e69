"""Checks across the catalog's objects in configuration files: the teams a user is scoped to,
a team's members, a service's owner and dependencies, and no dependency cycle."""

from __future__ import annotations

from ninefold.catalog.model import find_cycles
from ninefold.declared import Bundle, cycle_problems, dangling, dangling_one, reference_graph
from ninefold.sourcefile import Problem


def cross_check(bundle: Bundle, known: dict[str, set[str]]) -> list[Problem]:
    users, teams, services = known["users"], known["teams"], known["services"]
    problems: list[Problem] = []
    for item in bundle.items["users"]:
        problems += dangling(item, ("scope",), item.spec.scope, teams, "team")
    for item in bundle.items["teams"]:
        problems += dangling(item, ("members",), item.spec.members, users, "user")
    for item in bundle.items["services"]:
        problems += dangling_one(item, "owner", item.spec.owner, teams, "team")
        problems += dangling(item, ("depends_on",), item.spec.depends_on, services, "service")
    items = bundle.items["services"]
    found = find_cycles(reference_graph(items, lambda spec: spec.depends_on))
    return problems + cycle_problems(items, "depends_on", found, "dependency cycle")
