"""Checks across objects in configuration files: the service an integration names."""

from __future__ import annotations

from ninefold.declared import Bundle, dangling_one
from ninefold.sourcefile import Problem


def cross_check(bundle: Bundle, known: dict[str, set[str]]) -> list[Problem]:
    problems: list[Problem] = []
    for item in bundle.items["integrations"]:
        problems += dangling_one(item, "service", item.spec.service, known["services"], "service")
    return problems
