"""The checks across objects of the `risks:` section: the service and the owner each names."""

from __future__ import annotations

from ninefold.declared import Bundle, dangling_one
from ninefold.sourcefile import Problem


def cross_check(bundle: Bundle, known: dict[str, set[str]]) -> list[Problem]:
    problems: list[Problem] = []
    for item in bundle.items["risks"]:
        problems += dangling_one(item, "service", item.spec.service, known["services"], "service")
        problems += dangling_one(item, "owner", item.spec.owner, known["users"], "user")
    return problems
