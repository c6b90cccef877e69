"""The checks across objects of the `automations:` section: the team each names."""

from __future__ import annotations

from ninefold.declared import Bundle, dangling_one
from ninefold.sourcefile import Problem


def cross_check(bundle: Bundle, known: dict[str, set[str]]) -> list[Problem]:
    problems: list[Problem] = []
    for item in bundle.items["automations"]:
        problems += dangling_one(item, "team", item.spec.team, known["teams"], "team")
    return problems
