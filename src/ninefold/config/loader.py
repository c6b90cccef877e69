"""Reading a configuration directory: YAML files with line numbers, validated per object.

Every problem is collected, not only the first, so that `ninefold check` can list them all.
A problem names the file, the line and the field (`services[2].tier`), as a compiler would.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ninefold.config.sections import SECTIONS, SUBDIRECTORIES_OF_OTHER_FORMATS
from ninefold.slos.model import Slo
from ninefold.sourcefile import Problem, display_path, line_of, parse_yaml, validate


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
    """Everything a configuration directory declares, section by section."""

    items: dict[str, list[Item]] = field(default_factory=lambda: {name: [] for name in SECTIONS})
    problems: list[Problem] = field(default_factory=list)
    # Names of objects that failed validation: they are declared, so a reference to one is
    # not reported again as dangling on top of the object's own problems.
    invalid_names: dict[str, set[str]] = field(
        default_factory=lambda: {name: set() for name in SECTIONS}
    )

    # The SLOs of the directory's slos/ folder, checked against its services.
    slos: list[Slo] = field(default_factory=list)

    def specs(self, section: str) -> list[Any]:
        return [item.spec for item in self.items[section]]


def yaml_files(root: Path) -> Iterator[Path]:
    skip = {root / name for name in SUBDIRECTORIES_OF_OTHER_FORMATS}
    for path in sorted(root.rglob("*")):
        if path.suffix not in {".yaml", ".yml"} or not path.is_file():
            continue
        if any(parent in skip for parent in path.parents) or any(
            part.startswith(".") for part in path.relative_to(root).parts
        ):
            continue
        yield path


def load_directory(root: Path) -> Bundle:
    bundle = Bundle()
    if not root.is_dir():
        bundle.problems.append(Problem(str(root), 0, "config", "not a directory"))
        return bundle
    files = list(yaml_files(root))
    if not files:
        bundle.problems.append(Problem(str(root), 0, "config", "no .yaml files found"))
    for path in files:
        load_file(path, display_path(path), bundle)
    return bundle


def load_file(path: Path, name: str, bundle: Bundle) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        bundle.problems.append(Problem(name, 0, "file", f"cannot read: {exc}"))
        return
    document, problem = parse_yaml(text, name)
    if problem:
        bundle.problems.append(problem)
        return
    if document is None:
        return
    if not isinstance(document, CommentedMap):
        bundle.problems.append(
            Problem(name, 1, "file", f"must be a mapping of sections ({', '.join(SECTIONS)})")
        )
        return
    for key, value in document.items():
        line = document.lc.key(key)[0] + 1
        if key not in SECTIONS:
            bundle.problems.append(
                Problem(
                    name, line, str(key), f"unknown section; expected one of {', '.join(SECTIONS)}"
                )
            )
            continue
        if not isinstance(value, CommentedSeq):
            bundle.problems.append(Problem(name, line, str(key), "must be a list"))
            continue
        for index, node in enumerate(value):
            path_name = f"{key}[{index}]"
            item_line = value.lc.item(index)[0] + 1
            spec = validate(SECTIONS[key], node, name, path_name, item_line, bundle.problems)
            if spec is not None:
                bundle.items[key].append(Item(spec, Source(name, item_line, path_name), node))
            elif isinstance(node, CommentedMap) and isinstance(node.get("name"), str):
                bundle.invalid_names[key].add(str(node["name"]))
