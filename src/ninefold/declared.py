"""A configuration directory as declared: every object with the place it was written, and the
helpers that report a problem at that place (duplicate names, names that must resolve,
cycles), as a compiler points at a line.

Below every domain: `directory` fills a `Bundle`, each domain's `checks` module looks
across the objects of its sections, and `config.check` gathers their problems. A domain's
`sections` module says how `ninefold apply` writes its objects (`Kind`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from ninefold.sourcefile import Problem, field_path, line_of

if TYPE_CHECKING:
    from pydantic import BaseModel
    from sqlalchemy.orm import Session

    from ninefold.db import Managed

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Source:
    file: str
    line: int
    path: str


@dataclass(frozen=True)
class Item:
    """One object of a section, with where it was written."""

    spec: Any
    source: Source
    node: Any = field(compare=False, repr=False)

    def line_of(self, *loc: str | int) -> int:
        return line_of(self.node, loc, self.source.line)


@dataclass
class Bundle:
    """Everything a configuration directory declares, section by section, and the objects
    of the folders read in formats of their own (`documents["slos"]`: the SLOs of `slos/`)."""

    items: dict[str, list[Item]]
    problems: list[Problem] = field(default_factory=list)
    # Names of objects that failed validation: they are declared, so a reference to one is
    # not reported again as dangling on top of the object's own problems.
    invalid_names: dict[str, set[str]] = field(default_factory=dict)
    documents: dict[str, list[Any]] = field(default_factory=dict)
    root: Path | None = None
    """The configuration directory read, for checks of the files its objects name."""

    @classmethod
    def empty(cls, sections: Iterable[str]) -> Bundle:
        names = list(sections)
        return cls({name: [] for name in names}, invalid_names={name: set() for name in names})

    def specs(self, section: str) -> list[Any]:
        """The objects of a section, or of a folder read in a format of its own."""
        if section in self.items:
            return [item.spec for item in self.items[section]]
        return list(self.documents.get(section, []))

    def known_names(self) -> dict[str, set[str]]:
        """Every name declared per section, the invalid objects' included: an object that
        fails validation is reported once, for its own problems, not again wherever it is
        named."""
        return {
            section: {item.spec.name for item in items} | self.invalid_names[section]
            for section, items in self.items.items()
        }


@runtime_checkable
class Kind(Protocol):
    """How `ninefold apply` plans and writes the objects of one section.

    `name` is the singular word of plans and the audit log (`team`, `escalation_policy`).
    `current` gives each stored object's fields (as its spec dumps them) and its owner
    (`managed_by`); `desired` the fields the files declare, in the same shape, so that the two
    compare field by field. `write` creates or updates the objects named in `wanted`, in the
    order their references need; `delete` removes the named objects the files dropped, or
    refuses if something still needs them. Both flush, never commit."""

    name: str

    def current(self, session: Session) -> dict[str, tuple[dict[str, Any], str]]: ...

    def desired(self, specs: list[Any]) -> dict[str, dict[str, Any]]: ...

    def write(
        self, session: Session, specs: list[Any], wanted: set[str], managed_by: str, now: datetime
    ) -> None: ...

    def delete(self, session: Session, names: set[str]) -> None: ...


@dataclass(frozen=True)
class RowKind:
    """The `Kind` of a section whose objects are rows found by name: written one by one, in
    the order of the files or, for an `ordered` section (routes), with their place in the
    files as their `position`, compared like a field so that a reorder is an update.

    `write_row(session, spec, managed_by, now, row or None[, position])` creates or updates
    one row; `ready_to_delete(session, row, names)` may refuse a deletion that would leave
    others pointing at nothing (`names`: all objects of the section being deleted)."""

    name: str
    rows: Callable[[Session], list[Any]]
    spec_of: Callable[[Any], Any]
    write_row: Callable[..., Any]
    ordered: bool = False
    ready_to_delete: Callable[[Session, Any, set[str]], None] | None = None

    def current(self, session: Session) -> dict[str, tuple[dict[str, Any], str]]:
        return {row.name: (self._fields(row), row.managed_by) for row in self.rows(session)}

    def desired(self, specs: list[Any]) -> dict[str, dict[str, Any]]:
        return {
            spec.name: spec.model_dump(mode="json") | ({"position": i} if self.ordered else {})
            for i, spec in enumerate(specs)
        }

    def write(
        self, session: Session, specs: list[Any], wanted: set[str], managed_by: str, now: datetime
    ) -> None:
        rows = {row.name: row for row in self.rows(session)}
        for position, spec in enumerate(specs):
            if spec.name in wanted:
                extra = [position] if self.ordered else []
                self.write_row(session, spec, managed_by, now, rows.get(spec.name), *extra)

    def delete(self, session: Session, names: set[str]) -> None:
        doomed = [row for row in self.rows(session) if row.name in names]
        for row in doomed:
            if self.ready_to_delete is not None:
                self.ready_to_delete(session, row, names)
            session.delete(row)
        session.flush()

    def _fields(self, row: Any) -> dict[str, Any]:
        fields: dict[str, Any] = self.spec_of(row).model_dump(mode="json")
        return fields | {"position": row.position} if self.ordered else fields


# --- problems at the place they were written -------------------------------------------------


def singular(section: str) -> str:
    """`escalation_policies` -> `escalation policy`, for messages."""
    words = section.replace("_", " ")
    return words[:-3] + "y" if words.endswith("ies") else words.removesuffix("s")


def at(item: Item, loc: Loc, message: str) -> Problem:
    """A problem at `loc` inside the item: its line as written and its field path."""
    return Problem(
        item.source.file, item.line_of(*loc), f"{item.source.path}{field_path(loc)}", message
    )


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


def cycle_problems(items: list[Item], key: str, found: list[list[str]], what: str) -> list[Problem]:
    """One problem per cycle `found` (by `catalog.model.find_cycles`) through the references at
    `key`, at the cycle's first object: `{what}: a -> b -> a`."""
    by_name = {item.spec.name: item for item in items}
    return [at(by_name[cycle[0]], (key,), f"{what}: " + " -> ".join(cycle)) for cycle in found]


def reference_graph(
    items: list[Item], edges: Callable[[Any], Iterable[str]]
) -> dict[str, list[str]]:
    """`{name: [names it refers to]}` over the items, references to other objects dropped."""
    names = {item.spec.name for item in items}
    return {item.spec.name: [e for e in edges(item.spec) if e in names] for item in items}


def _node_at(node: Any, loc: Loc) -> Any:
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


S = TypeVar("S", bound="BaseModel")
R = TypeVar("R", bound="Managed")


def spec_of_columns(spec: type[S], row: Any) -> S:
    """The spec of a row whose columns are the spec's fields, one for one."""
    return spec.model_validate({name: getattr(row, name) for name in spec.model_fields})


def write_columns(
    session: Session,
    table: Callable[..., R],
    spec: BaseModel,
    managed_by: str,
    now: datetime,
    row: R | None,
) -> R:
    """Create (`row` None) or update a row whose columns are the spec's fields, one for one,
    found by its `name`; the caller has checked what the spec names."""
    if row is None:
        row = table(name=getattr(spec, "name"))  # noqa: B009 (every such spec has a name)
        session.add(row)
    for key, value in spec.model_dump(exclude={"name"}).items():
        setattr(row, key, value)
    row.managed_by = managed_by
    row.touch(now)
    session.flush()
    return row
