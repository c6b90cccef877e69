"""Checks across objects in configuration files: a KPI target names a KPI that exists; a
report delivery names teams, schedules and people that exist."""

from __future__ import annotations

from ninefold.declared import Bundle, at, dangling, dangling_one
from ninefold.reports.catalogue import BY_KEY
from ninefold.sourcefile import Problem


def cross_check(bundle: Bundle, known: dict[str, set[str]]) -> list[Problem]:
    problems = [
        at(item, ("name",), f"no KPI named {item.spec.name!r}; KPIs: {', '.join(BY_KEY)}")
        for item in bundle.items["kpi_targets"]
        if item.spec.name not in BY_KEY
    ]
    people = known["users"] | known["teams"]
    for item in bundle.items["report_deliveries"]:
        problems += dangling_one(item, "team", item.spec.team, known["teams"], "team")
        problems += dangling(
            item, ("schedules",), item.spec.schedules, known["schedules"], "schedule"
        )
        problems += dangling(item, ("to",), item.spec.to, people, "user or team")
    return problems
