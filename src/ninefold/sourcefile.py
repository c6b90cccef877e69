"""User-written YAML with line numbers: parsing, validating against a schema, and the
`file:line: field: message` problems every check reports.

Shared by the configuration directory and the SLO specs, so that both point at the same
lines in the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    MappingEndEvent,
    MappingStartEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {self.field}: {prefix}{self.message}"


def display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# What a configuration file may be, so that a hostile one (a pull request CI checks) cannot
# exhaust the runner: its size, how deep it nests, and how many values it holds once its
# aliases are expanded. Ten "billion laughs" levels of 1 KB reach 10^9; real files stay
# far below each bound.
MAX_SOURCE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64
MAX_VALUES = 200_000


def read_source(path: Path, name: str, root: Path | None = None) -> str | Problem:
    """The text of a file, or what keeps it from being read; with `root`, only a file that
    really lies inside it (a symbolic link out of a configuration directory is not followed)."""
    try:
        if root is not None and not path.resolve().is_relative_to(root.resolve()):
            return Problem(name, 0, "file", f"links outside {root}; not read")
        if path.stat().st_size > MAX_SOURCE_BYTES:
            return Problem(name, 0, "file", f"larger than {MAX_SOURCE_BYTES} bytes")
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Problem(name, 0, "file", f"cannot read: {exc}")


def parse_yaml(text: str, name: str) -> tuple[Any, Problem | None]:
    """The one document of a file (None for an empty one)."""
    documents, problem = parse_yaml_documents(text, name)
    if problem or not documents:
        return None, problem
    if len(documents) > 1:
        return None, Problem(name, 0, "yaml", "holds several documents (---); write one")
    return documents[0], None


def parse_yaml_documents(text: str, name: str) -> tuple[list[Any], Problem | None]:
    """Every document of a file (`---` between them), within the bounds above."""
    yaml = YAML(typ="rt")
    try:
        problem = _too_deep(yaml, text, name)
        if problem:
            return [], problem
        documents = list(yaml.load_all(text))
    except YAMLError as exc:
        return [], yaml_problem(name, text, exc)
    for document in documents:
        problem = _too_many_values(document, name)
        if problem:
            return [], problem
    return documents, None


def _too_deep(yaml: YAML, text: str, name: str) -> Problem | None:
    """Nesting, read from the parser's events before anything is built (building nests
    recursively; the parser does not)."""
    depth = 0
    for event in yaml.parse(text):
        if isinstance(event, MappingStartEvent | SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1
                return Problem(name, line, "yaml", f"nested deeper than {MAX_DEPTH} levels")
        elif isinstance(event, MappingEndEvent | SequenceEndEvent):
            depth -= 1
    return None


def _too_many_values(document: Any, name: str) -> Problem | None:
    """Values and depth of the document as its readers see it, every alias expanded:
    counted once per distinct node, so a file of a thousand anchors is measured in a
    thousand steps, not in the billions it would expand to."""
    measured: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Any, bool]] = [(document, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        children = _children(node)
        if key in measured:
            continue
        if not children_done:
            if key in open_nodes:
                return Problem(name, 0, "yaml", "an alias refers to the value that holds it")
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in measured)
            continue
        open_nodes.discard(key)
        sizes = [measured[id(child)] for child in children]
        values = 1 + sum(size for size, _ in sizes)
        depth = 1 + max((d for _, d in sizes), default=0)
        if values > MAX_VALUES or depth > MAX_DEPTH:
            return Problem(
                name,
                0,
                "yaml",
                f"its aliases (*name) expand to more than {MAX_VALUES} values or "
                f"{MAX_DEPTH} levels; write the values out instead",
            )
        measured[key] = (values, depth)
    return None


def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [*node.keys(), *node.values()]
    if isinstance(node, list):
        return list(node)
    return []


def yaml_problem(name: str, text: str, exc: YAMLError) -> Problem:
    """Text that is not YAML, at the line where the parser gave up."""
    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        message = ": ".join(str(p) for p in (exc.context, exc.problem) if p) or str(exc)
        return Problem(name, line, "yaml", message)
    # A character YAML does not allow (ReaderError) carries a position in the text, no mark.
    position = getattr(exc, "position", None)
    line = text.count("\n", 0, position) + 1 if isinstance(position, int) else 0
    return Problem(name, line, "yaml", str(exc).split("\n", 1)[0])


def validate(
    model: type[BaseModel],
    node: Any,
    file: str,
    path_name: str,
    line: int,
    problems: list[Problem],
) -> BaseModel | None:
    try:
        return model.model_validate(plain(node))
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            problems.append(
                Problem(
                    file,
                    line_of(node, loc, line),
                    (path_name + field_path(loc)).lstrip("."),
                    error_message(error),
                )
            )
        return None


def error_message(error: Any, unknown: str = "unknown key") -> str:
    """A pydantic error's message as users read it; `unknown` names an extra key or field."""
    if error["type"] == "extra_forbidden":
        return unknown
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def field_path(loc: tuple[Any, ...]) -> str:
    """`("alerts", 0, "startsAt")` as `.alerts[0].startsAt`, the way the document nests."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)


def line_of(node: Any, loc: tuple[Any, ...], default: int) -> int:
    """The line of the deepest part of `loc` that exists in the YAML tree."""
    line = default
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            break
    return line


def plain(node: Any) -> Any:
    """ruamel's round-trip types as plain dicts, lists and scalars, for pydantic."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node
