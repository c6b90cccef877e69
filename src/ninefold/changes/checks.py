"""Checks across objects in configuration files: the teams and services that change
integrations and freezes name."""

from __future__ import annotations

from ninefold.declared import Bundle, dangling, dangling_one
from ninefold.sourcefile import Problem


def cross_check(bundle: Bundle, known: dict[str, set[str]]) -> list[Problem]:
    problems: list[Problem] = []
    for item in bundle.items["change_integrations"]:
        problems += dangling_one(item, "service", item.spec.service, known["services"], "service")
    for item in bundle.items["freezes"]:
        problems += dangling(item, ("teams",), item.spec.teams, known["teams"], "team")
        problems += dangling(item, ("services",), item.spec.services, known["services"], "service")
    return problems
