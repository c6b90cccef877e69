"""Reading the YAML sections of a configuration directory: every problem collected, not only
the first, each naming the file, the line and the field (`services[2].tier`), as a compiler
would.

`ninefold check` reads every section (`config.check`); a domain that needs another's
objects from the files where it runs (the SLO pages and generators need the catalog's
services) reads only those sections, with their schemas.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from pydantic import BaseModel
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ninefold.declared import Bundle, Item, Source
from ninefold.domains import DOMAINS
from ninefold.sourcefile import Problem, display_path, parse_yaml, read_source, validate

# Folders whose YAML files are not sections: the domains' own (`Domain.folders`).
OTHER_FORMATS = tuple(folder.name for d in DOMAINS for folder in d.folders)

Schemas = Mapping[str, type[BaseModel]]


def read_sections(root: Path, schemas: Schemas, *, every_section: bool = False) -> Bundle:
    """The objects of the `schemas` sections in `root`'s YAML files. With `every_section`,
    a section of no schema, and a directory with nothing to read, are problems too."""
    bundle = Bundle.empty(schemas)
    if not root.is_dir():
        bundle.problems.append(Problem(str(root), 0, "config", "not a directory"))
        return bundle
    files = list(yaml_files(root))
    if not files and every_section:
        bundle.problems.append(Problem(str(root), 0, "config", "no .yaml files found"))
    for path in files:
        _read_file(path, root, schemas, bundle, every_section)
    return bundle


def yaml_files(root: Path) -> Iterator[Path]:
    skip = {root / name for name in OTHER_FORMATS}
    for path in sorted(root.rglob("*")):
        if path.suffix not in {".yaml", ".yml"} or not path.is_file():
            continue
        if any(parent in skip for parent in path.parents) or any(
            part.startswith(".") for part in path.relative_to(root).parts
        ):
            continue
        yield path


def _read_file(
    path: Path, root: Path, schemas: Schemas, bundle: Bundle, every_section: bool
) -> None:
    name = display_path(path)
    text = read_source(path, name, root)
    if isinstance(text, Problem):
        bundle.problems.append(text)
        return
    document, problem = parse_yaml(text, name)
    if problem:
        bundle.problems.append(problem)
        return
    if document is None:
        return
    if not isinstance(document, CommentedMap):
        bundle.problems.append(
            Problem(name, 1, "file", f"must be a mapping of sections ({', '.join(schemas)})")
        )
        return
    for key, value in document.items():
        line = document.lc.key(key)[0] + 1
        if key not in schemas:
            if every_section:
                expected = ", ".join(schemas)
                bundle.problems.append(
                    Problem(name, line, str(key), f"unknown section; expected one of {expected}")
                )
            continue
        if not isinstance(value, CommentedSeq):
            bundle.problems.append(Problem(name, line, str(key), "must be a list"))
            continue
        for index, node in enumerate(value):
            path_name = f"{key}[{index}]"
            item_line = value.lc.item(index)[0] + 1
            spec = validate(schemas[key], node, name, path_name, item_line, bundle.problems)
            if spec is not None:
                bundle.items[key].append(Item(spec, Source(name, item_line, path_name), node))
            elif isinstance(node, CommentedMap) and isinstance(node.get("name"), str):
                bundle.invalid_names[key].add(str(node["name"]))
