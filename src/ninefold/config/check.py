"""Checks across objects: duplicate names, references that resolve, no dependency cycles
(those of schedules, escalation policies and routes: `check_paging`).

Runs on the files alone (no database), so that `ninefold check` works in CI on a pull request.
"""

from __future__ import annotations

from pathlib import Path

from ninefold.config import check_paging
from ninefold.config.crossref import cycles, dangling, dangling_one, duplicates, known_names
from ninefold.config.loader import Bundle, load_directory
from ninefold.slos import specs as slo_specs
from ninefold.slos.generate import SLO_DIRECTORY
from ninefold.sourcefile import Problem


def check_directory(root: Path) -> Bundle:
    bundle = load_directory(root)
    bundle.problems.extend(cross_check(bundle))
    slo_dir = root / SLO_DIRECTORY
    if slo_dir.is_dir():
        services = {item.spec.name for item in bundle.items["services"]}
        found = slo_specs.load([slo_dir], services | bundle.invalid_names["services"])
        bundle.slos = found.slos
        bundle.problems.extend(found.problems)
    bundle.problems.sort()
    return bundle


def cross_check(bundle: Bundle) -> list[Problem]:
    problems: list[Problem] = []
    for section, items in bundle.items.items():
        problems += duplicates(section, items)
    known = known_names(bundle)
    users, teams, services = known["users"], known["teams"], known["services"]
    for item in bundle.items["users"]:
        problems += dangling(item, ("scope",), item.spec.scope, teams, "team")
    for item in bundle.items["teams"]:
        problems += dangling(item, ("members",), item.spec.members, users, "user")
    for item in bundle.items["services"]:
        problems += dangling_one(item, "owner", item.spec.owner, teams, "team")
        problems += dangling(item, ("depends_on",), item.spec.depends_on, services, "service")
    problems += cycles(
        bundle.items["services"], "depends_on", lambda spec: spec.depends_on, "dependency cycle"
    )
    for item in bundle.items["budget_policies"]:
        problems += dangling(item, ("services",), item.spec.services, services, "service")
    for item in bundle.items["integrations"]:
        problems += dangling_one(item, "service", item.spec.service, services, "service")
    problems += check_paging.cross_check(bundle, known)
    return problems
