"""Checks across objects in configuration files: the services, teams and severities that
declare rules and stakeholders name."""

from __future__ import annotations

from ninefold.declared import Bundle, dangling, dangling_one
from ninefold.incidents.schemas import DEFAULT_SEVERITIES
from ninefold.sourcefile import Problem


def cross_check(bundle: Bundle, known: dict[str, set[str]]) -> list[Problem]:
    problems: list[Problem] = []
    severities = {str(s.name) for s in bundle.specs("severities")} or {
        str(s.name) for s in DEFAULT_SEVERITIES
    }
    for item in bundle.items["declare_rules"]:
        problems += dangling(
            item, ("when", "services"), item.spec.when.services, known["services"], "service"
        )
        problems += dangling_one(item, "severity", str(item.spec.severity), severities, "severity")
    for item in bundle.items["stakeholders"]:
        problems += dangling(item, ("services",), item.spec.services, known["services"], "service")
        problems += dangling(item, ("teams",), item.spec.teams, known["teams"], "team")
    return problems
