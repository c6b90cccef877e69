"""The building blocks of the checks across objects: duplicate names, names that must resolve,
and cycles, each reported as a problem at the line and field where it was written.

Shared by `check` (the catalog) and `check_paging` (schedules, policies, routes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ninefold.catalog import model
from ninefold.config.loader import Bundle, Item
from ninefold.sourcefile import Problem, field_path

Loc = tuple[str | int, ...]


def known_names(bundle: Bundle) -> dict[str, set[str]]:
    """Every name declared per section, the invalid objects' included: an object that fails
    validation is reported once, for its own problems, not again wherever it is named."""
    return {
        section: {item.spec.name for item in items} | bundle.invalid_names[section]
        for section, items in bundle.items.items()
    }


def singular(section: str) -> str:
    """`escalation_policies` -> `escalation policy`, for messages."""
    words = section.replace("_", " ")
    return words[:-3] + "y" if words.endswith("ies") else words.removesuffix("s")


def duplicates(section: str, items: list[Item]) -> list[Problem]:
    first: dict[str, Item] = {}
    problems = []
    for item in items:
        name = item.spec.name
        if name in first:
            seen = first[name].source
            problems.append(
                at(
                    item,
                    ("name",),
                    f"duplicate {singular(section)} name {name!r}; "
                    f"first defined at {seen.file}:{seen.line}",
                )
            )
        else:
            first[name] = item
    return problems


def at(item: Item, loc: Loc, message: str) -> Problem:
    """A problem at `loc` inside the item: its line as written and its field path."""
    return Problem(
        item.source.file, item.line_of(*loc), f"{item.source.path}{field_path(loc)}", message
    )


def dangling(
    item: Item, loc: Loc, names: Iterable[str], known: set[str], kind: str
) -> list[Problem]:
    """Names in the list at `loc` that name no `kind`, each pointed at where it is written (a
    spec may hold the list sorted), once even when written twice."""
    return [
        at(item, written_at(item, loc, name), f"no {kind} named {name!r}")
        for name in dict.fromkeys(names)
        if name not in known
    ]


def written_at(item: Item, loc: Loc, name: str) -> Loc:
    """Where `name` is written in the list at `loc`: a spec may hold the list sorted."""
    written = [str(value) for value in _node_at(item.node, loc) or []]
    return (*loc, written.index(name) if name in written else 0)


def dangling_one(
    item: Item, key: str, name: str | None, known: set[str], kind: str
) -> list[Problem]:
    """A single, optional reference at `key`."""
    if name is None or name in known:
        return []
    return [at(item, (key,), f"no {kind} named {name!r}")]


def cycles(
    items: list[Item], key: str, edges: Callable[[Any], Iterable[str]], what: str
) -> list[Problem]:
    """One problem per cycle through the references at `key`, at its alphabetically first
    object: `{what}: a -> b -> a`."""
    by_name = {item.spec.name: item for item in items}
    graph = {name: [e for e in edges(item.spec) if e in by_name] for name, item in by_name.items()}
    return [
        at(by_name[cycle[0]], (key,), f"{what}: " + " -> ".join(cycle))
        for cycle in model.find_cycles(graph)
    ]


def _node_at(node: Any, loc: Loc) -> Any:
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node
