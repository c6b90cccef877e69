"""Checks across objects: duplicate names, references that resolve, no dependency cycles.

Runs on the files alone (no database), so that `ninefold check` works in CI on a pull request.
"""

from __future__ import annotations

from pathlib import Path

from ninefold.catalog import model
from ninefold.config.loader import Bundle, Item, load_directory
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
        problems += _duplicates(section, items)
    users, teams, services = (
        {item.spec.name for item in bundle.items[section]} | bundle.invalid_names[section]
        for section in ("users", "teams", "services")
    )
    for item in bundle.items["users"]:
        problems += _dangling(item, "scope", item.spec.scope, teams, "team")
    for item in bundle.items["teams"]:
        problems += _dangling(item, "members", item.spec.members, users, "user")
    for item in bundle.items["services"]:
        problems += _dangling(item, "owner", [item.spec.owner], teams, "team")
        problems += _dangling(item, "depends_on", item.spec.depends_on, services, "service")
    problems += _cycles(bundle.items["services"])
    for item in bundle.items["budget_policies"]:
        problems += _dangling(item, "services", item.spec.services, services, "service")
    for item in bundle.items["integrations"]:
        if item.spec.service is not None:
            problems += _dangling(item, "service", [item.spec.service], services, "service")
    return problems


def _duplicates(section: str, items: list[Item]) -> list[Problem]:
    first: dict[str, Item] = {}
    problems = []
    for item in items:
        name = item.spec.name
        if name in first:
            seen = first[name].source
            problems.append(
                Problem(
                    item.source.file,
                    item.line_of("name"),
                    f"{item.source.path}.name",
                    f"duplicate {section[:-1]} name {name!r}; "
                    f"first defined at {seen.file}:{seen.line}",
                )
            )
        else:
            first[name] = item
    return problems


def _dangling(item: Item, key: str, names: list[str], known: set[str], kind: str) -> list[Problem]:
    # The spec holds lists of names sorted; the problem points at the name as it was written.
    single = key in {"owner", "service"}
    written = [] if single else [str(name) for name in item.node.get(key) or []]
    problems = []
    for name in names:
        if name in known:
            continue
        index = written.index(name) if name in written else 0
        problems.append(
            Problem(
                item.source.file,
                item.line_of(key) if single else item.line_of(key, index),
                f"{item.source.path}.{key}" + ("" if single else f"[{index}]"),
                f"no {kind} named {name!r}",
            )
        )
    return problems


def _cycles(items: list[Item]) -> list[Problem]:
    by_name = {item.spec.name: item for item in items}
    graph = {
        name: [d for d in item.spec.depends_on if d in by_name] for name, item in by_name.items()
    }
    problems = []
    for cycle in model.find_cycles(graph):
        item = by_name[cycle[0]]
        problems.append(
            Problem(
                item.source.file,
                item.line_of("depends_on"),
                f"{item.source.path}.depends_on",
                "dependency cycle: " + " -> ".join(cycle),
            )
        )
    return problems
