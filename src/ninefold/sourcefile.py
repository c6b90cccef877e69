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


def parse_yaml(text: str, name: str) -> tuple[Any, Problem | None]:
    yaml = YAML(typ="rt")
    try:
        return yaml.load(text), None
    except YAMLError as exc:
        return None, yaml_problem(name, text, exc)


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


def parse_yaml_documents(text: str, name: str) -> tuple[list[Any], Problem | None]:
    """Every document of a multi-document file (`---` between them)."""
    try:
        return list(YAML(typ="rt").load_all(text)), None
    except YAMLError as exc:
        return [], yaml_problem(name, text, exc)
