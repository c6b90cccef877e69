"""Label matchers in Alertmanager's syntax: `name="value"`, `name!="value"`, `name=~"re"`,
`name!~"re"`.

Routes are written by people who already write Alertmanager routes and Prometheus selectors,
so the same four operators mean the same things: regular expressions are anchored at both ends
(`severity=~"crit.*"` does not match "supercritical"), and a label that is absent reads as the
empty string (`team!=""` means "has a team label"). Quotes around the value may be left off
when it holds no space, comma or quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ninefold.errors import Invalid

Operator = Literal["=", "!=", "=~", "!~"]

_LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
_SYNTAX = re.compile(
    rf"""^\s*(?P<name>{_LABEL})\s*(?P<op>=~|!~|!=|=)\s*
    (?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<bare>(?:[^\s",=!~][^\s",]*)?))\s*$""",
    re.VERBOSE,
)
_ESCAPES = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Matcher:
    name: str
    op: Operator
    value: str

    def __post_init__(self) -> None:
        if self.op in ("=~", "!~"):
            try:
                re.compile(self.value)
            except re.error as exc:
                raise Invalid(
                    f"invalid regular expression {self.value!r} in matcher for "
                    f"{self.name!r}: {exc}",
                    field="match",
                ) from None

    def matches(self, labels: dict[str, str]) -> bool:
        value = labels.get(self.name, "")
        if self.op == "=":
            return value == self.value
        if self.op == "!=":
            return value != self.value
        found = re.fullmatch(self.value, value) is not None
        return found if self.op == "=~" else not found

    def __str__(self) -> str:
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"')
        return f'{self.name}{self.op}"{escaped}"'


def parse(text: str) -> Matcher:
    """One matcher from its text; `Invalid` saying what is wrong with it."""
    found = _SYNTAX.match(text)
    if found is None:
        raise Invalid(
            f'invalid label matcher {text!r}; write name="value", name!="value", '
            'name=~"regex" or name!~"regex"',
            field="match",
        )
    quoted = found["quoted"]
    value = _ESCAPES.sub(r"\1", quoted) if quoted is not None else found["bare"]
    return Matcher(found["name"], found["op"], value)  # type: ignore[arg-type]


def matches_all(matchers: list[Matcher], labels: dict[str, str]) -> bool:
    return all(matcher.matches(labels) for matcher in matchers)
