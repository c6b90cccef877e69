"""Checks across objects in configuration files: the services a budget policy names."""

from __future__ import annotations

from ninefold.declared import Bundle, dangling
from ninefold.sourcefile import Problem


def cross_check(bundle: Bundle, known: dict[str, set[str]]) -> list[Problem]:
    problems: list[Problem] = []
    for item in bundle.items["budget_policies"]:
        problems += dangling(item, ("services",), item.spec.services, known["services"], "service")
    return problems
