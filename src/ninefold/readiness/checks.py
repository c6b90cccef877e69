"""The checks across the `readiness_levels:` section: a rule belongs to one level."""

from __future__ import annotations

from ninefold.declared import Bundle, at
from ninefold.sourcefile import Problem


def cross_check(bundle: Bundle, _known: dict[str, set[str]]) -> list[Problem]:
    first: dict[str, str] = {}
    problems: list[Problem] = []
    for item in bundle.items["readiness_levels"]:
        for index, rule in enumerate(item.spec.rules):
            if rule in first:
                message = f"rule {rule!r} is in level {first[rule]!r} already"
                problems.append(at(item, ("rules", index), message))
            else:
                first[rule] = item.spec.name
    return problems
