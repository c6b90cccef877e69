"""Checks across objects in configuration files: a KPI target names a KPI that exists."""

from __future__ import annotations

from ninefold.declared import Bundle, at
from ninefold.reports.catalogue import BY_KEY
from ninefold.sourcefile import Problem


def cross_check(bundle: Bundle, _known: dict[str, set[str]]) -> list[Problem]:
    return [
        at(item, ("name",), f"no KPI named {item.spec.name!r}; KPIs: {', '.join(BY_KEY)}")
        for item in bundle.items["kpi_targets"]
        if item.spec.name not in BY_KEY
    ]
