"""Reading a configuration directory: YAML files with line numbers, validated per object.

Every problem is collected, not only the first, so that `ninefold check` can list them all.
A problem names the file, the line and the field (`services[2].tier`), as a compiler would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ninefold.config.sections import SCHEMAS, SUBDIRECTORIES_OF_OTHER_FORMATS
from ninefold.declared import Bundle, Item, Source
from ninefold.sourcefile import Problem, display_path, parse_yaml, validate


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
    bundle = Bundle.empty(SCHEMAS)
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
            Problem(name, 1, "file", f"must be a mapping of sections ({', '.join(SCHEMAS)})")
        )
        return
    for key, value in document.items():
        line = document.lc.key(key)[0] + 1
        if key not in SCHEMAS:
            bundle.problems.append(
                Problem(
                    name, line, str(key), f"unknown section; expected one of {', '.join(SCHEMAS)}"
                )
            )
            continue
        if not isinstance(value, CommentedSeq):
            bundle.problems.append(Problem(name, line, str(key), "must be a list"))
            continue
        for index, node in enumerate(value):
            path_name = f"{key}[{index}]"
            item_line = value.lc.item(index)[0] + 1
            spec = validate(SCHEMAS[key], node, name, path_name, item_line, bundle.problems)
            if spec is not None:
                bundle.items[key].append(Item(spec, Source(name, item_line, path_name), node))
            elif isinstance(node, CommentedMap) and isinstance(node.get("name"), str):
                bundle.invalid_names[key].add(str(node["name"]))
